using System.Runtime.InteropServices;

namespace SiliconBench.Models.Gguf;

/// <summary>
/// Writes a Hugging Face Llama checkpoint (config.json + safetensors) as a GGUF file of llama.cpp's <c>llama</c>
/// architecture, weights in the checkpoint's own dtype (f32, f16 or bf16; norm weights always f32, as llama.cpp's
/// CPU kernels expect), with a tokenizer llama.cpp accepts. The numbers are the checkpoint's, bit for bit, so
/// llama.cpp serves the same model as the in-process engines.
/// </summary>
/// <remarks>
/// Two layout facts of the format: a tensor's dimensions are listed innermost first, so a row-major
/// <c>[out, in]</c> weight is <c>[in, out]</c>; and llama.cpp rotates adjacent pairs (2i, 2i+1) of each head where
/// Hugging Face rotates halves (i, i + d/2), so the rows of every head of the query and key projections are
/// interleaved: row 2i takes row i, row 2i+1 takes row i + d/2. Llama 3 RoPE scaling becomes the
/// <c>rope_freqs.weight</c> tensor of per-frequency divisors.
/// </remarks>
public static class LlamaGgufExporter
{
    public const string FileName = "model.gguf";

    /// <summary>Writes <paramref name="outputPath"/> from the checkpoint in <paramref name="checkpointDirectory"/>, atomically.</summary>
    public static void Export(string checkpointDirectory, string outputPath, SyntheticVocabulary vocabulary, string name)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        var config = LlamaConfig.Load(checkpointDirectory);
        if (vocabulary.Tokens.Count != config.VocabSize)
            throw new ArgumentException($"the tokenizer has {vocabulary.Tokens.Count} tokens, the model {config.VocabSize}", nameof(vocabulary));
        using var checkpoint = SafetensorsCheckpoint.Open(checkpointDirectory);
        var writer = Build(config, checkpoint, vocabulary, name);
        var temp = $"{outputPath}.tmp-{Environment.ProcessId}";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
                writer.WriteTo(stream);
            File.Move(temp, outputPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
                File.Delete(temp);
        }
    }

    /// <summary>The GGUF contents: metadata, then tensors in the checkpoint's layer order.</summary>
    public static GgufWriter Build(LlamaConfig config, SafetensorsCheckpoint checkpoint, SyntheticVocabulary vocabulary, string name)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(vocabulary);
        var dtype = checkpoint.Dtype;
        var writer = new GgufWriter()
            .Add("general.architecture", "llama")
            .Add("general.name", name)
            .Add("general.file_type", dtype switch { WeightDtype.Fp32 => 0u, WeightDtype.Fp16 => 1u, _ => 32u })
            .Add("llama.vocab_size", (uint)config.VocabSize)
            .Add("llama.context_length", (uint)config.MaxPositionEmbeddings)
            .Add("llama.embedding_length", (uint)config.HiddenSize)
            .Add("llama.block_count", (uint)config.NumHiddenLayers)
            .Add("llama.feed_forward_length", (uint)config.IntermediateSize)
            .Add("llama.attention.head_count", (uint)config.NumAttentionHeads)
            .Add("llama.attention.head_count_kv", (uint)config.NumKeyValueHeads)
            .Add("llama.attention.key_length", (uint)config.HeadDim)
            .Add("llama.attention.value_length", (uint)config.HeadDim)
            .Add("llama.attention.layer_norm_rms_epsilon", (float)config.RmsNormEps)
            .Add("llama.rope.dimension_count", (uint)config.HeadDim)
            .Add("llama.rope.freq_base", (float)config.RopeTheta)
            .Add("tokenizer.ggml.model", "llama")
            .Add("tokenizer.ggml.tokens", vocabulary.Tokens)
            .Add("tokenizer.ggml.scores", vocabulary.Scores)
            .Add("tokenizer.ggml.token_type", [.. vocabulary.Kinds.Select(k => (int)k)])
            .Add("tokenizer.ggml.unknown_token_id", (uint)vocabulary.UnknownId)
            // Never added (add_bos_token false); named because a SentencePiece vocabulary must name one.
            .Add("tokenizer.ggml.bos_token_id", (uint)vocabulary.EndId)
            .Add("tokenizer.ggml.eos_token_id", (uint)vocabulary.EndId)
            .Add("tokenizer.ggml.add_bos_token", false)
            .Add("tokenizer.ggml.add_eos_token", false)
            .Add("tokenizer.chat_template", SyntheticVocabulary.ChatTemplate);

        writer.AddTensor(Matrix(checkpoint, "model.embed_tokens.weight", "token_embd.weight", null));
        if (config.RopeScaling is { } scaling)
        {
            var factors = RopeFrequencyFactors(config.HeadDim, config.RopeTheta, scaling);
            writer.AddTensor(new GgufTensor("rope_freqs.weight", [factors.Length], GgmlType.F32, s => s.Write(MemoryMarshal.AsBytes(factors.AsSpan()))));
        }
        for (var i = 0; i < config.NumHiddenLayers; i++)
        {
            var hf = $"model.layers.{i}.";
            var blk = $"blk.{i}.";
            writer.AddTensor(Vector(checkpoint, hf + "input_layernorm.weight", blk + "attn_norm.weight"));
            writer.AddTensor(Matrix(checkpoint, hf + "self_attn.q_proj.weight", blk + "attn_q.weight", config.HeadDim));
            writer.AddTensor(Matrix(checkpoint, hf + "self_attn.k_proj.weight", blk + "attn_k.weight", config.HeadDim));
            writer.AddTensor(Matrix(checkpoint, hf + "self_attn.v_proj.weight", blk + "attn_v.weight", null));
            writer.AddTensor(Matrix(checkpoint, hf + "self_attn.o_proj.weight", blk + "attn_output.weight", null));
            writer.AddTensor(Vector(checkpoint, hf + "post_attention_layernorm.weight", blk + "ffn_norm.weight"));
            writer.AddTensor(Matrix(checkpoint, hf + "mlp.gate_proj.weight", blk + "ffn_gate.weight", null));
            writer.AddTensor(Matrix(checkpoint, hf + "mlp.up_proj.weight", blk + "ffn_up.weight", null));
            writer.AddTensor(Matrix(checkpoint, hf + "mlp.down_proj.weight", blk + "ffn_down.weight", null));
        }
        writer.AddTensor(Vector(checkpoint, "model.norm.weight", "output_norm.weight"));
        // Tied embeddings: no output.weight, and llama.cpp uses token_embd as the LM head.
        if (!config.TieWordEmbeddings)
            writer.AddTensor(Matrix(checkpoint, "lm_head.weight", "output.weight", null));
        return writer;
    }

    /// <summary>Row index in the Hugging Face layout of row <paramref name="row"/> in llama.cpp's (pairs interleaved per head).</summary>
    public static int SourceRow(int row, int headDim)
    {
        var (head, r) = Math.DivRem(row, headDim);
        return (head * headDim) + ((r % 2) * (headDim / 2)) + (r / 2);
    }

    /// <summary>Llama 3 RoPE scaling as divisors of the base frequencies (one per rotated pair), as Hugging Face computes the scaled ones.</summary>
    public static float[] RopeFrequencyFactors(int headDim, double theta, Llama3RopeScaling scaling)
    {
        ArgumentNullException.ThrowIfNull(scaling);
        var lowWavelength = scaling.OriginalMaxPositionEmbeddings / scaling.LowFreqFactor;
        var highWavelength = scaling.OriginalMaxPositionEmbeddings / scaling.HighFreqFactor;
        var factors = new float[headDim / 2];
        for (var i = 0; i < factors.Length; i++)
        {
            var frequency = 1.0 / Math.Pow(theta, 2.0 * i / headDim);
            var wavelength = 2 * Math.PI / frequency;
            double factor;
            if (wavelength < highWavelength)
                factor = 1;
            else if (wavelength > lowWavelength)
                factor = scaling.Factor;
            else
            {
                var smooth = ((scaling.OriginalMaxPositionEmbeddings / wavelength) - scaling.LowFreqFactor) / (scaling.HighFreqFactor - scaling.LowFreqFactor);
                factor = 1 / (((1 - smooth) / scaling.Factor) + smooth);
            }
            factors[i] = (float)factor;
        }
        return factors;
    }

    private static GgufTensor Matrix(SafetensorsCheckpoint checkpoint, string source, string name, int? interleaveHeadDim)
    {
        var (file, tensor) = checkpoint.Get(source);
        if (tensor.Shape.Length != 2)
            throw new InvalidDataException($"{source}: expected 2 dimensions, found {tensor.Shape.Length}");
        long rows = tensor.Shape[0], columns = tensor.Shape[1];
        var rowBytes = checked((int)(columns * WeightDtypes.SizeOf(tensor.Dtype)));
        return new GgufTensor(name, [columns, rows], TypeOf(tensor.Dtype), stream =>
        {
            if (interleaveHeadDim is not { } headDim)
            {
                // Same layout: copy in blocks of whole rows.
                var rowsPerBlock = Math.Max(1, (1 << 22) / rowBytes);
                for (long r = 0; r < rows; r += rowsPerBlock)
                {
                    var n = (int)Math.Min(rowsPerBlock, rows - r);
                    stream.Write(file.RawBytes(tensor, r * rowBytes, n * rowBytes));
                }
                return;
            }
            if (rows % headDim != 0 || headDim % 2 != 0)
                throw new InvalidDataException($"{source}: {rows} rows are not whole heads of {headDim}");
            for (var r = 0; r < rows; r++)
                stream.Write(file.RawBytes(tensor, (long)SourceRow(r, headDim) * rowBytes, rowBytes));
        });
    }

    private static GgufTensor Vector(SafetensorsCheckpoint checkpoint, string source, string name)
    {
        var (file, tensor) = checkpoint.Get(source);
        if (tensor.Shape.Length != 1)
            throw new InvalidDataException($"{source}: expected 1 dimension, found {tensor.Shape.Length}");
        return new GgufTensor(name, [tensor.Shape[0]], GgmlType.F32, stream =>
        {
            var values = new float[tensor.ElementCount];
            file.ReadFloats(tensor, 0, values);
            stream.Write(MemoryMarshal.AsBytes(values.AsSpan()));
        });
    }

    private static GgmlType TypeOf(WeightDtype dtype) => dtype switch
    {
        WeightDtype.Fp32 => GgmlType.F32,
        WeightDtype.Fp16 => GgmlType.F16,
        _ => GgmlType.BF16,
    };
}
