namespace SiliconBench.Comparing;

/// <summary>
/// A metric over repetitions (one value per run record): mean, sample standard deviation and a two-sided
/// Student-t confidence interval mean ± t(1 − α/2, n − 1)·s/√n. With n = 1 there is no spread estimate, so
/// <see cref="StdDev"/>, <see cref="Low"/> and <see cref="High"/> are null: one repetition proves no bound.
/// </summary>
public sealed record RepeatEstimate(int N, double Mean, double? StdDev, double? Low, double? High, double Confidence)
{
    public bool HasInterval => Low is not null;
}

/// <summary>Result of Welch's unequal-variance t-test on two samples.</summary>
public sealed record WelchTest(double Difference, double T, double DegreesOfFreedom, double PValue);

public static class RepeatStatistics
{
    public const double DefaultConfidence = 0.95;

    public static RepeatEstimate Of(IReadOnlyList<double> values, double confidence = DefaultConfidence)
    {
        ArgumentNullException.ThrowIfNull(values);
        CheckConfidence(confidence);
        if (values.Count == 0)
            throw new ArgumentException("no values", nameof(values));
        var n = values.Count;
        var mean = values.Average();
        if (n == 1)
            return new RepeatEstimate(1, mean, null, null, null, confidence);
        var sd = StdDev(values, mean);
        var half = StudentT.Quantile(1 - (1 - confidence) / 2, n - 1) * sd / Math.Sqrt(n);
        return new RepeatEstimate(n, mean, sd, mean - half, mean + half, confidence);
    }

    /// <summary>
    /// One-sided bound at <paramref name="confidence"/>: the upper bound mean + t(c, n − 1)·s/√n (or the lower one),
    /// which the true mean stays below (above) with that confidence. Null for n &lt; 2.
    /// </summary>
    public static double? OneSidedBound(IReadOnlyList<double> values, double confidence, bool upper)
    {
        ArgumentNullException.ThrowIfNull(values);
        CheckConfidence(confidence);
        if (values.Count < 2)
            return null;
        var mean = values.Average();
        var margin = StudentT.Quantile(confidence, values.Count - 1) * StdDev(values, mean) / Math.Sqrt(values.Count);
        return upper ? mean + margin : mean - margin;
    }

    /// <summary>
    /// Welch's t-test of mean(b) − mean(a); null when either sample has fewer than 2 values. When both samples have
    /// no spread the p-value is 1 for equal means and 0 otherwise (the t statistic is then infinite or undefined).
    /// </summary>
    public static WelchTest? Welch(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count < 2 || b.Count < 2)
            return null;
        double ma = a.Average(), mb = b.Average();
        double va = Math.Pow(StdDev(a, ma), 2) / a.Count, vb = Math.Pow(StdDev(b, mb), 2) / b.Count;
        var diff = mb - ma;
        if (va + vb == 0)
            return new WelchTest(diff, diff == 0 ? 0 : Math.Sign(diff) * double.PositiveInfinity, a.Count + b.Count - 2, diff == 0 ? 1 : 0);
        var t = diff / Math.Sqrt(va + vb);
        var df = Math.Pow(va + vb, 2) / (va * va / (a.Count - 1) + vb * vb / (b.Count - 1));
        return new WelchTest(diff, t, df, StudentT.TwoSidedP(t, df));
    }

    private static double StdDev(IReadOnlyList<double> values, double mean) =>
        Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));

    private static void CheckConfidence(double confidence)
    {
        if (!(confidence > 0 && confidence < 1))
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "a confidence level strictly between 0 and 1");
    }
}
