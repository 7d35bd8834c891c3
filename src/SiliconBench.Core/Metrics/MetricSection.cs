namespace SiliconBench.Metrics;

/// <summary>What a metric is about, and so where summary.json keeps it (<see cref="MetricSections.Where"/>).</summary>
public enum MetricSection
{
    Latency,
    Throughput,
    Goodput,
    /// <summary>Engine mode (steps.jsonl): phase throughput, step times, realized bandwidth and FLOP rate.</summary>
    Engine,
    /// <summary>Serving runs: the load each operating point put on the server.</summary>
    Serving,
    /// <summary>Per sensor scope, overall and per point.</summary>
    Energy,
    /// <summary>Per sensor scope, overall only: how well the sensors covered the window.</summary>
    EnergyCoverage,
    Cost,
}

/// <summary>Titles and locations of the sections, for the metric reference and for lookups.</summary>
public static class MetricSections
{
    public static string Title(MetricSection section) => section switch
    {
        MetricSection.Latency => "Latency",
        MetricSection.Throughput => "Throughput",
        MetricSection.Goodput => "Goodput",
        MetricSection.Engine => "Engine steps and roofline",
        MetricSection.Serving => "Serving load",
        MetricSection.Energy => "Energy",
        MetricSection.EnergyCoverage => "Sensor coverage",
        MetricSection.Cost => "Cost",
        _ => throw new ArgumentOutOfRangeException(nameof(section), section, null),
    };

    /// <summary>Where in summary.json metrics of this section are found.</summary>
    public static string Where(MetricSection section) => section switch
    {
        MetricSection.Serving => "points[].metrics",
        MetricSection.Energy => "energy.<scope>, points[].energy.<scope>",
        MetricSection.EnergyCoverage => "energy.<scope>",
        MetricSection.Cost => "cost, points[].cost",
        _ => "overall, points[].metrics",
    };

    /// <summary>Energy sections live in energy scopes, cost in the cost object, the rest in the metrics objects.</summary>
    public static bool InEnergyScopes(MetricSection section) => section is MetricSection.Energy or MetricSection.EnergyCoverage;
}
