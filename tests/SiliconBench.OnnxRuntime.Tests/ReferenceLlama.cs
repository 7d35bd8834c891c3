using SiliconBench.Models;

namespace SiliconBench.Tests.OnnxRuntime;

/// <summary>
/// A direct, loop-by-loop Llama forward pass in double precision, read from the safetensors checkpoint
/// (the Hugging Face math: RMSNorm, rotate-half RoPE, GQA by repeating KV heads, causal softmax, SwiGLU).
/// Independent of the ONNX graph, so agreement checks the graph's math, not only its self-consistency.
/// </summary>
internal sealed class ReferenceLlama
{
    private readonly LlamaConfig _c;
    private readonly Dictionary<string, float[]> _w = new(StringComparer.Ordinal);

    public ReferenceLlama(string checkpointDirectory)
    {
        _c = LlamaConfig.Load(checkpointDirectory);
        using var f = SafetensorsFile.Open(Path.Combine(checkpointDirectory, SyntheticCheckpoint.WeightsFileName));
        foreach (var t in f.Tensors)
            _w[t.Name] = f.ReadFloats(t.Name);
    }

    /// <summary>Logits [tokens.Length, vocab] for one unpadded sequence.</summary>
    public double[][] Forward(int[] tokens)
    {
        int n = tokens.Length, h = _c.HiddenSize, d = _c.HeadDim, nH = _c.NumAttentionHeads, nKv = _c.NumKeyValueHeads;
        var x = new double[n][];
        for (var t = 0; t < n; t++)
            x[t] = Row(_w["model.embed_tokens.weight"], tokens[t], h);
        var inv = _c.RopeInverseFrequencies();
        for (var l = 0; l < _c.NumHiddenLayers; l++)
        {
            var p = $"model.layers.{l}.";
            var xn = x.Select(r => Norm(r, _w[p + "input_layernorm.weight"])).ToArray();
            var q = xn.Select(r => Linear(r, _w[p + "self_attn.q_proj.weight"], nH * d)).ToArray();
            var k = xn.Select(r => Linear(r, _w[p + "self_attn.k_proj.weight"], nKv * d)).ToArray();
            var v = xn.Select(r => Linear(r, _w[p + "self_attn.v_proj.weight"], nKv * d)).ToArray();
            for (var t = 0; t < n; t++)
            {
                Rope(q[t], nH, d, t, inv);
                Rope(k[t], nKv, d, t, inv);
            }
            var attn = new double[n][];
            for (var t = 0; t < n; t++)
            {
                attn[t] = new double[nH * d];
                for (var head = 0; head < nH; head++)
                {
                    var kvHead = head / (nH / nKv);
                    var scores = new double[t + 1];
                    for (var j = 0; j <= t; j++)
                    {
                        double s = 0;
                        for (var e = 0; e < d; e++)
                            s += q[t][head * d + e] * k[j][kvHead * d + e];
                        scores[j] = s / Math.Sqrt(d);
                    }
                    var max = scores.Max();
                    var sum = scores.Sum(s => Math.Exp(s - max));
                    for (var j = 0; j <= t; j++)
                    {
                        var pr = Math.Exp(scores[j] - max) / sum;
                        for (var e = 0; e < d; e++)
                            attn[t][head * d + e] += pr * v[j][kvHead * d + e];
                    }
                }
            }
            for (var t = 0; t < n; t++)
            {
                var o = Linear(attn[t], _w[p + "self_attn.o_proj.weight"], h);
                for (var i = 0; i < h; i++)
                    x[t][i] += o[i];
                var hn = Norm(x[t], _w[p + "post_attention_layernorm.weight"]);
                var gate = Linear(hn, _w[p + "mlp.gate_proj.weight"], _c.IntermediateSize);
                var up = Linear(hn, _w[p + "mlp.up_proj.weight"], _c.IntermediateSize);
                var act = gate.Select((g, i) => g / (1 + Math.Exp(-g)) * up[i]).ToArray();
                var down = Linear(act, _w[p + "mlp.down_proj.weight"], h);
                for (var i = 0; i < h; i++)
                    x[t][i] += down[i];
            }
        }
        var lmHead = _c.TieWordEmbeddings ? _w["model.embed_tokens.weight"] : _w["lm_head.weight"];
        return x.Select(r => Linear(Norm(r, _w["model.norm.weight"]), lmHead, _c.VocabSize)).ToArray();
    }

    private static double[] Row(float[] m, int row, int width) => m.AsSpan(row * width, width).ToArray().Select(f => (double)f).ToArray();

    private double[] Norm(double[] x, float[] w)
    {
        var ms = x.Sum(v => v * v) / x.Length;
        var r = 1 / Math.Sqrt(ms + _c.RmsNormEps);
        return x.Select((v, i) => v * r * w[i]).ToArray();
    }

    private static double[] Linear(double[] x, float[] w, int outDim)
    {
        var y = new double[outDim];
        var inDim = x.Length;
        for (var o = 0; o < outDim; o++)
        {
            double s = 0;
            for (var i = 0; i < inDim; i++)
                s += w[o * inDim + i] * x[i];
            y[o] = s;
        }
        return y;
    }

    private static void Rope(double[] v, int heads, int d, int pos, double[] inv)
    {
        for (var head = 0; head < heads; head++)
        {
            var b = head * d;
            for (var i = 0; i < d / 2; i++)
            {
                var a = pos * inv[i];
                double x1 = v[b + i], x2 = v[b + i + d / 2];
                v[b + i] = x1 * Math.Cos(a) - x2 * Math.Sin(a);
                v[b + i + d / 2] = x2 * Math.Cos(a) + x1 * Math.Sin(a);
            }
        }
    }
}
