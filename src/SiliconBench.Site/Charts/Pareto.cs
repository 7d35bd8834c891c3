namespace SiliconBench.Site.Charts;

/// <summary>Pareto frontier of two objectives: the points no other point beats on both at once.</summary>
internal static class Pareto
{
    /// <summary>For each point, whether it is on the frontier (not dominated). O(n log n).</summary>
    public static bool[] Frontier(IReadOnlyList<(double X, double Y)> points, bool xHigherIsBetter, bool yHigherIsBetter)
    {
        var onFrontier = new bool[points.Count];
        // Work in "higher is better" for both objectives.
        var sx = xHigherIsBetter ? 1.0 : -1.0;
        var sy = yHigherIsBetter ? 1.0 : -1.0;
        var order = Enumerable.Range(0, points.Count)
            .OrderByDescending(i => sx * points[i].X)
            .ThenByDescending(i => sy * points[i].Y)
            .ThenBy(i => i)
            .ToArray();
        var bestY = double.NegativeInfinity;
        var bestX = double.NaN;
        foreach (var i in order)
        {
            var x = sx * points[i].X;
            var y = sy * points[i].Y;
            if (y > bestY)
            {
                onFrontier[i] = true;
                bestY = y;
                bestX = x;
            }
            else if (y == bestY && x == bestX)
            {
                // An exact duplicate of a frontier point is not dominated by it either.
                onFrontier[i] = true;
            }
        }
        return onFrontier;
    }
}
