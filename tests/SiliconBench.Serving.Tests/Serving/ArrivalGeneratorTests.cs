using SiliconBench.Serving;
using Xunit;

namespace SiliconBench.Tests.Serving;

public class ArrivalGeneratorTests
{
    private static double[] Gaps(double rate, double burstiness, int seed, string stream, int n)
    {
        var generator = new ArrivalGenerator(rate, burstiness, seed, stream);
        return Enumerable.Range(0, n).Select(_ => generator.NextGap()).ToArray();
    }

    [Fact]
    public void The_same_seed_and_point_give_the_same_arrivals_and_others_differ()
    {
        Assert.Equal(Gaps(8, 1, 42, "r8.0", 100), Gaps(8, 1, 42, "r8.0", 100));
        Assert.NotEqual(Gaps(8, 1, 42, "r8.0", 100), Gaps(8, 1, 43, "r8.0", 100));
        Assert.NotEqual(Gaps(8, 1, 42, "r8.0", 100), Gaps(8, 1, 42, "r9.0", 100));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(4.0)]
    public void Mean_gap_is_one_over_the_rate_and_spread_matches_the_shape(double burstiness)
    {
        const double rate = 8;
        const int n = 20_000;
        var gaps = Gaps(rate, burstiness, seed: 1, "r8.0", n);
        var mean = gaps.Average();
        var sd = Math.Sqrt(gaps.Sum(g => (g - mean) * (g - mean)) / (n - 1));

        // Gamma(k, 1/(k·rate)): mean 1/rate, coefficient of variation 1/√k. Bound: 4 standard errors of the mean.
        var expectedCv = 1 / Math.Sqrt(burstiness);
        var standardError = expectedCv / rate / Math.Sqrt(n);
        Assert.InRange(mean, 1 / rate - 4 * standardError, 1 / rate + 4 * standardError);
        Assert.InRange(sd / mean, expectedCv * 0.9, expectedCv * 1.1);
        Assert.All(gaps, g => Assert.True(g >= 0));
    }

    [Fact]
    public void Poisson_arrivals_in_a_window_have_poisson_counts()
    {
        // Counts per 1 s bin at rate 5: variance ≈ mean for a Poisson process.
        var gaps = Gaps(5, 1, seed: 3, "p", 50_000);
        var counts = new Dictionary<int, int>();
        var t = 0.0;
        foreach (var g in gaps)
        {
            t += g;
            counts[(int)t] = counts.GetValueOrDefault((int)t) + 1;
        }
        var bins = Enumerable.Range(0, (int)t).Select(b => (double)counts.GetValueOrDefault(b)).ToArray();
        var mean = bins.Average();
        var variance = bins.Sum(c => (c - mean) * (c - mean)) / (bins.Length - 1);
        Assert.InRange(mean, 4.9, 5.1);
        Assert.InRange(variance / mean, 0.9, 1.1);
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(-1.0, 1.0)]
    [InlineData(double.PositiveInfinity, 1.0)]
    [InlineData(1.0, 0.0)]
    public void Rates_and_shapes_must_be_positive_and_finite(double rate, double burstiness) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ArrivalGenerator(rate, burstiness, 1, "x"));

    [Fact]
    public void Sweep_points_are_named_by_concurrency_or_rate()
    {
        var closed = ServingPoint.Sweep(new Workloads.ArrivalProcess { Kind = Workloads.ArrivalKind.ClosedLoop, Concurrency = [1, 16] }, 10, null);
        var open = ServingPoint.Sweep(new Workloads.ArrivalProcess { Kind = Workloads.ArrivalKind.Gamma, RatesPerSecond = [8, 2.5], Burstiness = 0.5 }, null, 30);
        Assert.Equal(["c1", "c16"], closed.Select(p => p.Id));
        Assert.Equal(["r8.0", "r2.5"], open.Select(p => p.Id));
        Assert.All(open, p => Assert.Equal(0.5, p.Burstiness));
        Assert.Throws<ArgumentException>(() => ServingPoint.Closed(4));
    }
}
