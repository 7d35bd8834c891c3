using System.Text.Json;
using FsCheck.Fluent;
using FsCheck;
using SiliconBench.Analysis;
using SiliconBench.Diagnostics;
using SiliconBench.Metrics;
using SiliconBench.Records;
using SiliconBench.Running;
using SiliconBench.Testing.Engines;
using SiliconBench.Testing;
using Xunit;

namespace SiliconBench.Tests.Analysis;

public sealed class AnalyzerTests : IDisposable
{
    private static readonly string CasesRoot = Path.Combine(AppContext.BaseDirectory, "Data", "Analysis");
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sb-analyzer-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    private static RunRecord Case(string name) => RunRecordReader.Read(Path.Combine(CasesRoot, name));

    [Fact]
    public void Slo_option_overrides_the_workload_slo()
    {
        var record = Case("goodput-slo");

        // Only the TTFT bound, at 150 ms: requests 3, 4 and 5 (TTFT 100, 100, 50) meet it.
        var summary = Analyzer.Analyze(record, new AnalysisOptions { Slo = new SloSet(150, null, null) });

        Assert.Equal(3 / 3.2, summary.Overall.Scalar(MetricCatalog.GoodputRequestsPerS)!.Value, 12);
        Assert.Equal((3 + 1 + 21) / 3.2, summary.Overall.Scalar(MetricCatalog.GoodputOutputTokensPerS)!.Value, 12);
    }

    [Fact]
    public void Slo_option_also_sets_an_slo_where_the_workload_had_none()
    {
        var summary = Analyzer.Analyze(Case("percentiles"), new AnalysisOptions { Slo = new SloSet(350, null, null) });

        // TTFTs 100, 400, 200, 1000, 300 ms: three within 350 ms, over 2.5 s.
        Assert.Equal(1.2, summary.Overall.Scalar(MetricCatalog.GoodputRequestsPerS)!.Value, 12);
        Assert.DoesNotContain(summary.Validity.Notes, n => n.Contains("no SLO", StringComparison.Ordinal));
    }

    [Fact]
    public void A_roofline_fraction_above_one_is_kept_and_flagged_as_a_probe_that_measured_low()
    {
        var record = Case("engine-roofline");
        // The case's GEMM ceiling is 0.5 GFLOP/s and its prefill reaches 0.160 (fraction 0.320); a ceiling of 0.1 is beaten.
        var lowCeiling = record with { Manifest = record.Manifest with { Roofline = record.Manifest.Roofline! with { GemmGflops = 0.1 } } };

        var flagged = Analyzer.Analyze(lowCeiling);
        var plain = Analyzer.Analyze(record);

        Assert.Equal(1.60051, flagged.Overall.Scalar(MetricCatalog.PrefillRooflineFraction)!.Value, 4);
        Assert.Contains(flagged.Validity.Notes, n => n.StartsWith("overall: prefill_roofline_fraction: 1.601 > 1: the run beat the roofline", StringComparison.Ordinal));
        Assert.DoesNotContain(flagged.Validity.Notes, n => n.Contains("decode_roofline_fraction", StringComparison.Ordinal));
        Assert.DoesNotContain(plain.Validity.Notes, n => n.Contains("> 1", StringComparison.Ordinal));
    }

    [Fact]
    public void Analyze_is_a_pure_function_of_the_record()
    {
        var record = Case("engine-roofline");

        Assert.Equal(SummaryWriter.Serialize(Analyzer.Analyze(record)), SummaryWriter.Serialize(Analyzer.Analyze(record)));
    }

