using SiliconBench.Analysis;
using SiliconBench.Costs;
using SiliconBench.Metrics;

namespace SiliconBench.Comparing;

/// <summary>
/// Finds one number in a summary by metric and statistic, overall (point null) or at one operating point. The
/// metric's catalog section says where it lives: the metrics object, the cost object, or the energy scopes (the
/// broadest measured one: wall &gt; node &gt; accelerator &gt; cpu_package). Distributions take mean, p50, p90,
/// p95, p99, min or max; a scalar takes <c>value</c> (or <c>mean</c>).
/// </summary>
public static class MetricLookup
{
    /// <summary>Where a looked-up number came from, or why there is none.</summary>
    public sealed record Found(double? Value, string Where, string? Missing);

    /// <summary>By id: an id the catalog does not know is missing, with the nearest known id when there is one.</summary>
    public static Found Find(Summary summary, string? point, string metric, string statistic)
    {
        ArgumentNullException.ThrowIfNull(metric);
        return MetricCatalog.Find(metric) is { } descriptor
            ? Find(summary, point, descriptor, statistic)
            : new Found(null, point ?? "overall", UnknownMetric(metric));
    }

    public static Found Find(Summary summary, string? point, MetricDescriptor metric, string statistic)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(metric);
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

        if (MetricSections.InEnergyScopes(metric.Section))
        {
            foreach (var s in CostAnalysis.ScopesBroadestFirst)
            {
                if (energy.TryGetValue(s, out var e) && e.Contains(metric.Id))
                    return Statistic(e[metric.Id], $"{scope}.energy.{s}.{metric.Id}", statistic);
            }
            return new Found(null, scope, $"{metric.Id}: energy not measured ({summary.Validity.Energy})");
        }
        if (metric.Section == MetricSection.Cost)
        {
            if (cost is null)
                return new Found(null, scope, $"{metric.Id}: the run was not priced (analyze it with --cost FILE)");
            var where = $"{scope}.cost.{metric.Id}";
            return cost.Figures.First(f => f.Key == metric).Value is { } v
                ? Scalar(v, where, statistic)
                : new Found(null, where, "not measured (null in the cost section)");
        }
        return metrics.Contains(metric.Id)
            ? Statistic(metrics[metric.Id], $"{scope}.{metric.Id}", statistic)
            : new Found(null, scope, $"{metric.Id}: not computed for this run (see its definition in docs/metrics.md)");
    }

    /// <summary>The message for an id the catalog does not know, with the nearest known id when there is one.</summary>
    public static string UnknownMetric(string id) =>
        $"unknown metric '{id}'" + (MetricCatalog.Suggest(id) is { } near ? $"; did you mean '{near}'?" : "; see docs/metrics.md for the metric ids");

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
        statistic is MetricStatistics.Value or "mean"
            ? new Found(value, where, null)
            : new Found(null, where, $"'{statistic}' does not apply to a single number; use value");
}
