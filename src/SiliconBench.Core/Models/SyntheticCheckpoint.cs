using System.Globalization;
using System.Text;
using SiliconBench.Diagnostics;

namespace SiliconBench.Models;

/// <summary>
/// Materializes a synthetic Llama checkpoint — <c>config.json</c> + <c>model.safetensors</c> in the Hugging Face
/// layout — from a preset shape and a seed. Weights are uniform with standard deviation 1/√fan-in (norm weights
/// are 1), so activations keep unit scale through any depth. The result is cached by (preset, dtype, seed) and
/// written atomically: a temporary directory renamed into place, so a reader never sees half a checkpoint.
/// </summary>
public static class SyntheticCheckpoint
{
    /// <summary>Bumped whenever the generated values would change; part of the cache key.</summary>
    public const int GeneratorVersion = 1;

    public const string WeightsFileName = "model.safetensors";

    /// <summary>Metadata keys in the safetensors header that mark a synthetic checkpoint.</summary>
    public const string PresetMetadataKey = "siliconbench.synthetic.preset";
    public const string SeedMetadataKey = "siliconbench.synthetic.seed";

    private const int ChunkElements = 1 << 20;

    /// <summary>Returns the checkpoint directory for (preset, dtype, seed), creating it on first use.</summary>
    /// <param name="preset">A name from <see cref="SyntheticPresets.Names"/>.</param>
    /// <param name="dtype">Checkpoint dtype: <c>fp32</c>, <c>fp16</c> or <c>bf16</c>.</param>
    public static string GetOrCreate(string preset, string dtype, int seed, string cacheDirectory, Action<string>? log)
    {
        var config = SyntheticPresets.Get(preset, "synthetic model", "preset");
        if (!WeightDtypes.TryParse(dtype, out var wdtype))
            throw new InputException("synthetic model", null, "checkpoint_dtype", $"'{dtype}' is not one of {string.Join(", ", WeightDtypes.Names)}");
        config = config with { TorchDtype = wdtype };

        var parent = Path.Combine(Path.GetFullPath(cacheDirectory), "checkpoints");
        var final = Path.Combine(parent, $"synthetic-{preset}-{WeightDtypes.Name(wdtype)}-seed{seed.ToString(CultureInfo.InvariantCulture)}-g{GeneratorVersion}");
        if (File.Exists(Path.Combine(final, WeightsFileName)))
            return final;

        Directory.CreateDirectory(parent);
        var bytes = config.Parameters * WeightDtypes.SizeOf(wdtype);
        EnsureFreeSpace(parent, bytes);
        log?.Invoke($"materializing synthetic checkpoint {preset} ({config.Parameters / 1e6:F1}M parameters, {WeightDtypes.Name(wdtype)}, {bytes / 1e9:F2} GB, seed {seed}) in {final}");
        var temp = $"{final}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        Directory.CreateDirectory(temp);
        try
        {
            File.WriteAllBytes(Path.Combine(temp, LlamaConfig.FileName), config.ToJson());
            var metadata = new Dictionary<string, string>
            {
                ["format"] = "pt",
                [PresetMetadataKey] = preset,
                [SeedMetadataKey] = seed.ToString(CultureInfo.InvariantCulture),
                ["siliconbench.synthetic.generator"] = GeneratorVersion.ToString(CultureInfo.InvariantCulture),
            };
            Write(Path.Combine(temp, WeightsFileName), config, wdtype, seed, metadata, log);
            try
            {
                Directory.Move(temp, final);
            }
            catch (IOException) when (File.Exists(Path.Combine(final, WeightsFileName)))
            {
                // Another process finished the same checkpoint first; theirs is identical.
                Directory.Delete(temp, recursive: true);
            }
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        log?.Invoke($"synthetic checkpoint {preset} ready");
        return final;
    }

    /// <summary>The tensors of a Hugging Face Llama checkpoint for <paramref name="config"/>, in file order.</summary>
    public static List<SafetensorsTensor> Layout(LlamaConfig config, WeightDtype dtype)
    {
        long h = config.HiddenSize, q = (long)config.NumAttentionHeads * config.HeadDim, kv = (long)config.NumKeyValueHeads * config.HeadDim;
        var list = new List<SafetensorsTensor> { new("model.embed_tokens.weight", dtype, [config.VocabSize, h]) };
        for (var i = 0; i < config.NumHiddenLayers; i++)
        {
            var p = $"model.layers.{i}.";
            list.Add(new(p + "input_layernorm.weight", dtype, [h]));
            list.Add(new(p + "self_attn.q_proj.weight", dtype, [q, h]));
            list.Add(new(p + "self_attn.k_proj.weight", dtype, [kv, h]));
            list.Add(new(p + "self_attn.v_proj.weight", dtype, [kv, h]));
            list.Add(new(p + "self_attn.o_proj.weight", dtype, [h, q]));
            list.Add(new(p + "post_attention_layernorm.weight", dtype, [h]));
            list.Add(new(p + "mlp.gate_proj.weight", dtype, [config.IntermediateSize, h]));
            list.Add(new(p + "mlp.up_proj.weight", dtype, [config.IntermediateSize, h]));
            list.Add(new(p + "mlp.down_proj.weight", dtype, [h, config.IntermediateSize]));
        }
        list.Add(new("model.norm.weight", dtype, [h]));
        if (!config.TieWordEmbeddings)
            list.Add(new("lm_head.weight", dtype, [config.VocabSize, h]));
        return list;
    }

    private static void Write(string path, LlamaConfig config, WeightDtype dtype, int seed, Dictionary<string, string> metadata, Action<string>? log)
    {
        var layout = Layout(config, dtype);
        var total = layout.Sum(t => t.ByteLength);
        var parallel = Math.Max(1, Environment.ProcessorCount);
        var group = new float[parallel][];
        for (var i = 0; i < parallel; i++)
            group[i] = new float[ChunkElements];
        var lengths = new int[parallel];
        long written = 0, nextReport = total / 10;

        using var writer = new SafetensorsWriter(path, layout, metadata);
        foreach (var t in writer.Tensors)
        {
            var isNorm = t.Shape.Length == 1;
            var fanIn = t.Shape[^1];
            var scale = (float)(Math.Sqrt(3.0) / Math.Sqrt(fanIn));
            var nameHash = Fnv1a(t.Name);
            var chunks = (t.ElementCount + ChunkElements - 1) / ChunkElements;
            for (long c0 = 0; c0 < chunks; c0 += parallel)
            {
                var n = (int)Math.Min(parallel, chunks - c0);
                Parallel.For(0, n, j =>
                {
                    var c = c0 + j;
                    var len = (int)Math.Min(ChunkElements, t.ElementCount - c * ChunkElements);
                    lengths[j] = len;
                    var span = group[j].AsSpan(0, len);
                    if (isNorm)
                        span.Fill(1f);
                    else
                        FillUniform(span, Mix((ulong)seed, nameHash, (ulong)c), scale);
                });
                for (var j = 0; j < n; j++)
                    writer.WriteFloats(group[j].AsSpan(0, lengths[j]));
            }
            written += t.ByteLength;
            if (log is not null && written >= nextReport && total > 256L << 20)
            {
                log($"  {100.0 * written / total:F0}% ({written / 1e9:F1} of {total / 1e9:F1} GB)");
                nextReport += total / 10;
            }
        }
        writer.Complete();
    }

    /// <summary>Fills with uniform values in [-scale, scale) from a xoshiro256** stream seeded by <paramref name="seed"/>.</summary>
    internal static void FillUniform(Span<float> values, ulong seed, float scale)
    {
        var s0 = SplitMix(ref seed);
        var s1 = SplitMix(ref seed);
        var s2 = SplitMix(ref seed);
        var s3 = SplitMix(ref seed);
        const float unit = 1f / (1 << 23);
        for (var i = 0; i < values.Length; i++)
        {
            var result = BitRotateLeft(s1 * 5, 7) * 9;
            var t = s1 << 17;
            s2 ^= s0;
            s3 ^= s1;
            s1 ^= s2;
            s0 ^= s3;
            s2 ^= t;
            s3 = BitRotateLeft(s3, 45);
            // 24 random bits → [0, 2) → [-1, 1)
            values[i] = ((result >> 40) * unit - 1f) * scale;
        }
    }

    private static ulong BitRotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    private static ulong Mix(ulong a, ulong b, ulong c)
    {
        var s = a * 0x9E3779B97F4A7C15 ^ b;
        var x = SplitMix(ref s) ^ (c * 0xD1B54A32D192ED03);
        return SplitMix(ref x);
    }

    private static ulong Fnv1a(string text)
    {
        var h = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(text))
            h = (h ^ b) * 1099511628211UL;
        return h;
    }

    private static void EnsureFreeSpace(string directory, long bytes)
    {
        try
        {
            var free = new DriveInfo(directory).AvailableFreeSpace;
            if (free < bytes + (256L << 20))
                throw new IOException($"not enough disk space in {directory}: the checkpoint needs {bytes / 1e9:F1} GB, {free / 1e9:F1} GB are free");
        }
        catch (Exception e) when (e is ArgumentException or UnauthorizedAccessException)
        {
            // Unknown drive (e.g. an unusual mount): let the write itself fail if space runs out.
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
