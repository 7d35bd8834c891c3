using System.Globalization;
using System.Text.Json;
using SiliconBench.Records;

namespace SiliconBench.Site.Loading;

/// <summary>The raw record files of one run, read for its page; bad lines are counted, not fatal.</summary>
internal sealed class RawRecords
{
    public List<RequestRecord> Requests { get; } = [];
    public List<StepRecord> Steps { get; } = [];
    public List<WindowRecord> Windows { get; } = [];
    public List<TelemetrySample> Telemetry { get; } = [];
    public int BadLines { get; private set; }

    public static RawRecords Read(string folder)
    {
        var raw = new RawRecords();
        raw.ReadJsonl(Path.Combine(folder, RunFiles.Requests), raw.Requests, RecordJsonContext.Compact.RequestRecord);
        raw.ReadJsonl(Path.Combine(folder, RunFiles.Steps), raw.Steps, RecordJsonContext.Compact.StepRecord);
        raw.ReadJsonl(Path.Combine(folder, RunFiles.Windows), raw.Windows, RecordJsonContext.Compact.WindowRecord);
        raw.ReadTelemetry(Path.Combine(folder, RunFiles.Telemetry));
        return raw;
    }

    private void ReadJsonl<T>(string path, List<T> into, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        if (!File.Exists(path))
            return;
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
                continue;
            try
            {
                if (JsonSerializer.Deserialize(line, type) is { } item)
                    into.Add(item);
            }
            catch (JsonException)
            {
                // An interrupted run can end in a half-written line; show the rest.
                BadLines++;
            }
        }
    }

    private void ReadTelemetry(string path)
    {
        if (!File.Exists(path))
            return;
        var first = true;
        foreach (var line in File.ReadLines(path))
        {
            if (first)
            {
                first = false;
                if (line.StartsWith("t,", StringComparison.Ordinal))
                    continue;
            }
            var span = line.AsSpan();
            var c1 = span.IndexOf(',');
            var cLast = span.LastIndexOf(',');
            if (c1 < 0 || cLast <= c1)
            {
                if (line.Length > 0)
                    BadLines++;
                continue;
            }
            var middle = span[(c1 + 1)..cLast];
            var c2 = middle.LastIndexOf(',');
            if (c2 < 0
                || !double.TryParse(span[..c1], NumberStyles.Float, CultureInfo.InvariantCulture, out var t)
                || !double.TryParse(span[(cLast + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                || !double.IsFinite(t) || !double.IsFinite(value))
            {
                BadLines++;
                continue;
            }
            Telemetry.Add(new TelemetrySample(t, middle[..c2].ToString(), middle[(c2 + 1)..].ToString(), value));
        }
    }
}
