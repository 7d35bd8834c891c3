using System.Text.Json;
using SiliconBench.Diagnostics;
using SiliconBench.OnnxRuntime.Onnx;
using SiliconBench.Records;
using SiliconBench.Testing;
using Xunit;

namespace SiliconBench.Tests.Commands;

/// <summary>
/// The main job end to end on the real ONNX Runtime CPU engine with synthetic:tiny, and every bad input the
/// issue names at the CLI boundary: exit 2 and one line naming file, line and field.
/// </summary>
public sealed class RunCommandTests : IDisposable
{
    // One cache for the whole test run: the tiny checkpoint and its graph are built once.
    private static readonly string Cache = Path.Combine(Path.GetTempPath(), "sb-cli-tests-cache");
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private int Run(params string[] args) => _cli.Run([.. args, "--cache-dir", Cache]);

    private void AssertOneLineError(params string[] expected)
    {
        // Progress lines (model loading) may precede it on stderr; the error itself is one line.
        var stderr = _cli.Error.ToString();
        var error = Assert.Single(stderr.Split('\n'), l => l.StartsWith("error: ", StringComparison.Ordinal));
        foreach (var part in expected)
            Assert.Contains(part, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_run_writes_a_complete_record_that_analyze_reproduces_byte_for_byte()
    {
        var code = Run("run", "--output", "out", "--run-id", "smoke", "--no-roofline");

        Assert.Equal(ExitCodes.Ok, code);
        var dir = _cli.PathOf("out/smoke");
        foreach (var file in new[] { RunFiles.Manifest, RunFiles.Requests, RunFiles.Steps, RunFiles.Windows, RunFiles.Telemetry, RunFiles.Summary })
            Assert.True(File.Exists(Path.Combine(dir, file)), file);
        var manifest = JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(dir, RunFiles.Manifest)), RecordJsonContext.Indented.RunManifest)!;
        Assert.True(manifest.Complete);
        Assert.Equal(("onnxruntime", "cpu", "synthetic:tiny"), (manifest.Backend.Id, manifest.Backend.Device, manifest.Model.Spec));
        Assert.Equal(("interactive-chat", "smoke"), (manifest.Workload.Name, manifest.Workload.Profile));
        Assert.Empty(manifest.Sensors);
        Assert.Contains("no sensor", manifest.SensorNote, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Object, manifest.Workload.Spec.GetProperty("slo").ValueKind);
        // The site of the results directory is rendered after the run and lists it.
        Assert.Contains("smoke", File.ReadAllText(_cli.PathOf("site/index.html")), StringComparison.Ordinal);
        Assert.True(File.Exists(_cli.PathOf("site/runs/smoke.html")));

        var written = File.ReadAllBytes(Path.Combine(dir, RunFiles.Summary));
        File.Delete(Path.Combine(dir, RunFiles.Summary));
        Assert.Equal(ExitCodes.Ok, _cli.Run("analyze", "out/smoke"));
        Assert.Equal(written, File.ReadAllBytes(Path.Combine(dir, RunFiles.Summary)));
        Assert.Contains("\"energy\": \"not measured", System.Text.Encoding.UTF8.GetString(written), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("continuous")]
    [InlineData("static")]
    public void Serving_on_the_engine_sweeps_the_arrival_process_and_records_steps_for_phase_energy(string batching)
    {
        var code = Run("run", "--serving", batching, "--max-batch", "4", "--output", "out", "--run-id", batching, "--no-roofline", "--no-site");

        Assert.True(code == ExitCodes.Ok, _cli.Error.ToString());
        var requests = File.ReadAllLines(_cli.PathOf($"out/{batching}/requests.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(r => !r.GetProperty("warmup").GetBoolean()).ToList();
        Assert.Equal(["c1", "c4"], requests.Select(r => r.GetProperty("point").GetString()).Distinct());
        Assert.All(requests, r => Assert.Equal("ok", r.GetProperty("status").GetString()));
        var steps = File.ReadAllLines(_cli.PathOf($"out/{batching}/steps.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Contains(steps, s => s.GetProperty("phase").GetString() == "decode" && s.GetProperty("batch").GetInt32() > 1);
        Assert.All(steps, s => Assert.True(s.GetProperty("batch").GetInt32() <= 4));
        using var manifest = JsonDocument.Parse(File.ReadAllText(_cli.PathOf($"out/{batching}/manifest.json")));
        Assert.Equal(batching, manifest.RootElement.GetProperty("backend").GetProperty("options").GetProperty("serving").GetString());
    }

    [Fact]
    public void Ctrl_C_before_the_first_step_leaves_an_incomplete_readable_record_and_exit_130()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();

        var code = _cli.Run(cancel.Token, "run", "--output", "out", "--run-id", "cut", "--no-roofline", "--cache-dir", Cache);

        Assert.Equal(ExitCodes.Interrupted, code);
        var manifest = JsonSerializer.Deserialize(File.ReadAllText(_cli.PathOf("out/cut/manifest.json")), RecordJsonContext.Indented.RunManifest)!;
        Assert.False(manifest.Complete);
        Assert.Contains("interrupted", manifest.IncompleteReason, StringComparison.Ordinal);
        Assert.True(File.Exists(_cli.PathOf("out/cut/summary.json")));
    }

    [Fact]
    public void Malformed_yaml_names_the_file_and_line()
    {
        File.WriteAllText(_cli.PathOf("w.yaml"), "name: w\nprofiles:\n  smoke: [\n");
        Assert.Equal(ExitCodes.BadInput, Run("run", "--workload", "w.yaml", "--output", "out"));
        AssertOneLineError("w.yaml:", "malformed YAML");
        Assert.False(Directory.Exists(_cli.PathOf("out")), "nothing is written for a run that never started");
    }

    [Fact]
    public void An_unknown_field_is_named_with_its_line()
    {
        var yaml = File.ReadAllText(Path.Combine(RepoPaths.Workloads, "interactive-chat.yaml")) + "colour: blue\n";
        File.WriteAllText(_cli.PathOf("w.yaml"), yaml);
        var line = yaml.Split('\n').Length - 1;
        Assert.Equal(ExitCodes.BadInput, Run("run", "--workload", "w.yaml"));
        AssertOneLineError($"w.yaml:{line}: colour");
    }

    [Fact]
    public void A_negative_batch_size_is_named_with_its_line()
    {
        var lines = File.ReadAllLines(Path.Combine(RepoPaths.Workloads, "interactive-chat.yaml"));
        var i = Array.FindIndex(lines, l => l.TrimStart().StartsWith("batch_sizes:", StringComparison.Ordinal));
        lines[i] = lines[i][..(lines[i].IndexOf(':', StringComparison.Ordinal) + 1)] + " [-1]";
        File.WriteAllLines(_cli.PathOf("w.yaml"), lines);
        Assert.Equal(ExitCodes.BadInput, Run("run", "--workload", "w.yaml"));
        AssertOneLineError($"w.yaml:{i + 1}:", "batch_sizes[0]");
    }

    [Fact]
    public void A_missing_model_file_is_named()
    {
        Assert.Equal(ExitCodes.BadInput, Run("run", "--model", "models/missing.onnx", "--output", "out"));
        AssertOneLineError("--model", "missing.onnx");
        Assert.False(Directory.Exists(_cli.PathOf("out/").TrimEnd('/')) && Directory.EnumerateFileSystemEntries(_cli.PathOf("out")).Any(),
            "a run refused before measuring leaves no half-made record");
    }

    [Fact]
    public void An_onnx_model_with_the_wrong_inputs_is_refused_naming_the_input()
    {
        var g = new OnnxGraph("bert_like");
        var ids = g.Input("input_ids", OnnxType.Int64, "b", "s");
        g.Input("token_type_ids", OnnxType.Int64, "b", "s");
        var asFloat = g.Op("Cast", [g.Op("Unsqueeze", ids, g.Int64s(2))], OnnxAttribute.Int("to", (int)OnnxType.Float));
        g.Output("logits", OnnxType.Float, "b", "s", 8);
        g.OpNamed("logits", "Expand", [asFloat, g.Int64s(1, 1, 8)]);
        OnnxModelWriter.Write(g, _cli.PathOf("bert.onnx"));

        Assert.Equal(ExitCodes.BadInput, Run("run", "--model", "bert.onnx", "--no-roofline"));
        AssertOneLineError("bert.onnx", "attention_mask");
    }

    [Fact]
    public void An_unwritable_output_directory_is_refused_before_anything_runs()
    {
        File.WriteAllText(_cli.PathOf("file"), "not a directory");
        Assert.Equal(ExitCodes.BadInput, Run("run", "--output", "file/results"));
        AssertOneLineError("--output", "cannot write");
    }

    [Fact]
    public void A_kv_budget_skips_the_points_that_would_not_fit_and_says_so_in_the_manifest()
    {
        // synthetic:tiny keeps 2 layers × 2 × 2 KV heads × 16 dims × 4 B = 512 B of KV per token: batch 4 × (128 + 16)
        // tokens is ~0.3 MB, batch 1 × (32 + 16) well under 0.1 MB.
        var code = Run("run", "--kv-budget-gb", "0.0001", "--output", "out", "--run-id", "kv", "--no-roofline", "--no-site");

        Assert.True(code == ExitCodes.Ok, _cli.Error.ToString());
        var points = File.ReadAllLines(_cli.PathOf("out/kv/steps.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("point").GetString()).Distinct().ToList();
        Assert.Contains("b1-c32-o16", points);
        Assert.DoesNotContain("b4-c128-o16", points);
        using var manifest = JsonDocument.Parse(File.ReadAllText(_cli.PathOf("out/kv/manifest.json")));
        Assert.Contains(manifest.RootElement.GetProperty("notes").EnumerateArray(), n => n.GetString()!.StartsWith("point b4-c128-o16 skipped", StringComparison.Ordinal));
    }

    [Fact]
    public void The_worker_backend_runs_a_synthetic_model_and_records_the_device_roofline_and_worker_log()
    {
        if (SiliconBench.Testing.Worker.FakeWorker.Python is null)
            Assert.Skip("python3 is not on PATH");
        var options = SiliconBench.Testing.Worker.FakeWorker.Options("happy").SelectMany(o => new[] { "--option", $"{o.Key}={o.Value}" });

        var code = Run(["run", "--backend", "worker", "-m", "synthetic:tiny", "--output", "out", "--run-id", "w", "--no-site", .. options]);

        Assert.True(code == ExitCodes.Ok, _cli.Error.ToString());
        using var manifest = JsonDocument.Parse(File.ReadAllText(_cli.PathOf("out/w/manifest.json")));
        Assert.Equal("worker", manifest.RootElement.GetProperty("backend").GetProperty("id").GetString());
        var roofline = manifest.RootElement.GetProperty("roofline");
        Assert.Equal(3000.5, roofline.GetProperty("memory_bandwidth_gbs").GetDouble());
        Assert.Equal("fake:0 Fake Accelerator bf16", roofline.GetProperty("device").GetString());
        Assert.True(File.Exists(_cli.PathOf("out/w/worker.stderr.log")));
        Assert.All(File.ReadAllLines(_cli.PathOf("out/w/requests.jsonl")), l => Assert.Contains("\"status\":\"ok\"", l, StringComparison.Ordinal));
    }

    [Fact]
    public void A_worker_that_cannot_load_the_model_fails_with_its_message_and_leaves_no_record()
    {
        if (SiliconBench.Testing.Worker.FakeWorker.Python is null)
            Assert.Skip("python3 is not on PATH");
        var options = SiliconBench.Testing.Worker.FakeWorker.Options("load-error").SelectMany(o => new[] { "--option", $"{o.Key}={o.Value}" });

        var code = Run(["run", "--backend", "worker", "-m", "synthetic:tiny", "--output", "out", "--run-id", "w", "--no-site", .. options]);

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains("error: engine failed:", _cli.Error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(_cli.PathOf("out/w")));
    }

    [Fact]
    public void The_slo_search_outside_serving_mode_is_bad_input()
    {
        Assert.Equal(ExitCodes.BadInput, Run("run", "--search", "--output", "out"));
        AssertOneLineError("--search", "serving");
    }

    [Theory]
    [InlineData("--backend", "tensorflow", "unknown backend 'tensorflow'")]
    [InlineData("--backend", "torchsharp", "-p:WithTorchSharp=true")]
    [InlineData("--sampler", "nvml:gpus=x", "--sampler")]
    [InlineData("--profile", "huge", "no profile 'huge'")]
    [InlineData("--device", "tpu", "unknown device 'tpu'")]
    public void Other_bad_options_are_named(string option, string value, string expected)
    {
        Assert.Equal(ExitCodes.BadInput, Run("run", option, value, "--output", "out", "--no-roofline"));
        AssertOneLineError(expected);
    }
}
