using SiliconBench.Comparing;
using Xunit;

namespace SiliconBench.Tests.Comparing;

public sealed class RepeatStatisticsTests
{
    [Theory]
    [InlineData(0.975, 2, 4.302653)]
    [InlineData(0.975, 4, 2.776445)]
    [InlineData(0.975, 10, 2.228139)]
    [InlineData(0.95, 2, 2.919986)]
    [InlineData(0.995, 30, 2.749996)]
    public void Student_t_quantiles_match_published_tables(double p, int df, double expected) =>
        Assert.Equal(expected, StudentT.Quantile(p, df), tolerance: 2e-6);

    [Fact]
    public void Student_t_cdf_is_symmetric_about_zero()
    {
        Assert.Equal(0.5, StudentT.Cdf(0, 7), 12);
        Assert.Equal(1, StudentT.Cdf(1.3, 7) + StudentT.Cdf(-1.3, 7), 12);
    }

    [Fact]
    public void Interval_is_mean_plus_minus_t_times_standard_error()
    {
        // mean 2, s = 1, n = 3: half-width = 4.302653 × 1 / √3 = 2.484138.
        var e = RepeatStatistics.Of([1.0, 2.0, 3.0]);

        Assert.Equal(2, e.Mean, 12);
        Assert.Equal(1, e.StdDev!.Value, 12);
        Assert.Equal(2 - 2.484138, e.Low!.Value, 5);
        Assert.Equal(2 + 2.484138, e.High!.Value, 5);
    }

    [Fact]
    public void One_repetition_has_a_mean_and_no_interval()
    {
        var e = RepeatStatistics.Of([42.0]);

        Assert.Equal((1, 42.0), (e.N, e.Mean));
        Assert.False(e.HasInterval);
        Assert.Null(RepeatStatistics.OneSidedBound([42.0], 0.95, upper: true));
    }

    [Fact]
    public void One_sided_bound_uses_the_one_sided_quantile()
    {
        // mean 1900, s = 400, n = 3: 1900 + 2.919986 × 400 / √3 = 2574.34.
        Assert.Equal(2574.34, RepeatStatistics.OneSidedBound([1500.0, 2300.0, 1900.0], 0.95, upper: true)!.Value, 2);
        Assert.Equal(1225.66, RepeatStatistics.OneSidedBound([1500.0, 2300.0, 1900.0], 0.95, upper: false)!.Value, 2);
    }

    [Fact]
    public void Welch_test_matches_a_hand_computed_case()
    {
        // means 2 and 5, variances 1 and 1, n = 3 each: t = 3 / √(2/3) = 3.674235, df = 4, p = 0.021312.
        var w = RepeatStatistics.Welch([1.0, 2.0, 3.0], [4.0, 5.0, 6.0])!;

        Assert.Equal(3, w.Difference, 12);
        Assert.Equal(3.674235, w.T, tolerance: 2e-6);
        Assert.Equal(4, w.DegreesOfFreedom, 9);
        Assert.Equal(0.021312, w.PValue, tolerance: 2e-6);
    }

    [Fact]
    public void Welch_needs_two_values_on_each_side() => Assert.Null(RepeatStatistics.Welch([1.0], [1.0, 2.0]));

    [Fact]
    public void Identical_samples_are_not_significantly_different() => Assert.Equal(1, RepeatStatistics.Welch([3.0, 3.0], [3.0, 3.0])!.PValue);
}
