using SiliconBench.Diagnostics;
using SiliconBench.Models;
using Xunit;

namespace SiliconBench.Tests.Models;

public sealed class ModelSpecTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sb-spec-" + Guid.NewGuid().ToString("N"));

    public ModelSpecTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Synthetic_presets_parse()
    {
        var s = ModelSpec.Parse("synthetic:llama-3.1-8b", "w.yaml");
        Assert.Equal(ModelSpecKind.Synthetic, s.Kind);
        Assert.Equal("llama-3.1-8b", s.Preset);
    }

    [Fact]
    public void An_unknown_preset_lists_the_presets()
    {
        var e = Assert.Throws<InputException>(() => ModelSpec.Parse("synthetic:gpt-5", "w.yaml"));
        Assert.Equal("w.yaml: --model: unknown synthetic preset 'gpt-5'; presets: tiny, small, llama-3.2-1b, llama-3.1-8b, llama-3.1-70b", e.Message);
    }

    [Fact]
    public void A_missing_path_is_refused_under_the_model_field()
    {
        var missing = Path.Combine(_dir, "nope.onnx");
        var e = Assert.Throws<InputException>(() => ModelSpec.Parse(missing, "command line"));
        Assert.Equal("--model", e.Field);
        Assert.Equal($"command line: --model: no such file or directory '{missing}'", e.Message);
    }

    [Fact]
    public void A_checkpoint_directory_needs_config_and_safetensors()
    {
        Assert.Contains("has no config.json", Assert.Throws<InputException>(() => ModelSpec.Parse(_dir, "cli")).Message);
        File.WriteAllText(Path.Combine(_dir, "config.json"), "{}");
        Assert.Contains("no *.safetensors", Assert.Throws<InputException>(() => ModelSpec.Parse(_dir, "cli")).Message);
        File.WriteAllBytes(Path.Combine(_dir, "model.safetensors"), []);
        var s = ModelSpec.Parse(_dir, "cli");
        Assert.Equal(ModelSpecKind.Checkpoint, s.Kind);
        Assert.Equal(_dir, s.Path);
    }

    [Fact]
    public void Onnx_files_parse_and_other_files_are_refused()
    {
        var onnx = Path.Combine(_dir, "m.onnx");
        File.WriteAllBytes(onnx, []);
        Assert.Equal(ModelSpecKind.Onnx, ModelSpec.Parse(onnx, "cli").Kind);
        var bin = Path.Combine(_dir, "m.bin");
        File.WriteAllBytes(bin, []);
        Assert.Contains("is not a .onnx file", Assert.Throws<InputException>(() => ModelSpec.Parse(bin, "cli")).Message);
    }
}
