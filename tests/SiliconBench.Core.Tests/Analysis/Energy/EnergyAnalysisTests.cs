using System.Text.Json;
using System.Text.Json.Nodes;
using SiliconBench.Analysis.Energy;
using SiliconBench.Records;
using SiliconBench.Telemetry;
using Xunit;

namespace SiliconBench.Tests.Analysis.Energy;

public sealed class EnergyAnalysisTests
{
    private static readonly JsonSerializerOptions Snake = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static TheoryData<string> Cases() =>
        [.. Directory.GetDirectories(Path.Combine(AppContext.BaseDirectory, "Data", "Energy")).Select(d => Path.GetFileName(d)!).Order()];

    /// <summary>Worked-by-hand cases (see each case's notes.md): the expected json is a subset of the report.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Hand_worked_case_matches(string name)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "Data", "Energy", name);
        var samples = TelemetryCsv.Read(Path.Combine(dir, "telemetry.csv"));
        var (sensors, inputs) = ReadInputs(File.ReadAllText(Path.Combine(dir, "inputs.json")));
        var report = EnergyAnalysis.Compute(sensors, samples, inputs);
        var actual = new JsonObject
        {
            ["measured"] = report.Measured,
            ["scopes"] = new JsonObject(report.Scopes.Select(s =>
                KeyValuePair.Create(s.Scope, JsonSerializer.SerializeToNode(s, Snake)))),
        };
        AssertSubset(JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "expected.json")))!, actual, "$");
    }

    private static (IReadOnlyList<SensorInfo>, EnergyInputs) ReadInputs(string json)
    {
        var root = JsonNode.Parse(json)!.AsObject();
        var sensors = root["sensors"]!.AsArray().Select(s => new SensorInfo(
            (string)s!["id"]!, (string)s["scope"]!, (string)s["method"]!) { IntervalS = (double?)s["interval_s"] }).ToList();
        double D(JsonNode? n) => (double)n!;
        var inputs = new EnergyInputs
        {
            TStart = D(root["t_start"]),
            TEnd = D(root["t_end"]),
            InputTokens = (long)root["input_tokens"]!,
            OutputTokens = (long)root["output_tokens"]!,
            Steps = root["steps"]?.AsArray().Select(s => new StepRecord
            {
                Point = (string)s!["point"]!,
                Phase = (string)s["phase"]!,
                Warmup = (bool?)s["warmup"] ?? false,
                Tokens = (int)s["tokens"]!,
                TStart = D(s["t_start"]),
                TEnd = D(s["t_end"]),
            }).ToList() ?? [],
            IdleWindows = root["idle"]?.AsArray().Select(w => new TimeWindow(D(w![0]), D(w[1]))).ToList() ?? [],
            Points = root["points"]?.AsArray().Select(p => new PointWindow((string)p!["point"]!, D(p["t_start"]), D(p["t_end"]),
                (long)p["input_tokens"]!, (long)p["output_tokens"]!)).ToList() ?? [],
            Faults = root["faults"]?.AsArray().Select(f => new SamplerFault((string)f!["sampler"]!, D(f["t"]), (string)f["message"]!)).ToList() ?? [],
        };
        return (sensors, inputs);
    }

    private static void AssertSubset(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected)
        {
            case null:
                Assert.True(actual is null, $"{path}: expected null, got {actual?.ToJsonString()}");
                break;
            case JsonObject obj:
                Assert.True(actual is JsonObject, $"{path}: expected an object, got {actual?.ToJsonString()}");
                foreach (var (key, value) in obj)
                {
                    Assert.True(actual!.AsObject().ContainsKey(key), $"{path}.{key} is missing");
                    AssertSubset(value, actual[key], $"{path}.{key}");
                }
                break;
            case JsonArray arr:
                var act = Assert.IsType<JsonArray>(actual);
                Assert.True(arr.Count == act.Count, $"{path}: expected {arr.ToJsonString()}, got {act.ToJsonString()}");
                for (var i = 0; i < arr.Count; i++)
                    AssertSubset(arr[i], act[i], $"{path}[{i}]");
                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
                Assert.True(actual is JsonValue a && a.GetValueKind() == JsonValueKind.Number, $"{path}: expected {v}, got {actual?.ToJsonString()}");
                var (e, g) = ((double)v, (double)actual!);
                Assert.True(Math.Abs(e - g) <= 1e-9 * Math.Max(1, Math.Abs(e)), $"{path}: expected {e}, got {g}");
                break;
            default:
                Assert.True(JsonNode.DeepEquals(expected, actual), $"{path}: expected {expected.ToJsonString()}, got {actual?.ToJsonString()}");
                break;
        }
    }

    [Fact]
    public void Without_sensors_the_report_says_not_measured_and_has_no_figures()
    {
        var report = EnergyAnalysis.Compute([], [new TelemetrySample(1, "nvml:0", Quantities.PowerW, 300)], new EnergyInputs { TStart = 0, TEnd = 10 });
        Assert.False(report.Measured);
        Assert.Equal(EnergyAnalysis.NoSensors, report.NotMeasuredReason);
        Assert.Empty(report.Scopes);
    }

    [Fact]
    public void A_window_outside_the_samples_is_null_with_the_reason_never_extrapolated()
    {
        SensorInfo[] sensors = [new("nvml:0", SensorScope.Accelerator, "nvml energy counter")];
        TelemetrySample[] samples = [new(1, "nvml:0", Quantities.EnergyJ, 10), new(2, "nvml:0", Quantities.EnergyJ, 20)];
        var report = EnergyAnalysis.Compute(sensors, samples, new EnergyInputs { TStart = 0.5, TEnd = 2, OutputTokens = 5 });
        Assert.False(report.Measured);
        var overall = Assert.Single(report.Scopes).Overall;
        Assert.Null(overall.EnergyJ);
        Assert.Null(overall.OutputTokensPerJ);
        Assert.Contains(overall.Notes, n => n.Contains("do not cover", StringComparison.Ordinal));
    }

    [Fact]
    public void A_gpu_missing_from_the_group_makes_the_scope_sum_null_instead_of_partial()
    {
        SensorInfo[] sensors = [new("nvml:0", SensorScope.Accelerator, "c"), new("nvml:1", SensorScope.Accelerator, "c")];
        TelemetrySample[] samples = [new(0, "nvml:0", Quantities.EnergyJ, 0), new(4, "nvml:0", Quantities.EnergyJ, 400)];
        var scope = Assert.Single(EnergyAnalysis.Compute(sensors, samples, new EnergyInputs { TStart = 1, TEnd = 3 }).Scopes);
        Assert.Null(scope.Overall.EnergyJ);
        Assert.Contains(scope.Overall.Notes, n => n.StartsWith("nvml:1", StringComparison.Ordinal));
    }
}
