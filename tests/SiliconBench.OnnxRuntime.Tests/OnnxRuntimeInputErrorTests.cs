using SiliconBench.Diagnostics;
using SiliconBench.Engines;
using SiliconBench.OnnxRuntime;
using SiliconBench.OnnxRuntime.Onnx;
using Xunit;

namespace SiliconBench.Tests.OnnxRuntime;

/// <summary>What a user gets wrong — model path, device, options, a model in another layout — and the one-line answers.</summary>
public sealed class OnnxRuntimeInputErrorTests(TempCache cache) : IClassFixture<TempCache>
{
    private readonly OnnxRuntimeEngineFactory _factory = new();

    private InputException Refused(string model, string device = "cpu", Dictionary<string, string>? options = null) =>
        Assert.Throws<InputException>(() => _factory.Create(new EngineRequest
        {
            ModelSpec = model,
            Device = device,
            CacheDirectory = cache.Directory,
            Options = options ?? [],
        }));

    [Fact]
    public void A_missing_model_file_is_named_under_the_model_option()
    {
        var path = Path.Combine(cache.Directory, "nowhere", "model.onnx");
        var e = Refused(path);
        Assert.Equal("--model", e.Field);
        Assert.Contains($"no such file or directory '{path}'", e.Message);
    }

    [Fact]
    public void An_unknown_preset_lists_the_presets()
    {
        var e = Refused("synthetic:huge");
        Assert.Equal("--model", e.Field);
        Assert.Contains("unknown synthetic preset 'huge'; presets: tiny, small, llama-3.2-1b, llama-3.1-8b, llama-3.1-70b", e.Message);
    }

    [Fact]
    public void An_unknown_device_lists_what_the_library_has()
    {
        var e = Refused("synthetic:tiny", device: "tpu");
        Assert.Equal("--device", e.Field);
        Assert.Contains("unknown device 'tpu'", e.Message);
        Assert.Contains("this build has: cpu", e.Message);
    }

    [Fact]
    public void A_device_whose_provider_the_library_lacks_is_refused_listing_what_it_has()
    {
        if (OnnxDevices.AvailableProviders().Contains("CUDAExecutionProvider"))
            Assert.Skip("this ONNX Runtime build has CUDA");
        var e = Refused("synthetic:tiny", device: "cuda:0");
        Assert.Equal("--device", e.Field);
        Assert.Contains("CUDAExecutionProvider", e.Message);
        Assert.Contains("this build has: cpu (CPUExecutionProvider", e.Message);
    }

    [Fact]
    public void A_malformed_device_index_is_refused()
    {
        var e = Refused("synthetic:tiny", device: "cpu:x");
        Assert.Equal("--device", e.Field);
    }

    [Fact]
    public void Unknown_and_bad_options_are_named()
    {
        Assert.Contains("unknown onnxruntime option 'thread'", Refused("synthetic:tiny", options: new() { ["thread"] = "2" }).Message);
        Assert.Equal("threads", Refused("synthetic:tiny", options: new() { ["threads"] = "0" }).Field);
        Assert.Equal("checkpoint_dtype", Refused("synthetic:tiny", options: new() { ["checkpoint_dtype"] = "int8" }).Field);
    }

    [Fact]
    public void A_model_without_the_attention_mask_input_is_refused_naming_it()
    {
        var path = WriteGraph("no-mask.onnx", g =>
        {
            var ids = g.Input("input_ids", OnnxType.Int64, "b", "s");
            g.Input("past_key_values.0.key", OnnxType.Float, "b", 2, "p", 4);
            g.Output("logits", OnnxType.Float, "b", "s", 8);
            Logits(g, ids);
        });
        var e = Refused(path);
        Assert.Equal("attention_mask", e.Field);
        Assert.Contains("input missing", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_model_with_an_input_outside_the_layout_is_refused_naming_it()
    {
        var path = WriteGraph("bert-like.onnx", g =>
        {
            g.Input("input_ids", OnnxType.Int64, "b", "s");
            g.Input("attention_mask", OnnxType.Int64, "b", "t");
            g.Input("token_type_ids", OnnxType.Int64, "b", "s");
            var past = g.Input("past_key_values.0.key", OnnxType.Float, "b", 2, "p", 4);
            var pastV = g.Input("past_key_values.0.value", OnnxType.Float, "b", 2, "p", 4);
            g.Output("logits", OnnxType.Float, "b", "s", 8);
            g.Output("present.0.key", OnnxType.Float, "b", 2, "p", 4);
            g.Output("present.0.value", OnnxType.Float, "b", 2, "p", 4);
            Logits(g, "token_type_ids");
            g.OpNamed("present.0.key", "Identity", [past]);
            g.OpNamed("present.0.value", "Identity", [pastV]);
        });
        var e = Refused(path);
        Assert.Equal("token_type_ids", e.Field);
        Assert.Contains("unexpected input", e.Message);
    }

    [Fact]
    public void A_model_without_present_outputs_is_refused_naming_the_first_missing()
    {
        var path = WriteGraph("no-present.onnx", g =>
        {
            var ids = g.Input("input_ids", OnnxType.Int64, "b", "s");
            g.Input("attention_mask", OnnxType.Int64, "b", "t");
            g.Input("past_key_values.0.key", OnnxType.Float, "b", 2, "p", 4);
            g.Input("past_key_values.0.value", OnnxType.Float, "b", 2, "p", 4);
            g.Output("logits", OnnxType.Float, "b", "s", 8);
            Logits(g, ids);
        });
        var e = Refused(path);
        Assert.True(e.Field == "present.0.key", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_onnx_is_an_input_error()
    {
        var path = Path.Combine(cache.Directory, "garbage.onnx");
        File.WriteAllText(path, "this is not a protobuf");
        var e = Refused(path);
        Assert.Equal(path, e.File);
    }

    [Fact]
    public void Check_lists_the_cpu_device_and_a_version()
    {
        var a = _factory.Check();
        Assert.True(a.Available, a.Reason);
        Assert.Contains("cpu", a.Devices);
        Assert.Matches(@"^\d+\.\d+", a.Version);
    }

    /// <summary>logits [b, s, 8] computed from a [b, s] int64 input, shape-consistent so ONNX Runtime keeps the declared type.</summary>
    private static void Logits(OnnxGraph g, string ids)
    {
        var asFloat = g.Op("Cast", [g.Op("Unsqueeze", ids, g.Int64s(2))], OnnxAttribute.Int("to", (int)OnnxType.Float));
        g.OpNamed("logits", "Expand", [asFloat, g.Int64s(1, 1, 8)]);
    }

    private string WriteGraph(string name, Action<OnnxGraph> build)
    {
        var g = new OnnxGraph("wrong_layout");
        build(g);
        var path = Path.Combine(cache.Directory, name);
        OnnxModelWriter.Write(g, path);
        return path;
    }
}
