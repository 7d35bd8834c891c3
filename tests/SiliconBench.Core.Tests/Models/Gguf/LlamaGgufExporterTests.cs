using SiliconBench.Models;
using SiliconBench.Models.Gguf;
using Xunit;

namespace SiliconBench.Tests.Models.Gguf;

public sealed class LlamaGgufExporterTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sb-gguf-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    private (GgufFile File, string Checkpoint) Export(string dtype)
    {
        var checkpoint = SyntheticCheckpoint.GetOrCreate("tiny", dtype, 42, _dir, null);
        var path = Path.Combine(_dir, $"tiny-{dtype}.gguf");
        LlamaGgufExporter.Export(checkpoint, path, SyntheticVocabulary.Build(512), "tiny");
        return (GgufFile.Read(File.ReadAllBytes(path)), checkpoint);
    }

    [Theory]
    [InlineData("fp32", GgmlType.F32, 0u)]
    [InlineData("fp16", GgmlType.F16, 1u)]
    [InlineData("bf16", GgmlType.BF16, 32u)]
    public void The_llama_architecture_gets_its_hyperparameters_and_every_tensor_in_the_checkpoint_dtype(string dtype, GgmlType type, uint fileType)
    {
        var (file, _) = Export(dtype);
        var config = SyntheticPresets.Get("tiny", "t");

        Assert.Equal("llama", file.Metadata["general.architecture"]);
        Assert.Equal(fileType, file.Metadata["general.file_type"]);
        Assert.Equal((uint)config.HiddenSize, file.Metadata["llama.embedding_length"]);
        Assert.Equal((uint)config.NumHiddenLayers, file.Metadata["llama.block_count"]);
        Assert.Equal((uint)config.IntermediateSize, file.Metadata["llama.feed_forward_length"]);
        Assert.Equal((uint)config.NumAttentionHeads, file.Metadata["llama.attention.head_count"]);
        Assert.Equal((uint)config.NumKeyValueHeads, file.Metadata["llama.attention.head_count_kv"]);
        Assert.Equal((uint)config.HeadDim, file.Metadata["llama.rope.dimension_count"]);
        Assert.Equal((uint)config.MaxPositionEmbeddings, file.Metadata["llama.context_length"]);
        Assert.Equal((float)config.RopeTheta, file.Metadata["llama.rope.freq_base"]);
        Assert.Equal((float)config.RmsNormEps, file.Metadata["llama.attention.layer_norm_rms_epsilon"]);
        Assert.Equal(2 + (9 * config.NumHiddenLayers) + 1, file.Tensors.Count);
        // Matrices keep the dtype and list their dimensions innermost first; norms are f32 whatever the checkpoint.
        Assert.Equal([(long)config.HiddenSize, config.VocabSize], file.Tensor("token_embd.weight").Dimensions);
        Assert.Equal([(long)config.HiddenSize, config.NumKeyValueHeads * config.HeadDim], file.Tensor("blk.1.attn_k.weight").Dimensions);
        Assert.Equal([(long)config.IntermediateSize, config.HiddenSize], file.Tensor("blk.0.ffn_down.weight").Dimensions);
        Assert.Equal((uint)type, file.Tensor("output.weight").Type);
        Assert.Equal((uint)GgmlType.F32, file.Tensor("blk.0.attn_norm.weight").Type);
        Assert.Equal((uint)GgmlType.F32, file.Tensor("output_norm.weight").Type);
    }

    [Fact]
    public void Weights_are_the_checkpoints_bit_for_bit_with_query_and_key_rows_interleaved_per_head()
    {
        var (file, checkpoint) = Export("fp16");
        using var source = SafetensorsCheckpoint.Open(checkpoint);
        float[] Hf(string name)
        {
            var (f, t) = source.Get(name);
            var values = new float[t.ElementCount];
            f.ReadFloats(t, 0, values);
            return values;
        }
        var config = SyntheticPresets.Get("tiny", "t");
        int h = config.HiddenSize, d = config.HeadDim;

        Assert.Equal(Hf("model.layers.0.self_attn.v_proj.weight"), file.Floats("blk.0.attn_v.weight"));
        Assert.Equal(Hf("model.embed_tokens.weight"), file.Floats("token_embd.weight"));
        var hfQ = Hf("model.layers.1.self_attn.q_proj.weight");
        var q = file.Floats("blk.1.attn_q.weight");
        Assert.NotEqual(hfQ, q);
        // Head 2: llama.cpp's row 2i is Hugging Face's row i, row 2i+1 is row i + d/2.
        for (var i = 0; i < d / 2; i++)
        {
            Assert.Equal(hfQ.AsSpan(((2 * d) + i) * h, h).ToArray(), q.AsSpan(((2 * d) + (2 * i)) * h, h).ToArray());
            Assert.Equal(hfQ.AsSpan(((2 * d) + i + (d / 2)) * h, h).ToArray(), q.AsSpan(((2 * d) + (2 * i) + 1) * h, h).ToArray());
        }
        Assert.Equal(hfQ.Order(), q.Order());
    }

    [Fact]
    public void The_tokenizer_is_a_sentencepiece_vocabulary_of_exactly_the_models_size()
    {
        var (file, _) = Export("fp32");

        Assert.Equal("llama", file.Metadata["tokenizer.ggml.model"]);
        var tokens = ((List<object>)file.Metadata["tokenizer.ggml.tokens"]).Cast<string>().ToList();
        Assert.Equal(512, tokens.Count);
        Assert.Equal(512, ((List<object>)file.Metadata["tokenizer.ggml.scores"]).Count);
        Assert.Equal(512, ((List<object>)file.Metadata["tokenizer.ggml.token_type"]).Count);
        Assert.Equal("</s>", tokens[(int)(uint)file.Metadata["tokenizer.ggml.eos_token_id"]]);
        Assert.Contains("\u2581the", tokens);
        // No BOS: a prompt is exactly its tokens.
        Assert.Equal(false, file.Metadata["tokenizer.ggml.add_bos_token"]);
        Assert.Contains("<|assistant|>", (string)file.Metadata["tokenizer.chat_template"], StringComparison.Ordinal);
    }

    [Fact]
    public void Source_rows_interleave_the_two_halves_of_each_head()
    {
        Assert.Equal([0, 2, 1, 3, 4, 6, 5, 7], Enumerable.Range(0, 8).Select(r => LlamaGgufExporter.SourceRow(r, 4)));
    }

    [Fact]
    public void Llama3_rope_scaling_leaves_high_frequencies_and_divides_low_ones_by_the_factor()
    {
        var factors = LlamaGgufExporter.RopeFrequencyFactors(128, 500000, new Llama3RopeScaling(8, 1, 4, 8192));

        Assert.Equal(64, factors.Length);
        Assert.Equal(1f, factors[0]);
        Assert.Equal(8f, factors[^1]);
        // In between the divisor rises smoothly from 1 to the factor.
        Assert.Equal(factors.Order(), factors);
        Assert.Contains(factors, f => f is > 1 and < 8);
    }
}
