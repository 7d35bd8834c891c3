using System.Text.Json.Serialization;
using SiliconBench.Costs;
using SiliconBench.Metrics;
using SiliconBench.Records;

namespace SiliconBench.Analysis;

/// <summary>A metric's value: a number or a distribution. A metric that could not be measured is absent (null) in a <see cref="MetricSet"/>.</summary>
public abstract record MetricValue;

public sealed record ScalarMetric(double Value) : MetricValue;

public sealed record Distribution(double Mean, double P50, double P90, double P95, double P99, double Min, double Max, int N) : MetricValue;

/// <summary>
/// Metric id → value, in insertion order (the order the analyzer fixes, and the order of a file read back),
/// so serialization is byte-stable. A null value is a metric that could not be measured.
/// </summary>
[JsonConverter(typeof(MetricSetConverter))]
public sealed class MetricSet
{
    private readonly List<string> _order = [];
    private readonly Dictionary<string, MetricValue?> _values = new(StringComparer.Ordinal);

    /// <summary>
    /// Where these figures come from, when that can differ from the run's own clock (every energy scope says so);
    /// null for latency, throughput and engine metrics, which are always measured from the record's timestamps.
    /// Written as the set's first key, <c>provenance</c>.
    /// </summary>
    public Provenance? Provenance { get; init; }

    public int Count => _order.Count;

    public IEnumerable<string> Ids => _order;

    public IEnumerable<KeyValuePair<string, MetricValue?>> Entries => _order.Select(id => new KeyValuePair<string, MetricValue?>(id, _values[id]));

    public bool Contains(string id) => _values.ContainsKey(id);

    /// <summary>Null when the metric is absent or was not measured; <see cref="Contains"/> tells which.</summary>
    public MetricValue? this[string id] => _values.GetValueOrDefault(id);

    public MetricValue? this[MetricDescriptor metric] => this[metric.Id];

    /// <summary>The number of a scalar metric, null when absent or unmeasured.</summary>
    public double? Scalar(string id) => _values.GetValueOrDefault(id) is ScalarMetric s ? s.Value : null;

    public double? Scalar(MetricDescriptor metric) => Scalar(metric.Id);

    public Distribution? DistributionOf(string id) => _values.GetValueOrDefault(id) as Distribution;

    public Distribution? DistributionOf(MetricDescriptor metric) => DistributionOf(metric.Id);

    /// <summary>Sets (or replaces, keeping its place) a metric of the catalog: the analyzer writes only these.</summary>
    public void Set(MetricDescriptor metric, MetricValue? value) => Set(metric.Id, value);

    /// <summary>Sets a scalar; null, NaN and infinities are stored as not measured.</summary>
    public void Set(MetricDescriptor metric, double? value) => Set(metric.Id, value);

    /// <summary>By id, for a summary read back (which may hold ids a newer analyzer wrote).</summary>
    internal void Set(string id, MetricValue? value)
    {
        if (!_values.ContainsKey(id))
            _order.Add(id);
        _values[id] = value;
    }

    internal void Set(string id, double? value) =>
        Set(id, value is { } v && double.IsFinite(v) ? new ScalarMetric(v) : null);
}

/// <summary>What a reader must know before trusting the numbers.</summary>
public sealed record Validity
{
    /// <summary>Complete run, at least one measured request, and no failed measured request.</summary>
    [JsonRequired]
    public bool Valid { get; init; }
    public string? IncompleteReason { get; init; }
    /// <summary>Measured (non-warm-up) requests whose status is not ok.</summary>
    [JsonRequired]
    public int FailedRequests { get; init; }
    /// <summary>All measured (non-warm-up) requests, failed ones included.</summary>
    [JsonRequired]
    public int MeasuredRequests { get; init; }
    /// <summary>Length of the overall measurement window in seconds; null when there is none.</summary>
    public double? WindowS { get; init; }
    /// <summary><c>measured: …</c> (or <c>imported: …</c>, <c>estimated: …</c>: the weakest energy scope's provenance) with each scope's method, or <c>not measured: …</c> with the reason.</summary>
    public required string Energy { get; init; }
    /// <summary>Why metrics are null, and anything else that qualifies the numbers, in a fixed order.</summary>
    [JsonRequired]
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>The metrics of one operating point, over that point's own window.</summary>
public sealed record PointSummary
{
    public required string Point { get; init; }
    public int? Batch { get; init; }
    public required MetricSet Metrics { get; init; }
    /// <summary>Sensor scope → energy metrics; filled by the energy analysis, empty until then.</summary>
    [JsonRequired]
    [JsonConverter(typeof(EnergyScopesConverter))]
    public SortedDictionary<string, MetricSet> Energy { get; init; } = new(StringComparer.Ordinal);
    /// <summary>What the point costs and what a dollar buys there; null when no cost sheet was given.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CostSection? Cost { get; init; }
}

/// <summary>The content of <c>summary.json</c> (schema <c>siliconbench.summary/1</c>).</summary>
public sealed record Summary
{
    public string Schema { get; init; } = RunFiles.SummarySchema;
    public required string RunId { get; init; }
    [JsonRequired]
    public bool Complete { get; init; }
    public required Validity Validity { get; init; }
    public required MetricSet Overall { get; init; }
    [JsonRequired]
    public IReadOnlyList<PointSummary> Points { get; init; } = [];
    /// <summary>Sensor scope → energy metrics over the overall window; empty until the energy analysis fills it.</summary>
    [JsonRequired]
    [JsonConverter(typeof(EnergyScopesConverter))]
    public SortedDictionary<string, MetricSet> Energy { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Cost over the overall window (<see cref="CostAnalysis"/>); null (not written) when no cost sheet was given.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CostSection? Cost { get; init; }

    /// <summary>Serving sweeps only: the knee of the load sweep and the best points (<see cref="ServingAnalysis"/>); null (not written) otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ServingSummary? Serving { get; init; }

    /// <summary>
    /// The energy plug: returns this summary with energy metrics per scope (overall and per point) and
    /// <c>validity.energy</c> set, plus any notes the energy analysis has (coverage gaps, throttling).
    /// Points not in <paramref name="byPoint"/> keep an empty energy object.
    /// </summary>
    public Summary WithEnergy(
        string energyStatus,
        IReadOnlyDictionary<string, MetricSet> overall,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, MetricSet>> byPoint,
        IEnumerable<string> notes)
    {
        ArgumentNullException.ThrowIfNull(overall);
        ArgumentNullException.ThrowIfNull(byPoint);
        ArgumentNullException.ThrowIfNull(notes);
        var withEnergy = this with
        {
            Validity = Validity with { Energy = energyStatus, Notes = [.. Validity.Notes, .. notes] },
            Energy = new SortedDictionary<string, MetricSet>(overall.ToDictionary(), StringComparer.Ordinal),
            Points = [.. Points.Select(p => byPoint.TryGetValue(p.Point, out var e)
                ? p with { Energy = new SortedDictionary<string, MetricSet>(e.ToDictionary(), StringComparer.Ordinal) }
                : p)],
        };
        // A summary already priced is priced again, so an owned system's energy line uses the measured power.
        return Cost is { PricedWith: { } sheet } cost ? CostAnalysis.Apply(withEnergy, sheet, cost.Accelerators) : withEnergy;
    }
}
