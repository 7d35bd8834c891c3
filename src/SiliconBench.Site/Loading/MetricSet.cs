using System.Text.Json;

namespace SiliconBench.Site.Loading;

/// <summary>A latency distribution as summary.json writes it.</summary>
internal sealed record Distribution(double? Mean, double? P50, double? P90, double? P95, double? P99, double? Min, double? Max, long? N);

/// <summary>One metric: a number, a distribution, a text (e.g. a basis), or nothing (not measured).</summary>
internal sealed record MetricValue(double? Scalar, Distribution? Distribution, string? Text);

/// <summary>The metrics of one summary object in file order; tolerant of any id being null or missing.</summary>
internal sealed class MetricSet
{
    public static readonly MetricSet Empty = new([]);

    private readonly Dictionary<string, MetricValue> _byId;

    public MetricSet(List<KeyValuePair<string, MetricValue>> entries)
    {
        Entries = entries;
        _byId = new Dictionary<string, MetricValue>(StringComparer.Ordinal);
        foreach (var (k, v) in entries)
            _byId[k] = v;
    }

    public IReadOnlyList<KeyValuePair<string, MetricValue>> Entries { get; }

    public double? Scalar(string id) => _byId.TryGetValue(id, out var v) ? v.Scalar : null;

    public Distribution? Dist(string id) => _byId.TryGetValue(id, out var v) ? v.Distribution : null;

    public string? Text(string id) => _byId.TryGetValue(id, out var v) ? v.Text : null;

    public static MetricSet Read(JsonElement obj)
    {
        if (obj.ValueKind != JsonValueKind.Object)
            return Empty;
        var list = new List<KeyValuePair<string, MetricValue>>();
        foreach (var p in obj.EnumerateObject())
        {
            var v = p.Value;
            MetricValue? value = v.ValueKind switch
            {
                JsonValueKind.Number => new MetricValue(v.GetDouble(), null, null),
                JsonValueKind.Null => new MetricValue(null, null, null),
                JsonValueKind.String => new MetricValue(null, null, v.GetString()),
                JsonValueKind.True => new MetricValue(null, null, "true"),
                JsonValueKind.False => new MetricValue(null, null, "false"),
                JsonValueKind.Object when v.TryGetProperty("p50", out _) || v.TryGetProperty("mean", out _) =>
                    new MetricValue(null, ReadDistribution(v), null),
                _ => null,
            };
            if (value is not null)
                list.Add(new(p.Name, value));
        }
        return new MetricSet(list);
    }

    private static Distribution ReadDistribution(JsonElement v)
    {
        double? N(string name) => v.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.Number ? e.GetDouble() : null;
        var n = N("n");
        return new Distribution(N("mean"), N("p50"), N("p90"), N("p95"), N("p99"), N("min"), N("max"), n is { } c ? (long)c : null);
    }
}
