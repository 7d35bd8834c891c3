using System.Text.Json;
using SiliconBench.Costs;
using SiliconBench.Diagnostics;
using SiliconBench.Metrics;

namespace SiliconBench.Analysis;

/// <summary>Reads <c>summary.json</c> back (for report, compare and gate), keeping the file's key order.</summary>
public static class SummaryReader
{
    public static Summary Read(string path)
    {
        if (!File.Exists(path))
            throw new InputException(path, null, null, "no summary.json here; run `siliconbench analyze RUN_DIR` first");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses summary JSON text; <paramref name="file"/> names it in error messages.</summary>
    public static Summary Parse(string json, string file = "summary.json")
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new InputException(file, (int)(e.LineNumber ?? 0) + 1, null, "not valid JSON: " + e.Message, e);
        }
        using (document)
        {
            var root = Expect(document.RootElement, JsonValueKind.Object, file, "(root)");
            var schema = String(root, "schema", file);
            if (schema != Records.RunFiles.SummarySchema)
                throw new InputException(file, null, "schema", $"expected `{Records.RunFiles.SummarySchema}`, found `{schema}`");
            var validity = Property(root, "validity", JsonValueKind.Object, file);
            return new Summary
            {
                Schema = schema,
                RunId = String(root, "run_id", file),
                Complete = Property(root, "complete", JsonValueKind.True, file, JsonValueKind.False).GetBoolean(),
                Validity = new Validity
                {
                    Valid = Property(validity, "valid", JsonValueKind.True, file, JsonValueKind.False).GetBoolean(),
                    IncompleteReason = OptionalString(validity, "incomplete_reason", file),
                    FailedRequests = Property(validity, "failed_requests", JsonValueKind.Number, file).GetInt32(),
                    MeasuredRequests = Property(validity, "measured_requests", JsonValueKind.Number, file).GetInt32(),
                    WindowS = OptionalNumber(validity, "window_s", file),
                    Energy = String(validity, "energy", file),
                    Notes = [.. Property(validity, "notes", JsonValueKind.Array, file).EnumerateArray().Select(n => Expect(n, JsonValueKind.String, file, "validity.notes").GetString()!)],
                },
                Overall = Metrics(Property(root, "overall", JsonValueKind.Object, file), file, "overall"),
                Points = [.. Property(root, "points", JsonValueKind.Array, file).EnumerateArray().Select(p => Point(p, file))],
                Energy = Energy(Property(root, "energy", JsonValueKind.Object, file), file, "energy"),
                Cost = Cost(root, file, "cost"),
                Serving = Serving(root, file),
            };
        }
    }

    private static PointSummary Point(JsonElement p, string file)
    {
        Expect(p, JsonValueKind.Object, file, "points[]");
        var batch = p.TryGetProperty("batch", out var b) && b.ValueKind == JsonValueKind.Number ? b.GetInt32() : (int?)null;
        return new PointSummary
        {
            Point = String(p, "point", file),
            Batch = batch,
            Metrics = Metrics(Property(p, "metrics", JsonValueKind.Object, file), file, "points[].metrics"),
            Energy = p.TryGetProperty("energy", out var e) ? Energy(Expect(e, JsonValueKind.Object, file, "points[].energy"), file, "points[].energy") : new(StringComparer.Ordinal),
            Cost = Cost(p, file, "points[].cost"),
        };
    }

    private static ServingSummary? Serving(JsonElement root, string file)
    {
        if (!root.TryGetProperty("serving", out var s) || s.ValueKind == JsonValueKind.Null)
            return null;
        Expect(s, JsonValueKind.Object, file, "serving");
        return new ServingSummary
        {
            KneePoint = OptionalString(s, "knee_point", file),
            StableEnvelopePoint = OptionalString(s, "stable_envelope_point", file),
            MaxGoodputPoint = OptionalString(s, "max_goodput_point", file),
            MaxThroughputPoint = OptionalString(s, "max_throughput_point", file),
            SloEnvelopePoint = OptionalString(s, "slo_envelope_point", file),
            KneeRule = String(s, "knee_rule", file),
        };
    }

    /// <summary>The optional cost object (absent or null: the run was not priced).</summary>
    private static CostSection? Cost(JsonElement parent, string file, string where)
    {
        if (!parent.TryGetProperty("cost", out var c) || c.ValueKind == JsonValueKind.Null)
            return null;
        Expect(c, JsonValueKind.Object, file, where);
        double? Opt(string name) => OptionalNumber(c, name, file);
        double Req(string name) => Property(c, name, JsonValueKind.Number, file, context: where).GetDouble();
        return new CostSection
        {
            Sheet = Property(c, "sheet", JsonValueKind.String, file, context: where).GetString()!,
            SheetSha256 = Property(c, "sheet_sha256", JsonValueKind.String, file, context: where).GetString()!,
            AsOf = OptionalString(c, "as_of", file),
            Basis = Property(c, "basis", JsonValueKind.String, file, context: where).GetString()!,
            Accelerators = Property(c, "accelerators", JsonValueKind.Number, file, context: where).GetInt32(),
            PowerScope = OptionalString(c, "power_scope", file),
            PowerW = Opt("power_w"),
            UsdPerHour = Req(MetricCatalog.UsdPerHour.Id),
            RentUsdPerHour = Req(MetricCatalog.RentUsdPerHour.Id),
            CapitalUsdPerHour = Req(MetricCatalog.CapitalUsdPerHour.Id),
            HostingUsdPerHour = Req(MetricCatalog.HostingUsdPerHour.Id),
            EnergyUsdPerHour = Opt(MetricCatalog.EnergyUsdPerHour.Id),
            OutputTokensPerUsd = Opt(MetricCatalog.OutputTokensPerUsd.Id),
            TotalTokensPerUsd = Opt(MetricCatalog.TotalTokensPerUsd.Id),
            UsdPerMillionOutputTokens = Opt(MetricCatalog.UsdPerMillionOutputTokens.Id),
            UsdPerMillionTotalTokens = Opt(MetricCatalog.UsdPerMillionTotalTokens.Id),
        };
    }

    private static SortedDictionary<string, MetricSet> Energy(JsonElement e, string file, string where)
    {
        var result = new SortedDictionary<string, MetricSet>(StringComparer.Ordinal);
        foreach (var scope in e.EnumerateObject())
            result[scope.Name] = Metrics(Expect(scope.Value, JsonValueKind.Object, file, $"{where}.{scope.Name}"), file, $"{where}.{scope.Name}");
        return result;
    }

    private static MetricSet Metrics(JsonElement e, string file, string where)
    {
        var set = new MetricSet();
        foreach (var m in e.EnumerateObject())
        {
            var field = $"{where}.{m.Name}";
            switch (m.Value.ValueKind)
            {
                case JsonValueKind.Null:
                    set.Set(m.Name, (MetricValue?)null);
                    break;
                case JsonValueKind.Number:
                    set.Set(m.Name, new ScalarMetric(m.Value.GetDouble()));
                    break;
                case JsonValueKind.Object:
                    var d = m.Value;
                    set.Set(m.Name, new Distribution(
                        Number(d, "mean", file, field), Number(d, "p50", file, field), Number(d, "p90", file, field),
                        Number(d, "p95", file, field), Number(d, "p99", file, field), Number(d, "min", file, field),
                        Number(d, "max", file, field), Property(d, "n", JsonValueKind.Number, file, context: field).GetInt32()));
                    break;
                default:
                    throw new InputException(file, null, field, "expected a number, a distribution object or null");
            }
        }
        return set;
    }

    private static JsonElement Property(JsonElement e, string name, JsonValueKind kind, string file, JsonValueKind alsoKind = JsonValueKind.Undefined, string? context = null)
    {
        var field = context is null ? name : $"{context}.{name}";
        if (!e.TryGetProperty(name, out var v))
            throw new InputException(file, null, field, "missing");
        if (v.ValueKind != kind && v.ValueKind != alsoKind)
            throw new InputException(file, null, field, $"expected {Describe(kind)}, found {Describe(v.ValueKind)}");
        return v;
    }

    private static JsonElement Expect(JsonElement e, JsonValueKind kind, string file, string field) =>
        e.ValueKind == kind ? e : throw new InputException(file, null, field, $"expected {Describe(kind)}, found {Describe(e.ValueKind)}");

    private static string String(JsonElement e, string name, string file) => Property(e, name, JsonValueKind.String, file).GetString()!;

    private static double Number(JsonElement e, string name, string file, string context) =>
        Property(e, name, JsonValueKind.Number, file, context: context).GetDouble();

    private static string? OptionalString(JsonElement e, string name, string file) =>
        e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? Expect(v, JsonValueKind.String, file, name).GetString() : null;

    private static double? OptionalNumber(JsonElement e, string name, string file) =>
        e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? Expect(v, JsonValueKind.Number, file, name).GetDouble() : null;

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "true or false",
        JsonValueKind.Null => "null",
        _ => "a value",
    };
}
