using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using SiliconBench.Diagnostics;
using SiliconBench.Models;
using SiliconBench.OnnxRuntime.Onnx;

namespace SiliconBench.OnnxRuntime;

/// <summary>
/// Converts a Hugging Face Llama checkpoint (config.json + safetensors) into an ONNX decoder graph in the common
/// KV-cache layout: inputs <c>input_ids</c> [b,s], <c>attention_mask</c> [b,past+s], <c>position_ids</c> [b,s]
/// (all int64) and <c>past_key_values.{i}.key|value</c> [b,kv_heads,past,head_dim]; outputs <c>logits</c>
/// [b,s,vocab] (fp32) and <c>present.{i}.key|value</c>. Standard ONNX ops only (opset 17), written so ONNX
/// Runtime's graph optimizer recognizes the usual fusions:
/// <list type="bullet">
/// <item>RMSNorm as Pow/ReduceMean/Add/Sqrt/Div/Mul, computed in fp32 (fused into SimplifiedLayerNormalization);</item>
/// <item>RoPE by gathering precomputed cos/sin rows with <c>position_ids</c> (the sin table carries the sign of
/// rotate-half, so rotation is one Concat of the swapped halves); the 1/√head_dim score scale is folded into
/// the query weights;</item>
/// <item>q, k, v as one MatMul over concatenated weights, gate and up likewise; SwiGLU as gate·Sigmoid(gate)·up;</item>
/// <item>GQA by grouping: the query heads that share a KV head are laid out as extra query rows of that head, which
/// is the same arithmetic as repeating each KV head, without materializing the copies;</item>
/// <item>a causal + padding mask as an additive bias, so left-padded batches of unequal prompts share a step.</item>
/// </list>
/// Weights are stored transposed ([in, out], as MatMul takes them) and converted to the compute dtype.
/// </summary>
public static class LlamaOnnxBuilder
{
    /// <summary>Bumped whenever the graph changes; part of the cache key.</summary>
    public const int BuilderVersion = 1;

    public const string ModelFileName = "model.onnx";

    /// <summary>Metadata keys the builder stores in the model.</summary>
    public const string ConfigMetadataKey = "siliconbench.config";
    public const string WeightsMetadataKey = "siliconbench.weights";
    public const string CheckpointDtypeMetadataKey = "siliconbench.checkpoint_dtype";

    /// <summary>
    /// Returns the path of the ONNX model for <paramref name="checkpointDirectory"/> in compute dtype
    /// <paramref name="dtype"/> (<c>fp32</c> or <c>fp16</c>), building it on first use. The cache key is a
    /// fingerprint of the checkpoint's content (config, safetensors headers, sampled data) plus dtype and builder version.
    /// </summary>
    public static string GetOrBuild(string checkpointDirectory, string dtype, string cacheDirectory, Action<string>? log) =>
        GetOrBuild(checkpointDirectory, dtype, cacheDirectory, log, OnnxModelWriter.DefaultExternalThreshold);

