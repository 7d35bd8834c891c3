using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SiliconBench.Costs;

namespace SiliconBench.Analysis;

/// <summary>
/// Writes <c>summary.json</c> so that <c>analyze</c> reproduces it byte for byte: keys in a fixed order
/// (document keys as below, metrics in the analyzer's order, energy scopes sorted ordinally), two-space
/// indentation, LF line ends and a trailing newline. Every non-integer number is rounded to
/// <see cref="SignificantDigits"/> significant digits and written in its shortest round-trip form; rounding
/// twice changes nothing, so a summary read back and written again is identical. Six digits is finer than
/// any timing or power measurement resolves, and keeps float noise out of diffs.
/// </summary>
public static class SummaryWriter
{
    public const int SignificantDigits = 6;

    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Rounds to <see cref="SignificantDigits"/> significant digits (decimal), the value written to disk.</summary>
    public static double Round(double value)
    {
        if (!double.IsFinite(value) || value == 0)
            return value == 0 ? 0 : value;
        return double.Parse(value.ToString("G" + SignificantDigits, CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    public static string Serialize(Summary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Options))
        {
            w.WriteStartObject();
            w.WriteString("schema", summary.Schema);
            w.WriteString("run_id", summary.RunId);
            w.WriteBoolean("complete", summary.Complete);
            WriteValidity(w, summary.Validity);
            w.WritePropertyName("overall");
            WriteMetrics(w, summary.Overall);
            w.WriteStartArray("points");
            foreach (var p in summary.Points)
            {
                w.WriteStartObject();
                w.WriteString("point", p.Point);
                if (p.Batch is { } b)
                    w.WriteNumber("batch", b);
                else
                    w.WriteNull("batch");
                w.WritePropertyName("metrics");
                WriteMetrics(w, p.Metrics);
                w.WritePropertyName("energy");
                WriteEnergy(w, p.Energy);
                WriteCost(w, p.Cost);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WritePropertyName("energy");
            WriteEnergy(w, summary.Energy);
            WriteCost(w, summary.Cost);
            WriteServing(w, summary.Serving);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    public static void Write(Summary summary, string path) =>
        File.WriteAllText(path, Serialize(summary), new UTF8Encoding(false));

    private static void WriteValidity(Utf8JsonWriter w, Validity v)
    {
        w.WriteStartObject("validity");
        w.WriteBoolean("valid", v.Valid);
        if (v.IncompleteReason is null)
            w.WriteNull("incomplete_reason");
        else
            w.WriteString("incomplete_reason", v.IncompleteReason);
        w.WriteNumber("failed_requests", v.FailedRequests);
        w.WriteNumber("measured_requests", v.MeasuredRequests);
        w.WritePropertyName("window_s");
        WriteNumber(w, v.WindowS);
        w.WriteString("energy", v.Energy);
        w.WriteStartArray("notes");
        foreach (var note in v.Notes)
            w.WriteStringValue(note);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The serving object, written only for serving sweeps so engine-mode summaries keep their bytes.</summary>
    private static void WriteServing(Utf8JsonWriter w, ServingSummary? serving)
    {
        if (serving is null)
            return;
        w.WriteStartObject("serving");
        foreach (var (name, value) in new[]
        {
            ("knee_point", serving.KneePoint), ("stable_envelope_point", serving.StableEnvelopePoint),
            ("max_goodput_point", serving.MaxGoodputPoint), ("max_throughput_point", serving.MaxThroughputPoint),
            ("slo_envelope_point", serving.SloEnvelopePoint),
            ("knee_rule", serving.KneeRule),
        })
        {
            if (value is null)
                w.WriteNull(name);
            else
                w.WriteString(name, value);
        }
        w.WriteEndObject();
    }

    /// <summary>The cost object, written only for a priced summary so unpriced summaries keep their bytes.</summary>
    private static void WriteCost(Utf8JsonWriter w, CostSection? cost)
    {
        if (cost is null)
            return;
        w.WriteStartObject("cost");
        w.WriteString("sheet", cost.Sheet);
        w.WriteString("sheet_sha256", cost.SheetSha256);
        if (cost.AsOf is null)
            w.WriteNull("as_of");
        else
            w.WriteString("as_of", cost.AsOf);
        w.WriteString("basis", cost.Basis);
        w.WriteNumber("accelerators", cost.Accelerators);
        if (cost.PowerScope is null)
            w.WriteNull("power_scope");
        else
            w.WriteString("power_scope", cost.PowerScope);
        w.WritePropertyName("power_w");
        WriteNumber(w, cost.PowerW);
        foreach (var (metric, value) in cost.Figures)
        {
            w.WritePropertyName(metric.Id);
            WriteNumber(w, value);
        }
        w.WriteEndObject();
    }

    private static void WriteEnergy(Utf8JsonWriter w, SortedDictionary<string, MetricSet> energy)
    {
        w.WriteStartObject();
        foreach (var (scope, metrics) in energy)
        {
            w.WritePropertyName(scope);
            WriteMetrics(w, metrics);
        }
        w.WriteEndObject();
    }

    private static void WriteMetrics(Utf8JsonWriter w, MetricSet metrics)
    {
        w.WriteStartObject();
        foreach (var (id, value) in metrics.Entries)
        {
            w.WritePropertyName(id);
            switch (value)
            {
                case null:
                    w.WriteNullValue();
                    break;
                case ScalarMetric s:
                    WriteNumber(w, s.Value);
                    break;
                case Distribution d:
                    w.WriteStartObject();
                    w.WritePropertyName("mean");
                    WriteNumber(w, d.Mean);
                    w.WritePropertyName("p50");
                    WriteNumber(w, d.P50);
                    w.WritePropertyName("p90");
                    WriteNumber(w, d.P90);
                    w.WritePropertyName("p95");
                    WriteNumber(w, d.P95);
                    w.WritePropertyName("p99");
                    WriteNumber(w, d.P99);
                    w.WritePropertyName("min");
                    WriteNumber(w, d.Min);
                    w.WritePropertyName("max");
                    WriteNumber(w, d.Max);
                    w.WriteNumber("n", d.N);
                    w.WriteEndObject();
                    break;
                default:
                    throw new InvalidOperationException($"unknown metric value {value.GetType().Name}");
            }
        }
        w.WriteEndObject();
    }

    /// <summary>Null, NaN and infinities have no JSON number; they are written as null (not measured).</summary>
    private static void WriteNumber(Utf8JsonWriter w, double? value)
    {
        if (value is { } v && double.IsFinite(v))
            w.WriteNumberValue(Round(v));
        else
            w.WriteNullValue();
    }
}
