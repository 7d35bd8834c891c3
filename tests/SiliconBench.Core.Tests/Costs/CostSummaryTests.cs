using SiliconBench.Analysis;
using SiliconBench.Costs;
using SiliconBench.Metrics;
using SiliconBench.Records;
using Xunit;

namespace SiliconBench.Tests.Costs;

/// <summary>The cost section in summary.json: written by the analyzer, read back, re-priced when energy arrives.</summary>
public sealed class CostSummaryTests
{
    private static readonly string RunDir = Path.Combine(AppContext.BaseDirectory, "Data", "Analysis", "tpot-itl");

    private static readonly CostSheet OwnedSheet = CostSheetLoader.Load(Path.Combine(AppContext.BaseDirectory, "Data", "Costs", "owned-straight-line", "sheet.yaml"));

    private static readonly CostSheet CloudSheet = CostSheetLoader.Load(Path.Combine(AppContext.BaseDirectory, "Data", "Costs", "cloud-rental", "sheet.yaml"));

    [Fact]
    public void Unpriced_summary_has_no_cost_section()
    {
        var json = SummaryWriter.Serialize(Analyzer.Analyze(RunRecordReader.Read(RunDir)));

        Assert.DoesNotContain("\"cost\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Priced_summary_has_overall_and_per_point_cost_and_round_trips()
    {
        var summary = Analyzer.Analyze(RunRecordReader.Read(RunDir), new AnalysisOptions { Cost = CloudSheet });

        var json = SummaryWriter.Serialize(summary);
        var again = SummaryWriter.Serialize(SummaryReader.Parse(json));

        Assert.Equal(json, again);
        Assert.Equal("h100-3yr-rental", summary.Cost!.Sheet);
        Assert.Equal(CloudSheet.ContentSha256, summary.Cost.SheetSha256);
        Assert.All(summary.Points, p => Assert.NotNull(p.Cost));
        var rate = summary.Overall.Scalar(MetricCatalog.OutputTokensPerS)!.Value;
        // A 1-accelerator price scaled to the run's accelerators.
        Assert.Equal(1.30 * summary.Cost.Accelerators, summary.Cost.UsdPerHour, 12);
        Assert.Equal(rate * 3600 / summary.Cost.UsdPerHour, summary.Cost.OutputTokensPerUsd!.Value, 6);
        Assert.Contains("\"sheet_sha256\": \"" + CloudSheet.ContentSha256 + "\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Repricing_with_the_same_sheet_is_deterministic()
    {
        var record = RunRecordReader.Read(RunDir);

        var first = SummaryWriter.Serialize(Analyzer.Analyze(record, new AnalysisOptions { Cost = OwnedSheet }));
        var second = SummaryWriter.Serialize(Analyzer.Analyze(RunRecordReader.Read(RunDir), new AnalysisOptions { Cost = OwnedSheet }));

        Assert.Equal(first, second);
    }

    [Fact]
    public void Owned_sheet_without_energy_prices_fixed_parts_only_then_energy_reprices()
    {
        var summary = Analyzer.Analyze(RunRecordReader.Read(RunDir), new AnalysisOptions { Cost = OwnedSheet });
        Assert.Equal(CostBasis.FixedOnly, summary.Cost!.Basis);
        Assert.Null(summary.Cost.EnergyUsdPerHour);

        var wall = new MetricSet { Provenance = Provenance.Measured };
        wall.Set(MetricCatalog.AvgPowerW, 6000.0);
        var accelerator = new MetricSet { Provenance = Provenance.Measured };
        accelerator.Set(MetricCatalog.AvgPowerW, 4000.0);
        var withEnergy = summary.WithEnergy("measured", new Dictionary<string, MetricSet> { ["wall"] = wall, ["accelerator"] = accelerator },
            new Dictionary<string, IReadOnlyDictionary<string, MetricSet>>(), []);

        Assert.Equal(CostBasis.MeasuredPower, withEnergy.Cost!.Basis);
        Assert.Equal("wall", withEnergy.Cost.PowerScope);
        Assert.Equal(6.0 * 1.5 * 0.08, withEnergy.Cost.EnergyUsdPerHour!.Value, 12);
        Assert.True(withEnergy.Cost.UsdPerHour > summary.Cost.UsdPerHour);
        Assert.Equal(Provenance.Imported, summary.Cost.Provenance);
        Assert.Equal(Provenance.Imported, withEnergy.Cost.Provenance);
    }

    [Fact]
    public void An_energy_line_priced_with_estimated_power_makes_the_cost_estimated()
    {
        var summary = Analyzer.Analyze(RunRecordReader.Read(RunDir), new AnalysisOptions { Cost = OwnedSheet });
        var wall = new MetricSet { Provenance = Provenance.Estimated };
        wall.Set(MetricCatalog.AvgPowerW, 6000.0);

        var withEnergy = summary.WithEnergy("estimated", new Dictionary<string, MetricSet> { ["wall"] = wall },
            new Dictionary<string, IReadOnlyDictionary<string, MetricSet>>(), []);

        Assert.Equal(Provenance.Estimated, withEnergy.Cost!.Provenance);
        Assert.Contains("\"provenance\": \"estimated\"", SummaryWriter.Serialize(withEnergy), StringComparison.Ordinal);
    }
}