    internal static string GetOrBuild(string checkpointDirectory, string dtype, string cacheDirectory, Action<string>? log, long externalThreshold)
    {
        var computeDtype = ParseComputeDtype(dtype, "--dtype");
        var config = LlamaConfig.Load(checkpointDirectory);
        var key = ContentKey(checkpointDirectory);
        var parent = Path.Combine(Path.GetFullPath(cacheDirectory), "onnx");
        var final = Path.Combine(parent, $"{key}-{WeightDtypes.Name(computeDtype)}");
        var finalModel = Path.Combine(final, ModelFileName);
        if (File.Exists(finalModel))
            return finalModel;

        Directory.CreateDirectory(parent);
        var temp = $"{final}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        Directory.CreateDirectory(temp);
        try
        {
            log?.Invoke($"building ONNX graph ({WeightDtypes.Name(computeDtype)}) from {checkpointDirectory} in {final}");
            Build(checkpointDirectory, config, computeDtype, Path.Combine(temp, ModelFileName), externalThreshold);
            try
            {
                Directory.Move(temp, final);
            }
            catch (IOException) when (File.Exists(finalModel))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
        catch
        {
            try
            {
                Directory.Delete(temp, recursive: true);
            }
            catch (IOException)
            {
            }
            throw;
        }
        log?.Invoke("ONNX graph ready");
        return finalModel;
    }

    internal static WeightDtype ParseComputeDtype(string dtype, string field)
    {
        if (!WeightDtypes.TryParse(dtype, out var d) || d == WeightDtype.Bf16)
            throw new InputException("command line", null, field, $"'{dtype}' is not a compute dtype of the onnxruntime engine; it takes fp32 or fp16");
        return d;
    }

    /// <summary>
    /// A fingerprint of a checkpoint's content: config.json, each safetensors file's name, size and header, and
    /// 16 evenly spaced 64 KiB samples of its data (hashing a 140 GB checkpoint whole on every start would cost minutes).
    /// </summary>
    public static string ContentKey(string checkpointDirectory)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.UTF8.GetBytes($"siliconbench-llama-onnx v{BuilderVersion}\n"));
        sha.AppendData(File.ReadAllBytes(Path.Combine(checkpointDirectory, LlamaConfig.FileName)));
        var sample = new byte[64 * 1024];
        foreach (var path in SafetensorsCheckpoint.FindFiles(checkpointDirectory))
        {
            var length = new FileInfo(path).Length;
            sha.AppendData(Encoding.UTF8.GetBytes($"\n{Path.GetFileName(path)} {length}\n"));
            sha.AppendData(SafetensorsHeader.ReadRaw(path));
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            for (var i = 0; i < 16; i++)
            {
                fs.Position = Math.Max(0, (length - sample.Length) * i / 15);
                var n = fs.ReadAtLeast(sample, sample.Length, throwOnEndOfStream: false);
                sha.AppendData(sample, 0, n);
            }
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset())[..20];
    }

    /// <summary>Builds the graph for a checkpoint and writes it to <paramref name="outputPath"/>.</summary>
    internal static void Build(string checkpointDirectory, LlamaConfig config, WeightDtype dtype, string outputPath, long externalThreshold)
    {
        using var ckpt = SafetensorsCheckpoint.Open(checkpointDirectory);
        var weights = new CheckpointWeights(ckpt, config);
        weights.Validate();
        var graph = BuildGraph(config, dtype, weights);
        graph.Metadata[ConfigMetadataKey] = Encoding.UTF8.GetString(config.ToJson()).Trim();
        graph.Metadata[CheckpointDtypeMetadataKey] = WeightDtypes.Name(ckpt.Dtype);
        graph.Metadata[WeightsMetadataKey] = WeightsOrigin(ckpt);
        OnnxModelWriter.Write(graph, outputPath, externalThreshold);
    }

    /// <summary>"synthetic (seed 42)" for a synthetic checkpoint, else "checkpoint &lt;dir&gt;".</summary>
    internal static string WeightsOrigin(SafetensorsCheckpoint ckpt) =>
        ckpt.Metadata.TryGetValue(SyntheticCheckpoint.SeedMetadataKey, out var seed)
            ? $"synthetic (seed {seed})"
            : $"checkpoint {ckpt.Directory}";

    private static OnnxGraph BuildGraph(LlamaConfig c, WeightDtype dtype, CheckpointWeights w)
    {
        var t = dtype == WeightDtype.Fp16 ? OnnxType.Float16 : OnnxType.Float;
        var half = t == OnnxType.Float16;
        int h = c.HiddenSize, d = c.HeadDim, nH = c.NumAttentionHeads, nKv = c.NumKeyValueHeads, rep = nH / nKv;
        var g = new OnnxGraph("llama_decoder") { Opset = 17 };

        var inputIds = g.Input("input_ids", OnnxType.Int64, "batch_size", "sequence_length");
        var mask = g.Input("attention_mask", OnnxType.Int64, "batch_size", "total_sequence_length");
        var positions = g.Input("position_ids", OnnxType.Int64, "batch_size", "sequence_length");
        for (var i = 0; i < c.NumHiddenLayers; i++)
        {
            g.Input($"past_key_values.{i}.key", t, "batch_size", nKv, "past_sequence_length", d);
            g.Input($"past_key_values.{i}.value", t, "batch_size", nKv, "past_sequence_length", d);
        }
        g.Output("logits", OnnxType.Float, "batch_size", "sequence_length", c.VocabSize);
        for (var i = 0; i < c.NumHiddenLayers; i++)
        {
            g.Output($"present.{i}.key", t, "batch_size", nKv, "total_sequence_length", d);
            g.Output($"present.{i}.value", t, "batch_size", nKv, "total_sequence_length", d);
        }

        // Mask: key j is visible to query i (at absolute index past + i) when j <= past + i and attention_mask[j] = 1.
        var one = g.Int64Scalar(1);
        var seqLen = g.Op("Gather", g.Op("Shape", inputIds), one);
        var totalLen = g.Op("Gather", g.Op("Shape", mask), one);
        var keyPos = g.Op("Range", g.Int64Scalar(0), totalLen, one);
        var queryPos = g.Op("Range", g.Op("Sub", totalLen, seqLen), totalLen, one);
        var causal = g.Op("LessOrEqual", keyPos, g.Op("Unsqueeze", queryPos, g.Int64s(1)));
        var padding = g.Op("Unsqueeze", g.Op("Cast", [mask], OnnxAttribute.Int("to", (int)OnnxType.Bool)), g.Int64s(1, 2));
        var allowed = g.Op("And", causal, padding);
        var bias = g.Op("Where", allowed, g.FloatScalar(0f), g.FloatScalar(float.MinValue));
        if (rep > 1)
            bias = g.Op("Tile", bias, g.Int64s(1, 1, rep, 1));

        // RoPE tables gathered once per step, shaped [b, s, 1, d] to broadcast over heads.
        var cosTable = g.Initializer("rope.cos", t, [c.MaxPositionEmbeddings, d], (long)c.MaxPositionEmbeddings * d * Size(t),
            s => WriteRopeTable(s, c, cos: true, dtype));
        var sinTable = g.Initializer("rope.sin_signed", t, [c.MaxPositionEmbeddings, d], (long)c.MaxPositionEmbeddings * d * Size(t),
            s => WriteRopeTable(s, c, cos: false, dtype));
        var cos = g.Op("Unsqueeze", g.Op("Gather", cosTable, positions), g.Int64s(2));
        var sin = g.Op("Unsqueeze", g.Op("Gather", sinTable, positions), g.Int64s(2));

        var embed = w.Plain(g, "model.embed_tokens.weight", t);
        var x = g.Op("Gather", embed, inputIds);

        var qkvSplit = g.Int64s((long)(nH + nKv) * d, (long)nKv * d);
        var halfSplit = g.Int64s(d / 2, d / 2);
        var headSplit = g.Int64s(nH, nKv);
        var guSplit = g.Int64s(c.IntermediateSize, c.IntermediateSize);
        var qkShape = g.Int64s(0, 0, nH + nKv, d);
        var vShape = g.Int64s(0, 0, nKv, d);
        var groupShape = g.Int64s(0, nKv, -1, d);
        var headsShape = g.Int64s(0, nH, -1, d);
        var mergeShape = g.Int64s(0, 0, (long)nH * d);
        var eps = g.FloatScalar((float)c.RmsNormEps);
        var two = g.FloatScalar(2f);
        var qScale = (float)(1.0 / Math.Sqrt(d));

        string RmsNorm(string input, string weight)
        {
            var x32 = half ? g.Op("Cast", [input], OnnxAttribute.Int("to", (int)OnnxType.Float)) : input;
            var meanSquare = g.Op("ReduceMean", [g.Op("Pow", x32, two)], OnnxAttribute.Ints("axes", -1), OnnxAttribute.Int("keepdims", 1));
            var normed = g.Op("Div", x32, g.Op("Sqrt", g.Op("Add", meanSquare, eps)));
            if (half)
                normed = g.Op("Cast", [normed], OnnxAttribute.Int("to", (int)OnnxType.Float16));
            return g.Op("Mul", normed, weight);
        }

        for (var i = 0; i < c.NumHiddenLayers; i++)
        {
            var p = $"model.layers.{i}.";
            var xn = RmsNorm(x, w.Plain(g, p + "input_layernorm.weight", t));
            var qkvW = w.Transposed(g, p + "self_attn.qkv_proj.weight_t", t,
                (p + "self_attn.q_proj.weight", qScale), (p + "self_attn.k_proj.weight", 1f), (p + "self_attn.v_proj.weight", 1f));
            var qkvParts = g.Node("Split", [g.Op("MatMul", xn, qkvW), qkvSplit], 2, [OnnxAttribute.Int("axis", 2)]);

            var qk = g.Op("Reshape", qkvParts[0], qkShape);
            var halves = g.Node("Split", [qk, halfSplit], 2, [OnnxAttribute.Int("axis", 3)]);
            var swapped = g.Op("Concat", [halves[1], halves[0]], OnnxAttribute.Int("axis", 3));
            var rotated = g.Op("Add", g.Op("Mul", qk, cos), g.Op("Mul", swapped, sin));
            var qkHeads = g.Op("Transpose", [rotated], OnnxAttribute.Ints("perm", 0, 2, 1, 3));
            var qkSplit = g.Node("Split", [qkHeads, headSplit], 2, [OnnxAttribute.Int("axis", 1)]);
            var v = g.Op("Transpose", [g.Op("Reshape", qkvParts[1], vShape)], OnnxAttribute.Ints("perm", 0, 2, 1, 3));

            var presentK = g.OpNamed($"present.{i}.key", "Concat", [$"past_key_values.{i}.key", qkSplit[1]], OnnxAttribute.Int("axis", 2));
            var presentV = g.OpNamed($"present.{i}.value", "Concat", [$"past_key_values.{i}.value", v], OnnxAttribute.Int("axis", 2));

            var qGrouped = g.Op("Reshape", qkSplit[0], groupShape);
            var kT = g.Op("Transpose", [presentK], OnnxAttribute.Ints("perm", 0, 1, 3, 2));
            var scores = g.Op("MatMul", qGrouped, kT);
            if (half)
                scores = g.Op("Cast", [scores], OnnxAttribute.Int("to", (int)OnnxType.Float));
            var probs = g.Op("Softmax", [g.Op("Add", scores, bias)], OnnxAttribute.Int("axis", -1));
            if (half)
                probs = g.Op("Cast", [probs], OnnxAttribute.Int("to", (int)OnnxType.Float16));
            var context = g.Op("Reshape", g.Op("MatMul", probs, presentV), headsShape);
            var merged = g.Op("Reshape", g.Op("Transpose", [context], OnnxAttribute.Ints("perm", 0, 2, 1, 3)), mergeShape);
            var attnOut = g.Op("MatMul", merged, w.Transposed(g, p + "self_attn.o_proj.weight_t", t, (p + "self_attn.o_proj.weight", 1f)));
            var hidden = g.Op("Add", x, attnOut);

            var hn = RmsNorm(hidden, w.Plain(g, p + "post_attention_layernorm.weight", t));
            var guW = w.Transposed(g, p + "mlp.gate_up_proj.weight_t", t, (p + "mlp.gate_proj.weight", 1f), (p + "mlp.up_proj.weight", 1f));
            var gu = g.Node("Split", [g.Op("MatMul", hn, guW), guSplit], 2, [OnnxAttribute.Int("axis", 2)]);
            var act = g.Op("Mul", g.Op("Mul", gu[0], g.Op("Sigmoid", gu[0])), gu[1]);
            var down = g.Op("MatMul", act, w.Transposed(g, p + "mlp.down_proj.weight_t", t, (p + "mlp.down_proj.weight", 1f)));
            x = g.Op("Add", hidden, down);
        }

        var final = RmsNorm(x, w.Plain(g, "model.norm.weight", t));
        var headSource = c.TieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight";
        var lmHead = w.Transposed(g, "lm_head.weight_t", t, (headSource, 1f));
        if (half)
            g.OpNamed("logits", "Cast", [g.Op("MatMul", final, lmHead)], OnnxAttribute.Int("to", (int)OnnxType.Float));
        else
            g.OpNamed("logits", "MatMul", [final, lmHead]);
        return g;
    }

    private static int Size(OnnxType t) => OnnxModelSummary.ElementSize(t);

    /// <summary>Rows of cos(pos·θ) or the signed sin table [-sin, +sin] (rotate-half folded in), in the compute dtype.</summary>
    private static void WriteRopeTable(Stream s, LlamaConfig c, bool cos, WeightDtype dtype)
    {
        var inv = c.RopeInverseFrequencies();
        var d = c.HeadDim;
        var rows = Math.Max(1, (1 << 20) / d);
        var buffer = new float[rows * d];
        for (var p0 = 0; p0 < c.MaxPositionEmbeddings; p0 += rows)
        {
            var n = Math.Min(rows, c.MaxPositionEmbeddings - p0);
            for (var r = 0; r < n; r++)
            {
                double pos = p0 + r;
                for (var k = 0; k < d / 2; k++)
                {
                    var angle = pos * inv[k];
                    if (cos)
                    {
                        buffer[r * d + k] = buffer[r * d + k + d / 2] = (float)Math.Cos(angle);
                    }
                    else
                    {
                        var sn = (float)Math.Sin(angle);
                        buffer[r * d + k] = -sn;
                        buffer[r * d + k + d / 2] = sn;
                    }
                }
            }
            WeightWriter.WriteFloats(s, buffer.AsSpan(0, n * d), dtype);
        }
    }

    /// <summary>Reads the checkpoint's tensors into initializers, converting dtype and transposing as the graph needs.</summary>
    private sealed class CheckpointWeights(SafetensorsCheckpoint ckpt, LlamaConfig config)
    {
        public void Validate()
        {
            foreach (var expected in SyntheticCheckpoint.Layout(config, WeightDtype.Fp32))
            {
                if (!ckpt.Contains(expected.Name))
                    throw new InputException(ckpt.Directory, null, expected.Name, "tensor missing from the checkpoint (config.json says it should be there)");
                var (_, actual) = ckpt.Get(expected.Name);
                if (!actual.Shape.SequenceEqual(expected.Shape))
                    throw new InputException(ckpt.Directory, null, expected.Name,
                        $"shape [{string.Join(", ", actual.Shape)}] does not match config.json's [{string.Join(", ", expected.Shape)}]");
            }
        }

        /// <summary>A tensor copied as is (converted to the compute dtype).</summary>
        public string Plain(OnnxGraph g, string name, OnnxType type)
        {
            var (file, tensor) = ckpt.Get(name);
            var dtype = type == OnnxType.Float16 ? WeightDtype.Fp16 : WeightDtype.Fp32;
            return g.Initializer(name, type, tensor.Shape, tensor.ElementCount * WeightDtypes.SizeOf(dtype),
                s => WeightWriter.WriteConverted(s, file, tensor, dtype));
        }

        /// <summary>
        /// The transposes of one or more [out_k, in] weights, concatenated along the output axis: [in, Σ out_k],
        /// each part multiplied by its scale.
        /// </summary>
        public string Transposed(OnnxGraph g, string name, OnnxType type, params (string Source, float Scale)[] parts)
        {
            var sources = parts.Select(p => (ckpt.Get(p.Source), p.Scale)).Select(p => (p.Item1.File, p.Item1.Tensor, p.Scale)).ToArray();
            var inDim = sources[0].Tensor.Shape[1];
            var outDim = sources.Sum(p => p.Tensor.Shape[0]);
            var dtype = type == OnnxType.Float16 ? WeightDtype.Fp16 : WeightDtype.Fp32;
            return g.Initializer(name, type, [inDim, outDim], inDim * outDim * WeightDtypes.SizeOf(dtype),
                s => WeightWriter.WriteTransposed(s, sources, dtype));
        }
    }
}

