using SiliconBench.Analysis;
using SiliconBench.Metrics;
using SiliconBench.Records;
using SiliconBench.Testing.Records;
using Xunit;

namespace SiliconBench.Tests.Analysis;

public sealed class ServingAnalysisTests
{
    private static RequestRecord Request(string point, double submit, double first) =>
        new() { Id = $"r-{point}-{submit}", Point = point, TSubmit = submit, TFirst = first, TEnd = first + 1, OutputTokens = 2, Chunks = [new(first, 1), new(first + 1, 1)] };

    [Fact]
    public void Queue_depth_counts_requests_waiting_for_their_first_token_time_weighted_over_the_window()
    {
        // Depth 1 on [0, 0.5), 2 on [0.5, 1), 1 on [1, 2): area 0.5 + 1 + 1 = 2.5 over 2 s.
        var (max, mean) = ServingAnalysis.QueueDepth([Request("c2", 0, 1), Request("c2", 0.5, 2)], new MeasurementWindow(0, 2));

        Assert.Equal(2, max);
        Assert.Equal(1.25, mean!.Value, 12);
    }

    [Theory]
    [InlineData(new double[] { 100, 150, 250, 400 }, "c4", "c2")]
    [InlineData(new double[] { 100, 250, 150, 400 }, "c8", "c4")] // a noisy bump at c2 that comes back is not the knee
    [InlineData(new double[] { 100, 120, 150, 180 }, null, "c8")]
    public void The_knee_is_where_p99_ttft_departs_for_good_from_twice_the_lightest_loads(double[] p99s, string? knee, string envelope)
    {
        static PointSummary Point(string id, double p99, double goodput)
        {
            var metrics = new MetricSet();
            metrics.Set(MetricCatalog.TtftMs, new Distribution(p99 / 2, p99 / 2, p99, p99, p99, 1, p99, 10));
            metrics.Set(MetricCatalog.GoodputRequestsPerS, goodput);
            metrics.Set(MetricCatalog.OutputTokensPerS, goodput * 10);
            return new PointSummary { Point = id, Metrics = metrics };
        }
        var summary = new Summary
        {
            RunId = "sweep",
            Validity = new Validity { Energy = "not measured" },
            Overall = new MetricSet(),
            Points = [Point("c1", p99s[0], 1), Point("c2", p99s[1], 2), Point("c4", p99s[2], 3), Point("c8", p99s[3], 2.5)],
        };
        var manifest = TestManifests.Draft() with { Backend = new BackendInfo { Id = "openai", Version = "1", Device = "remote" } };
        var record = new RunRecord { Manifest = manifest };

        var serving = ServingAnalysis.Apply(summary, record, []).Serving!;

        Assert.Equal((knee, envelope), (serving.KneePoint, serving.StableEnvelopePoint));
        Assert.Equal("c4", serving.MaxGoodputPoint);
        Assert.Equal("c4", serving.MaxThroughputPoint);
        // Engine-mode runs get no serving section, so their summaries keep their bytes.
        Assert.Null(ServingAnalysis.Apply(summary, new RunRecord { Manifest = TestManifests.Draft() }, []).Serving);
    }
}
