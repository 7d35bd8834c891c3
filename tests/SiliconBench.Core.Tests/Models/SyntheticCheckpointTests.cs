using SiliconBench.Diagnostics;
using SiliconBench.Models;
using Xunit;

namespace SiliconBench.Tests.Models;

public sealed class SyntheticCheckpointTests : IDisposable
{
    private readonly string _cache = Path.Combine(Path.GetTempPath(), "sb-syn-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_cache))
            Directory.Delete(_cache, recursive: true);
    }

    [Fact]
    public void A_checkpoint_has_the_hugging_face_layout_config_and_origin()
    {
        var lines = new List<string>();
        var dir = SyntheticCheckpoint.GetOrCreate("tiny", "bf16", 42, _cache, lines.Add);
        Assert.Contains(lines, l => l.Contains("materializing synthetic checkpoint tiny"));
        var config = LlamaConfig.Load(dir);
        Assert.Equal(SyntheticPresets.Get("tiny", "t") with { TorchDtype = WeightDtype.Bf16 }, config);

        using var ckpt = SafetensorsCheckpoint.Open(dir);
        Assert.Equal(WeightDtype.Bf16, ckpt.Dtype);
        Assert.Equal("tiny", ckpt.Metadata[SyntheticCheckpoint.PresetMetadataKey]);
        Assert.Equal("42", ckpt.Metadata[SyntheticCheckpoint.SeedMetadataKey]);
        string[] expected =
        [
            "model.embed_tokens.weight", "model.norm.weight", "lm_head.weight",
            "model.layers.1.input_layernorm.weight", "model.layers.1.post_attention_layernorm.weight",
            "model.layers.1.self_attn.q_proj.weight", "model.layers.1.self_attn.k_proj.weight",
            "model.layers.1.self_attn.v_proj.weight", "model.layers.1.self_attn.o_proj.weight",
            "model.layers.1.mlp.gate_proj.weight", "model.layers.1.mlp.up_proj.weight", "model.layers.1.mlp.down_proj.weight",
        ];
        foreach (var name in expected)
            Assert.True(ckpt.Contains(name), name);
        Assert.Equal(2 + 9 * config.NumHiddenLayers + 1, ckpt.TensorNames.Count());
        Assert.Equal([config.NumKeyValueHeads * config.HeadDim, config.HiddenSize], ckpt.Get("model.layers.0.self_attn.k_proj.weight").Tensor.Shape);
        Assert.Equal(config.Parameters, ckpt.TensorNames.Sum(n => ckpt.Get(n).Tensor.ElementCount));
    }

    [Fact]
    public void Weights_are_finite_unit_scale_per_fan_in_and_norms_are_one()
    {
        var dir = SyntheticCheckpoint.GetOrCreate("tiny", "fp32", 42, _cache, null);
        using var f = SafetensorsFile.Open(Path.Combine(dir, SyntheticCheckpoint.WeightsFileName));
        var q = f.ReadFloats("model.layers.0.self_attn.q_proj.weight");
        Assert.All(q, v => Assert.True(float.IsFinite(v)));
        var std = Math.Sqrt(q.Average(v => (double)v * v));
        Assert.InRange(std * Math.Sqrt(64), 0.9, 1.1);
        Assert.All(f.ReadFloats("model.norm.weight"), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void The_same_seed_gives_the_same_bytes_and_is_cached()
    {
        var a = SyntheticCheckpoint.GetOrCreate("tiny", "fp16", 5, _cache, null);
        var written = File.GetLastWriteTimeUtc(Path.Combine(a, "model.safetensors"));
        var lines = new List<string>();
        Assert.Equal(a, SyntheticCheckpoint.GetOrCreate("tiny", "fp16", 5, _cache, lines.Add));
        Assert.Empty(lines);
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(a, "model.safetensors")));

        var other = Path.Combine(_cache, "other");
        var b = SyntheticCheckpoint.GetOrCreate("tiny", "fp16", 5, other, null);
        Assert.Equal(File.ReadAllBytes(Path.Combine(a, "model.safetensors")), File.ReadAllBytes(Path.Combine(b, "model.safetensors")));

        var c = SyntheticCheckpoint.GetOrCreate("tiny", "fp16", 6, _cache, null);
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(a, "model.safetensors")), File.ReadAllBytes(Path.Combine(c, "model.safetensors")));
        Assert.Empty(Directory.GetDirectories(Path.Combine(_cache, "checkpoints"), "*.tmp-*"));
    }

    [Fact]
    public void Unknown_presets_and_dtypes_are_input_errors()
    {
        Assert.Contains("presets: tiny, small", Assert.Throws<InputException>(() => SyntheticCheckpoint.GetOrCreate("medium", "fp32", 1, _cache, null)).Message);
        Assert.Equal("checkpoint_dtype", Assert.Throws<InputException>(() => SyntheticCheckpoint.GetOrCreate("tiny", "int8", 1, _cache, null)).Field);
    }
}
