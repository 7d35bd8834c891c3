using SiliconBench.Diagnostics;
using SiliconBench.Gating;
using Xunit;

namespace SiliconBench.Tests.Gating;

public sealed class PolicyLoaderTests
{
    private const string Valid = """
        name: p
        workloads:
          interactive-chat:
            point: b8-c1024-o128
            requirements:
              - {metric: ttft_ms, statistic: p99, comparator: "<=", threshold: 2000}
        """;

    [Fact]
    public void Reads_requirements_with_their_lines()
    {
        var p = PolicyLoader.Parse(Valid, "p.yaml");

        var w = Assert.Single(p.Workloads);
        Assert.Equal(("interactive-chat", "b8-c1024-o128"), (w.Workload, w.Point));
        Assert.Equal(new Requirement("ttft_ms", "p99", "<=", 2000, 6), Assert.Single(w.Requirements));
        Assert.Equal(0.95, p.Confidence);
        Assert.Equal(2, p.Evidence.MinRepetitions);
    }

    [Theory]
    [InlineData("comparator: \"<=\"", "comparator: \"=<\"", 6, "workloads.interactive-chat.requirements[0].comparator")]
    [InlineData("statistic: p99", "statistic: p42", 6, "workloads.interactive-chat.requirements[0].statistic")]
    [InlineData("threshold: 2000", "threshold: fast", 6, "workloads.interactive-chat.requirements[0].threshold")]
    [InlineData("metric: ttft_ms", "metric: ttft_p99_ms", 6, "workloads.interactive-chat.requirements[0].metric")]
    [InlineData("metric: ttft_ms", "metric: output_tokens_per_s", 6, "workloads.interactive-chat.requirements[0].statistic")]
    [InlineData("name: p", "name: p\nranking: {metric: energy_j}", 2, "ranking.order")]
    [InlineData("name: p", "name: p\nranking: {metric: tpot_ms, order: ascending}", 2, "ranking.statistic")]
    [InlineData("threshold: 2000}", "threshold: 2000, unit: ms}", 6, "workloads.interactive-chat.requirements[0].unit")]
    [InlineData("name: p", "name: p\nconfidence: 1.5", 2, "confidence")]
    [InlineData("name: p", "name: p\nevidence: {min_repetitions: 1}", 2, "evidence.min_repetitions")]
    public void Malformed_policies_name_file_line_and_field(string from, string to, int line, string field)
    {
        var e = Assert.Throws<InputException>(() => PolicyLoader.Parse(Valid.Replace(from, to, StringComparison.Ordinal), "bad-policy.yaml"));

        Assert.Equal(("bad-policy.yaml", line, field), (e.File, e.Line, e.Field));
        Assert.StartsWith($"bad-policy.yaml:{line}: {field}: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_metric_is_rejected_at_load_with_the_nearest_known_id()
    {
        var e = Assert.Throws<InputException>(() => PolicyLoader.Parse(Valid.Replace("metric: ttft_ms", "metric: ttft_p99", StringComparison.Ordinal), "p.yaml"));

        Assert.Equal("p.yaml:6: workloads.interactive-chat.requirements[0].metric: unknown metric 'ttft_p99'; did you mean 'ttft_ms'?", e.Message);
    }

    [Fact]
    public void A_ranking_without_order_follows_the_metrics_better_direction()
    {
        var faster = PolicyLoader.Parse(Valid + "\nranking: {metric: output_tokens_per_s}\n", "p.yaml").Ranking!;
        var cheaper = PolicyLoader.Parse(Valid + "\nranking: {metric: usd_per_million_output_tokens}\n", "p.yaml").Ranking!;

        Assert.False(faster.Ascending);
        Assert.True(cheaper.Ascending);
        Assert.Equal(("output_tokens_per_s", "value"), (faster.Metric, faster.Statistic));
    }

    [Fact]
    public void Missing_workloads_is_named() =>
        Assert.Equal("workloads", Assert.Throws<InputException>(() => PolicyLoader.Parse("name: p\n", "p.yaml")).Field);

    [Fact]
    public void Shipped_example_policy_loads()
    {
        var p = PolicyLoader.Load(Path.Combine(SiliconBench.Tests.Planning.ShippedWorkloadsTests.WorkloadsFolder(), "policies", "example.yaml"));

        Assert.True(p.Evidence.EnergyMeasured);
        Assert.Equal("usd_per_million_output_tokens", p.Ranking!.Metric);
    }
}
