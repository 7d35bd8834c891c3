using FsCheck;
using FsCheck.Fluent;
using SiliconBench.Analysis;
using Xunit;

namespace SiliconBench.Tests.Analysis;

public sealed class StatisticsTests
{
    [Theory]
    // numpy.percentile([1, 2, 3, 4], p): rank (n − 1)·p/100 interpolated linearly.
    [InlineData(0, 1)]
    [InlineData(25, 1.75)]
    [InlineData(50, 2.5)]
    [InlineData(90, 3.7)]
    [InlineData(100, 4)]
    public void Percentile_interpolates_between_closest_ranks_like_numpy(double percent, double expected) =>
        Assert.Equal(expected, Statistics.Percentile([1, 2, 3, 4], percent), 12);

    [Fact]
    public void Percentile_of_one_value_is_that_value()
    {
        Assert.Equal(7, Statistics.Percentile([7], 0));
        Assert.Equal(7, Statistics.Percentile([7], 99));
    }

    [Fact]
    public void Percentile_rejects_empty_input_and_percent_outside_0_to_100()
    {
        Assert.Throws<ArgumentException>(() => Statistics.Percentile([], 50));
        Assert.Throws<ArgumentOutOfRangeException>(() => Statistics.Percentile([1], 101));
        Assert.Throws<ArgumentOutOfRangeException>(() => Statistics.Percentile([1], double.NaN));
    }

    [Fact]
    public void Describe_sorts_its_input_and_reports_every_field()
    {
        var d = Statistics.Describe([1000, 100, 300, 200, 400])!;

        Assert.Equal(new Distribution(400, 300, 760, 880, 976, 100, 1000, 5), d with { P90 = Math.Round(d.P90, 9), P95 = Math.Round(d.P95, 9), P99 = Math.Round(d.P99, 9) });
    }

    [Fact]
    public void Describe_of_nothing_is_null() => Assert.Null(Statistics.Describe([]));

    [Fact]
    public void Percentiles_are_monotone_and_bounded_by_min_and_max() =>
        Prop.ForAll(Gen.Choose(-1_000_000, 1_000_000).Select(i => i / 1000.0).NonEmptyListOf().ToArbitrary(), values =>
        {
            var d = Statistics.Describe(values)!;
            return d.Min <= d.P50 && d.P50 <= d.P90 && d.P90 <= d.P95 && d.P95 <= d.P99 && d.P99 <= d.Max && d.N == values.Count;
        }).QuickCheckThrowOnFailure();
}