    [Fact]
    public void Energy_plugs_in_per_scope_overall_and_per_point_and_survives_a_round_trip()
    {
        var summary = Analyzer.Analyze(Case("engine-roofline"));
        var board = new MetricSet { Provenance = Provenance.Measured };
        board.Set(MetricCatalog.EnergyJ, 12.5);
        board.Set(MetricCatalog.AvgPowerW, 78.125);
        var wall = new MetricSet { Provenance = Provenance.Imported };
        wall.Set(MetricCatalog.EnergyJ, (double?)null);
        var pointBoard = new MetricSet { Provenance = Provenance.Measured };
        pointBoard.Set(MetricCatalog.EnergyJ, 12.5);

        var withEnergy = summary.WithEnergy(
            "measured",
            new Dictionary<string, MetricSet> { ["wall"] = wall, ["accelerator"] = board },
            new Dictionary<string, IReadOnlyDictionary<string, MetricSet>> { ["b2-c4-o3"] = new Dictionary<string, MetricSet> { ["accelerator"] = pointBoard } },
            ["wall: energy_j: sensor lost coverage"]);

        var json = SummaryWriter.Serialize(withEnergy);
        Assert.Equal("measured", withEnergy.Validity.Energy);
        Assert.Equal(["accelerator", "wall"], withEnergy.Energy.Keys);
        Assert.Equal(12.5, Assert.Single(withEnergy.Points).Energy["accelerator"].Scalar("energy_j"));
        Assert.Equal("wall: energy_j: sensor lost coverage", withEnergy.Validity.Notes[^1]);
        Assert.Contains("\"energy\": {\n    \"accelerator\": {\n      \"provenance\": \"measured\",\n      \"energy_j\": 12.5,\n      \"avg_power_w\": 78.125\n    },\n    \"wall\": {\n      \"provenance\": \"imported\",\n      \"energy_j\": null\n    }\n  }\n}\n", json, StringComparison.Ordinal);
        Assert.Equal(json, SummaryWriter.Serialize(SummaryReader.Parse(json)));
    }

    [Fact]
    public void Token_totals_count_measured_work_overall_and_per_point()
    {
        Assert.Equal(new TokenTotals(2, 8, 6, 8, 4), Analyzer.CountTokens(Case("engine-roofline")));
        Assert.Equal(new TokenTotals(1, 20, 4, 0, 0), Analyzer.CountTokens(Case("tpot-itl"), "b1-c20-o4"));
        Assert.Equal(new TokenTotals(2, 10, 5, 0, 0), Analyzer.CountTokens(Case("failed-requests")));
    }

    [Fact]
    public void Windows_used_for_rates_are_exposed_for_the_energy_analysis()
    {
        var windows = Analyzer.ResolveWindows(Case("goodput-slo"));

        Assert.Equal(new MeasurementWindow(0.0, 3.2), windows.Overall);
        Assert.Equal([("b1-c16-o4", (MeasurementWindow?)new MeasurementWindow(0.0, 3.05))], windows.Points);
    }

    [Fact]
    public void Rounding_to_six_significant_digits_is_idempotent() =>
        Prop.ForAll(ArbMap.Default.ArbFor<NormalFloat>(), x =>
        {
            var once = SummaryWriter.Round(x.Get);
            return SummaryWriter.Round(once).Equals(once) && Math.Abs(once - x.Get) <= Math.Abs(x.Get) * 5e-6;
        }).QuickCheckThrowOnFailure();

    [Fact]
    public void Non_finite_values_are_written_as_not_measured()
    {
        var metrics = new MetricSet();
        metrics.Set("a", double.PositiveInfinity);
        metrics.Set("b", double.NaN);
        var summary = Analyzer.Analyze(Case("percentiles")) with { Overall = metrics };

        var json = SummaryWriter.Serialize(summary);

        Assert.Contains("\"overall\": {\n    \"a\": null,\n    \"b\": null\n  }", json, StringComparison.Ordinal);
        Assert.DoesNotContain('\r', json);
        Assert.EndsWith("}\n", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_reader_rejects_another_schema_naming_the_field()
    {
        var json = SummaryWriter.Serialize(Analyzer.Analyze(Case("percentiles"))).Replace("siliconbench.summary/1", "siliconbench.summary/9", StringComparison.Ordinal);

        var e = Assert.Throws<InputException>(() => SummaryReader.Parse(json, "x/summary.json"));

        Assert.Equal(("x/summary.json", "schema"), (e.File, e.Field));
    }

    [Fact]
    public void Summary_write_and_read_go_through_the_file()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, RunFiles.Summary);
        var summary = Analyzer.Analyze(Case("tpot-itl"));

        SummaryWriter.Write(summary, path);

        Assert.Equal(SummaryWriter.Serialize(summary), File.ReadAllText(path));
        Assert.Equal(File.ReadAllText(path), SummaryWriter.Serialize(SummaryReader.Read(path)));
    }

