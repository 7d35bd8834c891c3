using SiliconBench.Analysis.Energy;
using SiliconBench.Analysis;
using SiliconBench.Metrics;
using SiliconBench.Records;
using SiliconBench.Running;
using SiliconBench.Telemetry;
using SiliconBench.Testing.Engines;
using SiliconBench.Testing.Records;
using SiliconBench.Testing.Telemetry;
using SiliconBench.Testing;
using Xunit;

namespace SiliconBench.Tests.Analysis.Energy;

/// <summary>Energy through the whole path: a sampled run on disk → reader → analyzer → summary energy per scope and point.</summary>
public sealed class EnergySummaryTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sb-energy-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    private RunRecord RunWith(params ScriptedSampler[] samplers)
    {
        var clock = new FakeTimeSource();
        // 10 prompt tokens at 1 ms, then 3 decode steps of 10 ms: 40 ms per repetition, 4 output tokens.
        var schedule = new RunSchedule
        {
            Points = [new ScheduledPoint("b1-test", 1, (rep, warm) => [new SequenceSpec(new int[10], 4)])],
            WarmupRepetitions = 1,
            Repetitions = 5,
        };
        var draft = TestManifests.Draft("energy") with { Sensors = [.. samplers.SelectMany(s => s.Sensors)] };
        using (var writer = RunRecordWriter.Create(_dir))
            new RunSession(clock, writer, samplers).Run(new ScriptedEngine(clock), schedule, draft, idleSeconds: 1, CancellationToken.None,
                wait: (span, _) => clock.Advance(span.TotalSeconds));
        return RunRecordReader.Read(_dir);
    }

    [Fact]
    public void A_constant_100_W_sensor_gives_energy_per_token_over_the_measured_window()
    {
        var summary = Analyzer.Analyze(RunWith(new ScriptedSampler("fake") { Watts = 100 }));

        Assert.StartsWith("measured: accelerator by counter", summary.Validity.Energy, StringComparison.Ordinal);
        var energy = summary.Energy[SensorScope.Accelerator];
        // Measured window: 5 repetitions × 40 ms = 0.2 s at 100 W = 20 J, for 5 × 4 output and 5 × 10 input tokens.
        Assert.Equal(20, energy.Scalar(MetricCatalog.EnergyJ)!.Value, 9);
        Assert.Equal(100, energy.Scalar(MetricCatalog.AvgPowerW)!.Value, 9);
        Assert.Equal(1.0, energy.Scalar(MetricCatalog.OutputTokensPerJ)!.Value, 9);
        Assert.Equal(3.5, energy.Scalar(MetricCatalog.TotalTokensPerJ)!.Value, 9);
        // Prefill: 10 ms per repetition → 1 J for 10 tokens each; decode: 30 ms → 3 J for 3 tokens each.
        Assert.Equal(0.1, energy.Scalar(MetricCatalog.PrefillJPerToken)!.Value, 9);
        Assert.Equal(1.0, energy.Scalar(MetricCatalog.DecodeJPerToken)!.Value, 9);
        // The idle baseline draws the same 100 W, so nothing is "active" above it.
        Assert.Equal(0, energy.Scalar(MetricCatalog.ActiveEnergyJ)!.Value, 9);
        var point = Assert.Single(summary.Points);
        Assert.Equal(20, point.Energy[SensorScope.Accelerator].Scalar(MetricCatalog.EnergyJ)!.Value, 9);
        // Two samples over 0.2 s are far below what a sensor resolves: said, not hidden.
        Assert.Contains(summary.Validity.Notes, n => n.StartsWith("energy accelerator", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("nvml total energy counter", Provenance.Measured, "measured: ")]
    [InlineData("estimate: TDP x utilization", Provenance.Estimated, "estimated: ")]
    [InlineData("nvml total energy counter" + ReplaySampler.MethodSuffix, Provenance.Imported, "imported: ")]
    public void Each_scope_carries_the_provenance_of_its_sensors_and_the_status_leads_with_it(string method, Provenance expected, string status)
    {
        var summary = Analyzer.Analyze(RunWith(new ScriptedSampler("fake") { Method = method }));

        Assert.Equal(expected, summary.Energy[SensorScope.Accelerator].Provenance);
        Assert.Equal(expected, Assert.Single(summary.Points).Energy[SensorScope.Accelerator].Provenance);
        Assert.StartsWith(status, summary.Validity.Energy, StringComparison.Ordinal);
        var json = SummaryWriter.Serialize(summary);
        Assert.Equal(expected, SummaryReader.Parse(json).Energy[SensorScope.Accelerator].Provenance);
    }

    [Fact]
    public void The_weakest_sensor_of_a_scope_decides_its_provenance()
    {
        SensorInfo[] sensors =
        [
            new("nvml:0", SensorScope.Accelerator, "nvml total energy counter"),
            new("tdp:1", SensorScope.Accelerator, "Estimated from TDP"),
            new("rapl:0", SensorScope.CpuPackage, "rapl energy counter" + ReplaySampler.MethodSuffix),
        ];

        Assert.Equal(Provenance.Estimated, EnergySummary.ScopeProvenance(sensors, SensorScope.Accelerator));
        Assert.Equal(Provenance.Imported, EnergySummary.ScopeProvenance(sensors, SensorScope.CpuPackage));
        Assert.Equal(Provenance.Measured, EnergySummary.ScopeProvenance(sensors, SensorScope.Wall));
    }

    [Fact]
    public void Analyze_reproduces_the_energy_section_byte_for_byte()
    {
        var record = RunWith(new ScriptedSampler("fake") { Watts = 250 });
        Assert.Equal(SummaryWriter.Serialize(Analyzer.Analyze(record)), SummaryWriter.Serialize(Analyzer.Analyze(RunRecordReader.Read(_dir))));
        Assert.Contains("\"energy_j\": 50", SummaryWriter.Serialize(Analyzer.Analyze(record)), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_sensors_energy_is_not_measured_and_absent()
    {
        var summary = Analyzer.Analyze(RunWith());

        Assert.StartsWith("not measured", summary.Validity.Energy, StringComparison.Ordinal);
        Assert.Empty(summary.Energy);
    }
}
