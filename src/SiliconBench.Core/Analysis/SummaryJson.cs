using System.Text.Json;
using System.Text.Json.Serialization;
using SiliconBench.Diagnostics;
using SiliconBench.Metrics;
using SiliconBench.Records;

namespace SiliconBench.Analysis;

/// <summary>
/// Source-generated JSON of summary.json: snake_case keys in declaration order, two-space indentation, LF line ends,
/// every non-integer number rounded by <see cref="SignificantDigitsConverter"/>. Site, compare, gate and
/// <c>analyze</c> all read and write the summary through this one context.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.Strict,
    WriteIndented = true,
    Converters = [typeof(SignificantDigitsConverter)])]
[JsonSerializable(typeof(Summary))]
[JsonSerializable(typeof(Provenance))]
public sealed partial class SummaryJsonContext : JsonSerializerContext
{
    /// <summary>The context summary.json is written and read with: the record files' options, numbers rounded.</summary>
    public static SummaryJsonContext Instance { get; } = new(CreateOptions());

    private static JsonSerializerOptions CreateOptions()
    {
        var options = RecordJsonContext.CreateOptions(indented: true);
        options.Converters.Add(new SignificantDigitsConverter());
        return options;
    }
}

/// <summary>
/// Writes a double rounded to <see cref="SignificantDigits"/> significant digits in its shortest round-trip form, and
/// NaN or an infinity as null (JSON has no such numbers; the metric was not measured). Rounding twice changes nothing,
/// so a summary read back and written again is identical. Six digits is finer than any timing or power measurement
/// resolves, and keeps float noise out of diffs.
/// </summary>
public sealed class SignificantDigitsConverter : JsonConverter<double>
{
    public const int SignificantDigits = 6;

    public override bool HandleNull => false;

    /// <summary>Rounds to <see cref="SignificantDigits"/> significant digits (decimal), the value written to disk.</summary>
    public static double Round(double value)
    {
        if (!double.IsFinite(value) || value == 0)
            return value == 0 ? 0 : value;
        return double.Parse(value.ToString("G" + SignificantDigits, System.Globalization.CultureInfo.InvariantCulture),
            System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
    }

    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number ? reader.GetDouble() : throw JsonErrors.Problem("expected a number");

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (double.IsFinite(value))
            writer.WriteNumberValue(Round(value));
        else
            writer.WriteNullValue();
    }
}

/// <summary>
/// A <see cref="MetricSet"/> as an object: <c>provenance</c> first when the set has one, then each metric in the
/// set's order as a number, a distribution object (<c>mean, p50, p90, p95, p99, min, max, n</c>) or null.
/// </summary>
public sealed class MetricSetConverter : JsonConverter<MetricSet>
{
    private static readonly string[] DistributionFields = ["mean", "p50", "p90", "p95", "p99", "min", "max", "n"];

    public override MetricSet Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw JsonErrors.Problem("expected an object of metrics");
        Provenance? provenance = null;
        var entries = new List<(string Id, MetricValue? Value)>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var id = reader.GetString()!;
            reader.Read();
            if (id == "provenance")
            {
                provenance = JsonSerializer.Deserialize(ref reader, SummaryJsonContext.Instance.Provenance);
                continue;
            }
            entries.Add((id, reader.TokenType switch
            {
                JsonTokenType.Null => null,
                JsonTokenType.Number => new ScalarMetric(reader.GetDouble()),
                JsonTokenType.StartObject => ReadDistribution(ref reader),
                _ => throw JsonErrors.Problem($"{id}: expected a number, a distribution object or null"),
            }));
        }
        var set = new MetricSet { Provenance = provenance };
        foreach (var (id, value) in entries)
            set.Set(id, value);
        return set;
    }

    private static Distribution ReadDistribution(ref Utf8JsonReader reader)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            values[name] = reader.TokenType == JsonTokenType.Number ? reader.GetDouble() : throw JsonErrors.Problem($"{name}: expected a number");
        }
        if (DistributionFields.FirstOrDefault(f => !values.ContainsKey(f)) is { } missing)
            throw JsonErrors.Problem($"a distribution needs {string.Join(", ", DistributionFields)}; '{missing}' is missing");
        return new Distribution(values["mean"], values["p50"], values["p90"], values["p95"], values["p99"], values["min"], values["max"], checked((int)values["n"]));
    }

    public override void Write(Utf8JsonWriter writer, MetricSet value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        var number = (JsonConverter<double>)options.GetConverter(typeof(double));
        writer.WriteStartObject();
        if (value.Provenance is { } provenance)
            writer.WriteString("provenance", ProvenanceText.Of(provenance));
        foreach (var (id, metric) in value.Entries)
        {
            writer.WritePropertyName(id);
            switch (metric)
            {
                case null:
                    writer.WriteNullValue();
                    break;
                case ScalarMetric s:
                    number.Write(writer, s.Value, options);
                    break;
                case Distribution d:
                    writer.WriteStartObject();
                    foreach (var (name, v) in new[] { ("mean", d.Mean), ("p50", d.P50), ("p90", d.P90), ("p95", d.P95), ("p99", d.P99), ("min", d.Min), ("max", d.Max) })
                    {
                        writer.WritePropertyName(name);
                        number.Write(writer, v, options);
                    }
                    writer.WriteNumber("n", d.N);
                    writer.WriteEndObject();
                    break;
                default:
                    throw new InvalidOperationException($"unknown metric value {metric.GetType().Name}");
            }
        }
        writer.WriteEndObject();
    }
}

/// <summary>Sensor scope → metrics, sorted ordinally (as written, whatever the culture), each scope with its provenance.</summary>
public sealed class EnergyScopesConverter : JsonConverter<SortedDictionary<string, MetricSet>>
{
    public override SortedDictionary<string, MetricSet> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw JsonErrors.Problem("expected an object of energy scopes");
        var scopes = new SortedDictionary<string, MetricSet>(StringComparer.Ordinal);
        var metrics = (JsonConverter<MetricSet>)options.GetConverter(typeof(MetricSet));
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var scope = reader.GetString()!;
            reader.Read();
            var set = metrics.Read(ref reader, typeof(MetricSet), options)!;
            scopes[scope] = set.Provenance is null
                ? throw JsonErrors.Problem($"energy scope '{scope}' has no provenance (measured, imported or estimated); re-run `siliconbench analyze`")
                : set;
        }
        return scopes;
    }

    public override void Write(Utf8JsonWriter writer, SortedDictionary<string, MetricSet> value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        var metrics = (JsonConverter<MetricSet>)options.GetConverter(typeof(MetricSet));
        writer.WriteStartObject();
        foreach (var (scope, set) in value)
        {
            if (set.Provenance is null)
                throw new InvalidOperationException($"energy scope '{scope}' has no provenance; the energy analysis sets it");
            writer.WritePropertyName(scope);
            metrics.Write(writer, set, options);
        }
        writer.WriteEndObject();
    }
}