    /// <summary>The runner's record and the analyzer agree: a scripted engine with known step times gives known rates.</summary>
    [Fact]
    public void Analyzes_what_the_engine_runner_writes()
    {
        var clock = new FakeTimeSource();
        var engine = new ScriptedEngine(clock) { PrefillSecondsPerToken = 0.001, DecodeSeconds = 0.01 };
        var schedule = new RunSchedule
        {
            Points = [new ScheduledPoint("b2-c10-o4", 2, (rep, warm) => [new SequenceSpec(new int[10], 4), new SequenceSpec(new int[10], 4)])],
            WarmupRepetitions = 1,
            Repetitions = 3,
        };
        using (var writer = RunRecordWriter.Create(_dir))
        {
            Assert.True(new EngineRunner(clock).Run(engine, schedule, writer, CancellationToken.None).Complete);
            writer.WriteManifest(new RunManifest
            {
                RunId = "runner",
                StartedUtc = DateTimeOffset.UnixEpoch,
                Complete = true,
                Tool = new ToolInfo("siliconbench", "0", null),
                Host = new HostInfo { Hostname = "h", Os = "Linux", Cpu = "cpu", Runtime = ".NET" },
                Backend = new BackendInfo { Id = "onnxruntime", Version = "1", Device = "cpu" },
                Model = new ModelInfo { Spec = "synthetic:tiny", Name = "tiny", Dtype = "fp32", CheckpointDtype = "fp32", Weights = "synthetic (seed 1)" },
                Workload = new WorkloadInfo { Name = "chat", Profile = "smoke", Spec = JsonDocument.Parse("""{"slo":{"tpot_ms":20}}""").RootElement },
            });
        }

        var summary = Analyzer.Analyze(RunRecordReader.Read(_dir));

        Assert.Equal(6, summary.Validity.MeasuredRequests);
        Assert.True(summary.Validity.Valid);
        var point = Assert.Single(summary.Points);
        Assert.Equal(2, point.Batch);
        // Each batch: prefill 20 tokens in 20 ms, then 3 decode steps of 10 ms for 2 tokens each.
        Assert.Equal(20 / 0.020, summary.Overall.Scalar(MetricCatalog.PrefillTokensPerS)!.Value, 6);
        Assert.Equal(2 / 0.010, summary.Overall.Scalar(MetricCatalog.DecodeTokensPerS)!.Value, 6);
        Assert.Equal(10, summary.Overall.DistributionOf(MetricCatalog.TpotMs)!.Mean, 6);
        Assert.Equal(20, summary.Overall.DistributionOf(MetricCatalog.TtftMs)!.P99, 6);
        Assert.Equal(9, summary.Overall.DistributionOf(MetricCatalog.DecodeStepMs)!.N);
        // Three back-to-back batches of 50 ms: 6 requests and 24 output tokens in 0.15 s, all within the SLO.
        Assert.Equal(0.15, summary.Validity.WindowS!.Value, 9);
        Assert.Equal(24 / 0.15, summary.Overall.Scalar(MetricCatalog.OutputTokensPerS)!.Value, 6);
        Assert.Equal(6 / 0.15, summary.Overall.Scalar(MetricCatalog.GoodputRequestsPerS)!.Value, 6);
        Assert.Null(summary.Overall.Scalar(MetricCatalog.DecodeBandwidthGBs));
        Assert.Contains("overall: decode_bandwidth_gbs: manifest.model.weight_bytes is not known", summary.Validity.Notes);
    }
}
