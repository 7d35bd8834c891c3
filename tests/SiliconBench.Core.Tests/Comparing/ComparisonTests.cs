using SiliconBench.Analysis;
using SiliconBench.Comparing;
using SiliconBench.Metrics;
using Xunit;

namespace SiliconBench.Tests.Comparing;

public sealed class ComparisonTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Data", "Gating");

    private static Candidate Load(string name) => Candidate.Load(Path.Combine(Root, name));

    [Fact]
    public void A_folder_of_repetitions_is_one_candidate()
    {
        var c = Load("fast");

        Assert.Equal("fast", c.Name);
        Assert.Equal(["rep1", "rep2", "rep3"], c.Runs.Select(r => Path.GetFileName(r.RunDir)));
    }

    [Fact]
    public void Repetitions_give_intervals_and_a_welch_test_against_the_first_candidate()
    {
        var comparison = Comparison.Build([Load("fast"), Load("slow")]);

        var row = comparison.Rows.Single(r => r.Point == Comparison.OverallPoint && r.Metric.Metric == MetricCatalog.TtftMs && r.Metric.Statistic == "p99");
        var fast = row.Cells[0];
        var slow = row.Cells[1];
        Assert.Equal(1500, fast.Estimate!.Mean, 9);
        Assert.True(fast.Estimate.HasInterval);
        Assert.Null(fast.Test);
        Assert.Equal((2550.0 - 1500) / 1500 * 100, slow.DifferencePct!.Value, 9);
        Assert.True(slow.Test!.PValue < 0.01);
        Assert.Equal(3, slow.RunDirs.Count);
    }

    [Fact]
    public void Rows_cover_overall_then_each_point_for_every_headline()
    {
        var comparison = Comparison.Build([Load("fast"), Load("cheap")]);

        Assert.Equal([Comparison.OverallPoint, "b8-c1024-o128"], comparison.Rows.Select(r => r.Point).Distinct());
        Assert.Equal(2 * Comparison.Headlines.Count, comparison.Rows.Count);
    }

    [Fact]
    public void A_metric_that_was_not_measured_says_why()
    {
        var comparison = Comparison.Build([Load("fast"), Load("no-energy")]);

        var cost = comparison.Rows.First(r => r.Metric.Metric == MetricCatalog.UsdPerMillionOutputTokens).Cells[1];
        Assert.Null(cost.Estimate);
        Assert.Contains("not priced", cost.Missing, StringComparison.Ordinal);
        var energy = comparison.Rows.First(r => r.Metric.Metric == MetricCatalog.OutputTokensPerJ).Cells[1];
        Assert.Contains("energy not measured", energy.Missing, StringComparison.Ordinal);
    }

    [Fact]
    public void Single_runs_compare_without_intervals()
    {
        var a = Load("fast").Runs[0];
        var b = Load("slow").Runs[0];

        var comparison = Comparison.Build([(a.RunDir, a.Summary), (b.RunDir, b.Summary)]);

        var cell = comparison.Rows.First(r => r.Metric.Metric == MetricCatalog.OutputTokensPerS).Cells[1];
        Assert.False(cell.Estimate!.HasInterval);
        Assert.Null(cell.Test);
        Assert.Equal(-25, cell.DifferencePct!.Value, 9);
    }

    [Fact]
    public void Json_and_markdown_name_every_candidate()
    {
        var comparison = Comparison.Build([Load("fast"), Load("cheap")]);

        Assert.Contains("\"candidate\": \"cheap\"", comparison.ToJson(), StringComparison.Ordinal);
        Assert.Contains("| metric | fast | cheap |", comparison.ToMarkdown(), StringComparison.Ordinal);
    }
}
