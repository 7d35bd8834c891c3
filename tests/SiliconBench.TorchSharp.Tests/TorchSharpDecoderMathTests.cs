using SiliconBench.Diagnostics;
using SiliconBench.Models;
using SiliconBench.Tests.OnnxRuntime;
using SiliconBench.TorchSharp;
using Xunit;

namespace SiliconBench.Tests.TorchSharp;

/// <summary>The decoder's bookkeeping that needs no libtorch: tensor names, GQA folding, masks, RoPE, padding, cache size.</summary>
public sealed class TorchSharpDecoderMathTests(TempCache cache) : IClassFixture<TempCache>
{
    private static readonly LlamaConfig Tiny = SyntheticPresets.Get("tiny", "test");

    [Fact]
    public void A_synthetic_checkpoint_has_every_tensor_the_decoder_reads()
    {
        var dir = SyntheticCheckpoint.GetOrCreate("tiny", "fp32", 42, cache.Directory, null);
        using var checkpoint = SafetensorsCheckpoint.Open(dir);
        var shapes = checkpoint.TensorNames.ToDictionary(n => n, n => checkpoint.Get(n).Tensor.Shape);
        LlamaTensorMap.Validate(Tiny, shapes, dir);
        var names = LlamaTensorMap.Layer(1);
        Assert.Equal("model.layers.1.self_attn.k_proj.weight", names.KProj);
        Assert.Equal([Tiny.NumKeyValueHeads * Tiny.HeadDim, Tiny.HiddenSize], shapes[names.KProj]);
        Assert.Equal(LlamaTensorMap.LmHead, LlamaTensorMap.LmHeadSource(Tiny));
        Assert.Equal(LlamaTensorMap.Embedding, LlamaTensorMap.LmHeadSource(Tiny with { TieWordEmbeddings = true }));
    }

    [Fact]
    public void A_missing_or_misshapen_tensor_is_named()
    {
        var shapes = LlamaTensorMap.Expected(Tiny).ToDictionary(t => t.Name, t => t.Shape);
        shapes.Remove(LlamaTensorMap.LmHead);
        var missing = Assert.Throws<InputException>(() => LlamaTensorMap.Validate(Tiny, shapes, "/ckpt"));
        Assert.Equal(LlamaTensorMap.LmHead, missing.Field);
        Assert.Contains("tie_word_embeddings", missing.Message);
        LlamaTensorMap.Validate(Tiny with { TieWordEmbeddings = true }, shapes, "/ckpt");

        shapes[LlamaTensorMap.LmHead] = [Tiny.VocabSize, Tiny.HiddenSize];
        shapes[LlamaTensorMap.Layer(0).QProj] = [Tiny.HiddenSize, Tiny.HiddenSize + 1];
        var misshapen = Assert.Throws<InputException>(() => LlamaTensorMap.Validate(Tiny, shapes, "/ckpt"));
        Assert.Equal(LlamaTensorMap.Layer(0).QProj, misshapen.Field);
        Assert.Contains("[64, 65]", misshapen.Message);
    }

    [Fact]
    public void Folding_query_groups_is_a_reshape_that_pairs_each_query_head_with_its_kv_head()
    {
        // Row-major offsets: the folded view [B, KvH, G*T, D] and the per-head view [B, H, T, D] name the same element
        // exactly when head = kv * G + g, which is Hugging Face's repeat_kv pairing.
        var layout = new AttentionLayout(Heads: 8, KvHeads: 2, HeadDim: 3);
        const int b = 2, t = 5;
        var folded = layout.FoldedQueryShape(b, t);
        Assert.Equal([b, 2, 4 * t, 3], folded);
        for (var bi = 0; bi < b; bi++)
            for (var kv = 0; kv < 2; kv++)
                for (var g = 0; g < layout.Groups; g++)
                    for (var ti = 0; ti < t; ti++)
                    {
                        var head = kv * layout.Groups + g;
                        var perHead = (((bi * 8L) + head) * t + ti) * 3;
                        var foldedOffset = (((bi * 2L) + kv) * (layout.Groups * t) + (g * t) + ti) * 3;
                        Assert.Equal(perHead, foldedOffset);
                    }
    }

