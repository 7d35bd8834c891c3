using System.Globalization;
using SiliconBench.Diagnostics;
using SiliconBench.Records;

namespace SiliconBench.Telemetry;

/// <summary>Reads <c>telemetry.csv</c> (<c>t,sensor,quantity,value</c>); a malformed row is a user error naming its line.</summary>
public static class TelemetryCsv
{
    public static IReadOnlyList<TelemetrySample> Read(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(path, null, null, $"cannot read telemetry: {e.Message}", e);
        }
        return Parse(lines, path);
    }

    public static IReadOnlyList<TelemetrySample> Parse(IReadOnlyList<string> lines, string file)
    {
        if (lines.Count == 0 || lines[0].Trim() != RunFiles.TelemetryHeader)
            throw new InputException(file, 1, null, $"expected the header '{RunFiles.TelemetryHeader}'");
        var samples = new List<TelemetrySample>(lines.Count);
        for (var i = 1; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.Length == 0)
                continue;
            var parts = line.Split(',');
            if (parts.Length != 4)
                throw new InputException(file, i + 1, null, "expected 4 comma-separated fields t,sensor,quantity,value");
            if (!double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var t) || !double.IsFinite(t))
                throw new InputException(file, i + 1, "t", $"'{parts[0]}' is not a number");
            if (!double.TryParse(parts[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                throw new InputException(file, i + 1, "value", $"'{parts[3]}' is not a number");
            if (parts[1].Length == 0)
                throw new InputException(file, i + 1, "sensor", "is empty");
            if (parts[2].Length == 0)
                throw new InputException(file, i + 1, "quantity", "is empty");
            samples.Add(new TelemetrySample(t, parts[1], parts[2], v));
        }
        return samples;
    }
}

/// <summary>Collects samples in memory (tests, probe, re-analysis). Thread-safe.</summary>
public sealed class ListTelemetrySink : ITelemetrySink
{
    private readonly Lock _gate = new();
    private readonly List<TelemetrySample> _samples = [];

    public void Write(TelemetrySample sample)
    {
        lock (_gate)
            _samples.Add(sample);
    }

    public IReadOnlyList<TelemetrySample> Snapshot()
    {
        lock (_gate)
            return [.. _samples];
    }

    public int Count
    {
        get { lock (_gate) return _samples.Count; }
    }
}
