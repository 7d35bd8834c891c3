using SiliconBench.Analysis;
using SiliconBench.Costs;

namespace SiliconBench.Comparing;

/// <summary>
/// Finds one number in a summary by metric id and statistic, overall (point null) or at one operating point.
/// A metric is looked up in the point's metrics, then its cost section (<see cref="CostMetricIds"/>), then its
/// energy metrics at the broadest measured scope (wall &gt; node &gt; accelerator &gt; cpu_package).
/// Distributions take mean, p50, p90, p95, p99, min or max; a scalar takes <c>value</c> (or <c>mean</c>).
/// </summary>
public static class MetricLookup
{
    public static readonly IReadOnlyList<string> Statistics = ["value", "mean", "p50", "p90", "p95", "p99", "min", "max"];

    /// <summary>Where a looked-up number came from, or why there is none.</summary>
    public sealed record Found(double? Value, string Where, string? Missing);

    public static Found Find(Summary summary, string? point, string metric, string statistic)
    {
        ArgumentNullException.ThrowIfNull(summary);
        MetricSet metrics;
        IReadOnlyDictionary<string, MetricSet> energy;
        CostSection? cost;
        var scope = point ?? "overall";
        if (point is null)
            (metrics, energy, cost) = (summary.Overall, summary.Energy, summary.Cost);
        else if (summary.Points.FirstOrDefault(p => p.Point == point) is { } p)
            (metrics, energy, cost) = (p.Metrics, p.Energy, p.Cost);
        else
            return new Found(null, scope, $"the run has no operating point '{point}'");

        if (metrics.Contains(metric))
            return Statistic(metrics[metric], $"{scope}.{metric}", statistic);
        if (cost is not null && cost.Figures.FirstOrDefault(f => f.Key == metric) is { Key: not null } figure)
            return figure.Value is { } v ? Scalar(v, $"{scope}.cost.{metric}", statistic) : new Found(null, $"{scope}.cost.{metric}", "not measured (null in the cost section)");
        foreach (var s in CostAnalysis.ScopesBroadestFirst)
        {
            if (energy.TryGetValue(s, out var e) && e.Contains(metric))
                return Statistic(e[metric], $"{scope}.energy.{s}.{metric}", statistic);
        }
        if (metric.StartsWith("usd", StringComparison.Ordinal) || metric.Contains("_per_usd", StringComparison.Ordinal))
            return new Found(null, scope, $"{metric}: the run was not priced (analyze it with --cost FILE)");
        if (metric.Contains("_per_j", StringComparison.Ordinal) || metric.Contains("power", StringComparison.Ordinal) || metric.StartsWith("energy", StringComparison.Ordinal))
            return new Found(null, scope, $"{metric}: energy not measured ({summary.Validity.Energy})");
        return new Found(null, scope, $"{metric}: no such metric in the summary");
    }

    private static Found Statistic(MetricValue? value, string where, string statistic) => value switch
    {
        null => new Found(null, where, "not measured (null in the summary)"),
        ScalarMetric s => Scalar(s.Value, where, statistic),
        Distribution d => statistic switch
        {
            "mean" => new Found(d.Mean, $"{where}.mean", null),
            "p50" => new Found(d.P50, $"{where}.p50", null),
            "p90" => new Found(d.P90, $"{where}.p90", null),
            "p95" => new Found(d.P95, $"{where}.p95", null),
            "p99" => new Found(d.P99, $"{where}.p99", null),
            "min" => new Found(d.Min, $"{where}.min", null),
            "max" => new Found(d.Max, $"{where}.max", null),
            _ => new Found(null, where, $"'{statistic}' does not apply to a distribution; use mean, p50, p90, p95, p99, min or max"),
        },
        _ => new Found(null, where, "unknown metric value"),
    };

    private static Found Scalar(double value, string where, string statistic) =>
        statistic is "value" or "mean"
            ? new Found(value, where, null)
            : new Found(null, where, $"'{statistic}' does not apply to a single number; use value");
}
