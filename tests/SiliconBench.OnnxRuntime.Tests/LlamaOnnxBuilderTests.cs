using SiliconBench.Models;
using SiliconBench.OnnxRuntime;
using SiliconBench.OnnxRuntime.Onnx;
using Xunit;

namespace SiliconBench.Tests.OnnxRuntime;

/// <summary>The ONNX writer and the Llama graph builder: layout, external data, caching, and the GEMM probe.</summary>
public sealed class LlamaOnnxBuilderTests(TempCache cache) : IClassFixture<TempCache>
{
    [Fact]
    public void The_built_graph_carries_transposed_fused_weights_and_its_config()
    {
        var checkpoint = SyntheticCheckpoint.GetOrCreate("tiny", "bf16", 1, cache.Directory, null);
        var onnx = LlamaOnnxBuilder.GetOrBuild(checkpoint, "fp32", cache.Directory, null);
        var summary = OnnxModelReader.Read(onnx);
        var c = SyntheticPresets.Get("tiny", "test");
        var byName = summary.Initializers.ToDictionary(i => i.Name, i => i.Dims);
        Assert.Equal([c.HiddenSize, (c.NumAttentionHeads + 2 * c.NumKeyValueHeads) * c.HeadDim], byName["model.layers.0.self_attn.qkv_proj.weight_t"]);
        Assert.Equal([c.HiddenSize, 2 * c.IntermediateSize], byName["model.layers.1.mlp.gate_up_proj.weight_t"]);
        Assert.Equal([c.HiddenSize, c.VocabSize], byName["lm_head.weight_t"]);
        Assert.Equal([c.MaxPositionEmbeddings, c.HeadDim], byName["rope.cos"]);
        Assert.Equal("bf16", summary.Metadata[LlamaOnnxBuilder.CheckpointDtypeMetadataKey]);
        Assert.Equal("synthetic (seed 1)", summary.Metadata[LlamaOnnxBuilder.WeightsMetadataKey]);
        Assert.Equal(c with { TorchDtype = WeightDtype.Bf16 },
            LlamaConfig.Parse(System.Text.Encoding.UTF8.GetBytes(summary.Metadata[LlamaOnnxBuilder.ConfigMetadataKey]), "meta"));
    }

    [Fact]
    public void The_graph_is_cached_by_checkpoint_content_and_dtype()
    {
        var checkpoint = SyntheticCheckpoint.GetOrCreate("tiny", "fp32", 3, cache.Directory, null);
        var first = LlamaOnnxBuilder.GetOrBuild(checkpoint, "fp32", cache.Directory, null);
        var written = File.GetLastWriteTimeUtc(first);
        Assert.Equal(first, LlamaOnnxBuilder.GetOrBuild(checkpoint, "fp32", cache.Directory, null));
        Assert.Equal(written, File.GetLastWriteTimeUtc(first));
        Assert.NotEqual(first, LlamaOnnxBuilder.GetOrBuild(checkpoint, "fp16", cache.Directory, null));
        var other = SyntheticCheckpoint.GetOrCreate("tiny", "fp32", 4, cache.Directory, null);
        Assert.NotEqual(first, LlamaOnnxBuilder.GetOrBuild(other, "fp32", cache.Directory, null));
        Assert.Empty(Directory.GetDirectories(Path.Combine(cache.Directory, "onnx"), "*.tmp-*"));
    }

    [Fact]
    public void Large_weights_go_to_an_external_data_file_that_runs_the_same()
    {
        var checkpoint = SyntheticCheckpoint.GetOrCreate("tiny", "fp32", 42, cache.Directory, null);
        var inline = LlamaOnnxBuilder.GetOrBuild(checkpoint, "fp32", Path.Combine(cache.Directory, "inline"), null);
        var external = LlamaOnnxBuilder.GetOrBuild(checkpoint, "fp32", Path.Combine(cache.Directory, "external"), null, externalThreshold: 0);
        Assert.False(File.Exists(inline + ".data"));
        Assert.True(File.Exists(external + ".data"));
        Assert.True(new FileInfo(external).Length < 64 * 1024, "weights should live in the data file");

        int[][] prompts = [[5, 6, 7], [9]];
        using var a = new OnnxRuntimeEngineFactory().Create(new() { ModelSpec = inline, CacheDirectory = cache.Directory });
        using var b = new OnnxRuntimeEngineFactory().Create(new() { ModelSpec = external, CacheDirectory = cache.Directory });
        Assert.Equal(a.Prefill(prompts).Tokens, b.Prefill(prompts).Tokens);
        Assert.Equal(a.Decode().Tokens, b.Decode().Tokens);
    }

    [Fact]
    public void A_checkpoint_missing_a_tensor_is_refused_naming_it()
    {
        var good = SyntheticCheckpoint.GetOrCreate("tiny", "fp32", 42, cache.Directory, null);
        var broken = Path.Combine(cache.Directory, "broken");
        Directory.CreateDirectory(broken);
        File.Copy(Path.Combine(good, "config.json"), Path.Combine(broken, "config.json"), overwrite: true);
        using (var src = SafetensorsFile.Open(Path.Combine(good, "model.safetensors")))
        {
            var kept = src.Tensors.Where(t => t.Name != "model.layers.1.mlp.up_proj.weight").Select(t => t with { DataBegin = 0 }).ToList();
            using var w = new SafetensorsWriter(Path.Combine(broken, "model.safetensors"), kept);
            foreach (var t in kept)
                w.WriteFloats(src.ReadFloats(t.Name));
            w.Complete();
        }
        var e = Assert.Throws<SiliconBench.Diagnostics.InputException>(() => LlamaOnnxBuilder.GetOrBuild(broken, "fp32", cache.Directory, null));
        Assert.Equal("model.layers.1.mlp.up_proj.weight", e.Field);
    }

    [Fact]
    public void The_gemm_probe_measures_a_positive_rate()
    {
        var probe = new OnnxGemmProbe("cpu", n: 256, repetitions: 3);
        var gflops = probe.MeasureGflops(TestContext.Current.CancellationToken);
        Assert.True(gflops > 0.1, $"{gflops} GFLOP/s");
        Assert.Equal("onnxruntime cpu fp32", probe.Device);
        Assert.Contains("MatMul 256x256x256", probe.Method);
    }
}
