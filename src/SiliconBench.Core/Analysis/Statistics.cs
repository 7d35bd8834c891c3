namespace SiliconBench.Analysis;

/// <summary>Order statistics as docs/metrics.md fixes them.</summary>
public static class Statistics
{
    /// <summary>
    /// The <paramref name="percent"/>-th percentile (0–100) of ascending-sorted values by linear interpolation
    /// between closest ranks, numpy's default: rank h = (n − 1)·p/100, value = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
    /// </summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percent)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
            throw new ArgumentException("no values", nameof(sorted));
        if (!(percent >= 0 && percent <= 100))
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "expected 0 to 100");
        var h = (sorted.Count - 1) * percent / 100.0;
        var lower = (int)Math.Floor(h);
        if (lower >= sorted.Count - 1)
            return sorted[^1];
        var fraction = h - lower;
        return sorted[lower] + (fraction * (sorted[lower + 1] - sorted[lower]));
    }

    /// <summary>Mean, p50/p90/p95/p99, min, max and count; null when there is nothing to describe.</summary>
    public static Distribution? Describe(IEnumerable<double> values)
    {
        var sorted = values.ToArray();
        if (sorted.Length == 0)
            return null;
        Array.Sort(sorted);
        var sum = 0.0;
        foreach (var v in sorted)
            sum += v;
        return new Distribution(
            Mean: sum / sorted.Length,
            P50: Percentile(sorted, 50),
            P90: Percentile(sorted, 90),
            P95: Percentile(sorted, 95),
            P99: Percentile(sorted, 99),
            Min: sorted[0],
            Max: sorted[^1],
            N: sorted.Length);
    }
}
