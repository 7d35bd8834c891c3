namespace SiliconBench.Site.Charts;

/// <summary>Cuts a time series to a point budget while keeping its peaks and troughs visible.</summary>
internal static class Downsample
{
    /// <summary>
    /// Min/max per bucket, in time order: a power spike shorter than a pixel still shows, which
    /// an every-n-th sample would drop. Returns the input when it already fits.
    /// </summary>
    public static IReadOnlyList<(double X, double Y)> MinMax(IReadOnlyList<(double X, double Y)> points, int budget)
    {
        if (points.Count <= budget || budget < 4)
            return points;
        var buckets = budget / 2;
        var result = new List<(double X, double Y)>(buckets * 2);
        for (var b = 0; b < buckets; b++)
        {
            var start = (int)((long)b * points.Count / buckets);
            var end = (int)((long)(b + 1) * points.Count / buckets);
            if (end <= start)
                continue;
            int lo = start, hi = start;
            for (var i = start + 1; i < end; i++)
            {
                if (points[i].Y < points[lo].Y)
                    lo = i;
                if (points[i].Y > points[hi].Y)
                    hi = i;
            }
            if (lo == hi)
            {
                result.Add(points[lo]);
            }
            else
            {
                result.Add(points[Math.Min(lo, hi)]);
                result.Add(points[Math.Max(lo, hi)]);
            }
        }
        return result;
    }

    /// <summary>Indices of an evenly spread subset of <paramref name="count"/> items of size at most <paramref name="budget"/>.</summary>
    public static IEnumerable<int> Even(int count, int budget)
    {
        if (count <= budget)
            return Enumerable.Range(0, count);
        return Enumerable.Range(0, budget).Select(k => (int)((long)k * count / budget)).Distinct();
    }
}