    [Fact]
    public void The_mask_is_causal_skips_left_padding_and_never_leaves_a_row_empty()
    {
        var layout = new AttentionLayout(4, 2, 16);
        int[] pads = [0, 2];
        const int steps = 4;
        var mask = layout.FoldedMask(pads, 0, steps, steps);
        Assert.Equal(2 * 2 * steps * steps, mask.Length);
        bool At(int b, int g, int t, int j) => mask[(((b * 2 + g) * steps + t) * steps) + j];
        for (var g = 0; g < 2; g++)
        {
            for (var t = 0; t < steps; t++)
            {
                for (var j = 0; j < steps; j++)
                {
                    Assert.Equal(j <= t, At(0, g, t, j));
                    var expectedPadded = t < 2 ? j == t : j >= 2 && j <= t;
                    Assert.Equal(expectedPadded, At(1, g, t, j));
                }
            }
        }

        // A decode step at slot 4 over keys 0..4.
        var decode = layout.FoldedMask(pads, 4, 1, 5);
        Assert.Equal([true, true, true, true, true, false, false, true, true, true], decode[..5].Concat(decode[10..15]));
    }

    [Fact]
    public void Rope_tables_hold_cos_and_sin_of_position_times_inverse_frequency()
    {
        var (cos, sin) = RopeTable.Build(Tiny, 3);
        var half = Tiny.HeadDim / 2;
        Assert.Equal(3 * half, cos.Length);
        Assert.All(cos[..half], c => Assert.Equal(1f, c));
        Assert.All(sin[..half], s => Assert.Equal(0f, s));
        var inv = Tiny.RopeInverseFrequencies();
        Assert.Equal((float)Math.Cos(2 * inv[3]), cos[(2 * half) + 3]);
        Assert.Equal((float)Math.Sin(2 * inv[5]), sin[(2 * half) + 5]);
    }

    [Fact]
    public void Rope_tables_apply_llama3_frequency_scaling()
    {
        var scaled = SyntheticPresets.Get("llama-3.2-1b", "test");
        var unscaled = scaled with { RopeScaling = null };
        const int positions = 8192;
        var (cosScaled, _) = RopeTable.Build(scaled, positions);
        var (cosPlain, _) = RopeTable.Build(unscaled, positions);
        var half = scaled.HeadDim / 2;
        var last = (positions - 1) * half;
        // High frequencies are kept, the lowest are divided by the factor.
        Assert.Equal(cosPlain[last], cosScaled[last]);
        Assert.NotEqual(cosPlain[last + half - 1], cosScaled[last + half - 1]);
        Assert.Equal((float)Math.Cos((positions - 1) * scaled.RopeInverseFrequencies()[half - 1]), cosScaled[last + half - 1]);
        Assert.Equal((float)Math.Cos((positions - 1) * unscaled.RopeInverseFrequencies()[half - 1] / 32), cosScaled[last + half - 1], 1e-6f);
    }

    [Fact]
    public void Prompts_are_left_padded_with_positions_counted_from_each_prompts_start()
    {
        var batch = PaddedBatch.Create([[5, 6, 7], [9]], vocab: 16);
        Assert.Equal((2, 3), (batch.Batch, batch.Longest));
        Assert.Equal([0, 2], batch.Pads);
        Assert.Equal([3, 1], batch.Lengths);
        Assert.Equal([5L, 6, 7, 0, 0, 9], batch.Ids);
        Assert.Equal([0L, 1, 2, 0, 0, 0], batch.Positions);
    }

    [Fact]
    public void Bad_batches_are_refused()
    {
        Assert.Throws<ArgumentException>(() => PaddedBatch.Create([], 16));
        Assert.Throws<ArgumentException>(() => PaddedBatch.Create([[1], []], 16));
        var e = Assert.Throws<ArgumentException>(() => PaddedBatch.Create([[1, 16]], 16));
        Assert.Contains("outside the vocabulary", e.Message);
    }

    [Fact]
    public void The_kv_cache_is_sized_for_the_prompt_plus_the_reserve_and_doubles_within_the_context()
    {
        Assert.Equal(612, KvCachePlan.InitialCapacity(100, 512, 4096));
        Assert.Equal(1024, KvCachePlan.InitialCapacity(1000, 512, 1024));
        Assert.Equal(612, KvCachePlan.GrownCapacity(612, 600, 4096));
        Assert.Equal(1224, KvCachePlan.GrownCapacity(612, 613, 4096));
        Assert.Equal(1000, KvCachePlan.GrownCapacity(612, 613, 1000));
        var e = Assert.Throws<InvalidOperationException>(() => KvCachePlan.GrownCapacity(1000, 1001, 1000));
        Assert.Contains("max_position_embeddings (1000)", e.Message);
        Assert.Throws<InvalidOperationException>(() => KvCachePlan.InitialCapacity(1001, 1, 1000));
    }
}
