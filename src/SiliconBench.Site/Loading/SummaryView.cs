using System.Globalization;
using System.Text.Json;

namespace SiliconBench.Site.Loading;

/// <summary>One operating point of a run, as summary.json reports it.</summary>
internal sealed record PointSummary(string Name, int? Batch, MetricSet Metrics, IReadOnlyList<ScopeEnergy> Energy, MetricSet Cost, bool Projected);

/// <summary>Energy metrics for one sensor scope (accelerator, cpu_package, node …).</summary>
internal sealed record ScopeEnergy(string Scope, MetricSet Metrics, bool Estimated);

/// <summary>
/// summary.json read with <see cref="JsonDocument"/>, tolerant of anything missing: the typed summary
/// lives elsewhere and may grow, and a published site must still render older or partial files.
/// </summary>
internal sealed class SummaryView
{
    public string? RunId { get; private init; }
    public bool Complete { get; private init; } = true;
    public string? IncompleteReason { get; private init; }
    public bool? Valid { get; private init; }
    public string? EnergyNote { get; private init; }
    public IReadOnlyList<string> Notes { get; private init; } = [];
    /// <summary>Every validity field except notes, formatted for display, in file order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ValidityFields { get; private init; } = [];
    public MetricSet Overall { get; private init; } = MetricSet.Empty;
    public IReadOnlyList<PointSummary> Points { get; private init; } = [];
    public IReadOnlyList<ScopeEnergy> Energy { get; private init; } = [];
    public MetricSet Cost { get; private init; } = MetricSet.Empty;
    public bool HasCost { get; private init; }
    /// <summary>A serving sweep's knee, envelopes and best points (strings: point ids and the rule).</summary>
    public MetricSet Serving { get; private init; } = MetricSet.Empty;
    /// <summary>The summary marks some figures as projected (not measured on this hardware).</summary>
    public bool Projected { get; private init; }
    /// <summary>The summary marks some non-energy figures as estimated.</summary>
    public bool Estimated { get; private init; }

    public static SummaryView Parse(JsonElement root)
    {
        var validity = root.TryGetProperty("validity", out var v) && v.ValueKind == JsonValueKind.Object ? v : default;
        var notes = new List<string>();
        var fields = new List<KeyValuePair<string, string>>();
        string? incompleteReason = Str(root, "incomplete_reason");
        bool? valid = null;
        string? energyNote = null;
        if (validity.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in validity.EnumerateObject())
            {
                if (p.NameEquals("notes") && p.Value.ValueKind == JsonValueKind.Array)
                {
                    foreach (var n in p.Value.EnumerateArray())
                        notes.Add(n.ValueKind == JsonValueKind.String ? n.GetString()! : n.GetRawText());
                    continue;
                }
                if (p.NameEquals("valid") && p.Value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                    valid = p.Value.GetBoolean();
                if (p.NameEquals("incomplete_reason") && p.Value.ValueKind == JsonValueKind.String)
                    incompleteReason ??= p.Value.GetString();
                if (p.NameEquals("energy") && p.Value.ValueKind == JsonValueKind.String)
                    energyNote = p.Value.GetString();
                fields.Add(new(p.Name, Display(p.Value)));
            }
        }

        var energy = ReadEnergy(root);
        var points = new List<PointSummary>();
        if (root.TryGetProperty("points", out var pts) && pts.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var p in pts.EnumerateArray())
            {
                i++;
                if (p.ValueKind != JsonValueKind.Object)
                    continue;
                var name = Str(p, "point") ?? Str(p, "name") ?? "point " + i.ToString(CultureInfo.InvariantCulture);
                int? batch = p.TryGetProperty("batch", out var b) && b.ValueKind == JsonValueKind.Number && b.TryGetInt32(out var bi) ? bi : null;
                var metrics = p.TryGetProperty("metrics", out var m) ? MetricSet.Read(m) : MetricSet.Empty;
                var cost = p.TryGetProperty("cost", out var c) ? MetricSet.Read(c) : MetricSet.Empty;
                points.Add(new PointSummary(name, batch, metrics, ReadEnergy(p), cost, MarkedAs(p, "projected")));
            }
        }

        var hasCost = root.TryGetProperty("cost", out var costEl) && costEl.ValueKind == JsonValueKind.Object;
        var overall = root.TryGetProperty("overall", out var o) ? MetricSet.Read(o) : MetricSet.Empty;
        return new SummaryView
        {
            RunId = Str(root, "run_id"),
            Complete = !(root.TryGetProperty("complete", out var comp) && comp.ValueKind == JsonValueKind.False),
            IncompleteReason = incompleteReason,
            Valid = valid,
            EnergyNote = energyNote,
            Notes = notes,
            ValidityFields = fields,
            Overall = overall,
            Points = points,
            Energy = energy,
            Cost = hasCost ? MetricSet.Read(costEl) : MetricSet.Empty,
            HasCost = hasCost,
            Serving = root.TryGetProperty("serving", out var servingEl) ? MetricSet.Read(servingEl) : MetricSet.Empty,
            Projected = MarkedAs(root, "projected") || points.Any(p => p.Projected),
            Estimated = MarkedAs(root, "estimated", skip: "energy") || (hasCost && MarkedAs(costEl, "estimated")),
        };
    }

    private static List<ScopeEnergy> ReadEnergy(JsonElement owner)
    {
        var list = new List<ScopeEnergy>();
        if (!owner.TryGetProperty("energy", out var e) || e.ValueKind != JsonValueKind.Object)
            return list;
        foreach (var scope in e.EnumerateObject())
        {
            if (scope.Value.ValueKind != JsonValueKind.Object)
                continue;
            list.Add(new ScopeEnergy(scope.Name, MetricSet.Read(scope.Value), MarkedAs(scope.Value, "estimated")));
        }
        return list;
    }

    /// <summary>
    /// True where the object says it is projected/estimated: a flag (<c>"projected": true</c>,
    /// <c>"is_estimated": true</c>) or a basis/method/source text that starts with the word.
    /// </summary>
    internal static bool MarkedAs(JsonElement obj, string word, string? skip = null)
    {
        if (obj.ValueKind != JsonValueKind.Object)
            return false;
        foreach (var p in obj.EnumerateObject())
        {
            if (skip is not null && p.NameEquals(skip))
                continue;
            var name = p.Name;
            if ((name.Equals(word, StringComparison.OrdinalIgnoreCase) || name.Equals("is_" + word, StringComparison.OrdinalIgnoreCase))
                && p.Value.ValueKind == JsonValueKind.True)
                return true;
            if (name is "basis" or "method" or "source" or "kind" or "provenance" && p.Value.ValueKind == JsonValueKind.String
                && p.Value.GetString()!.StartsWith(word, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    private static string? Str(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;

    private static string Display(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString()!,
        JsonValueKind.Null => Text.Format.None,
        JsonValueKind.True => "yes",
        JsonValueKind.False => "no",
        JsonValueKind.Number => Text.Format.Number(e.GetDouble()),
        _ => e.GetRawText(),
    };
}
