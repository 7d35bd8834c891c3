using SiliconBench.Models;

namespace SiliconBench.TorchSharp;

/// <summary>
/// Rotary-embedding tables cos/sin [positions, head_dim/2], computed in double from the config's inverse
/// frequencies (Llama 3 frequency scaling included) and rounded once to float, as Hugging Face does in fp32.
/// </summary>
public static class RopeTable
{
    public static (float[] Cos, float[] Sin) Build(LlamaConfig config, int positions)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(positions);
        var inv = config.RopeInverseFrequencies();
        var half = inv.Length;
        var cos = new float[(long)positions * half];
        var sin = new float[(long)positions * half];
        for (var p = 0; p < positions; p++)
        {
            for (var i = 0; i < half; i++)
            {
                var angle = p * inv[i];
                cos[((long)p * half) + i] = (float)Math.Cos(angle);
                sin[((long)p * half) + i] = (float)Math.Sin(angle);
            }
        }
        return (cos, sin);
    }
}