/// <summary>Streams checkpoint tensors into an output stream in the compute dtype, in bounded memory.</summary>
internal static class WeightWriter
{
    private const int ChunkElements = 1 << 22;

    public static void WriteFloats(Stream s, ReadOnlySpan<float> values, WeightDtype dtype)
    {
        if (dtype == WeightDtype.Fp32)
        {
            s.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        var halves = new Half[values.Length];
        TensorPrimitives.ConvertToHalf(values, halves);
        s.Write(MemoryMarshal.AsBytes(halves.AsSpan()));
    }

    public static void WriteConverted(Stream s, SafetensorsFile file, SafetensorsTensor tensor, WeightDtype dtype)
    {
        var buffer = new float[(int)Math.Min(ChunkElements, Math.Max(1, tensor.ElementCount))];
        for (long e = 0; e < tensor.ElementCount; e += buffer.Length)
        {
            var n = (int)Math.Min(buffer.Length, tensor.ElementCount - e);
            if (tensor.Dtype == dtype)
            {
                var size = WeightDtypes.SizeOf(dtype);
                s.Write(file.RawBytes(tensor, e * size, n * size));
                continue;
            }
            file.ReadFloats(tensor, e, buffer.AsSpan(0, n));
            WriteFloats(s, buffer.AsSpan(0, n), dtype);
        }
    }

    /// <summary>Writes [in, Σ out_k] row by row, gathering blocks of input columns from each [out_k, in] source.</summary>
    public static void WriteTransposed(Stream s, (SafetensorsFile File, SafetensorsTensor Tensor, float Scale)[] parts, WeightDtype dtype)
    {
        var inDim = (int)parts[0].Tensor.Shape[1];
        var outDim = (int)parts.Sum(p => p.Tensor.Shape[0]);
        var blockRows = Math.Clamp(ChunkElements / outDim, 1, inDim);
        var block = new float[blockRows * outDim];
        var row = new float[blockRows];
        for (var i0 = 0; i0 < inDim; i0 += blockRows)
        {
            var rows = Math.Min(blockRows, inDim - i0);
            var column = 0;
            foreach (var (file, tensor, scale) in parts)
            {
                var outK = (int)tensor.Shape[0];
                for (var o = 0; o < outK; o++)
                {
                    var src = row.AsSpan(0, rows);
                    file.ReadFloats(tensor, (long)o * inDim + i0, src);
                    var dst = column + o;
                    for (var r = 0; r < rows; r++)
                        block[r * outDim + dst] = src[r] * scale;
                }
                column += outK;
            }
            WriteFloats(s, block.AsSpan(0, rows * outDim), dtype);
        }
    }

    internal static string Describe(long bytes) => (bytes / 1e6).ToString("F1", CultureInfo.InvariantCulture) + " MB";
}
