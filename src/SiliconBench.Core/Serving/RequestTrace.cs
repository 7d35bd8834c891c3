using System.Globalization;
using System.Text;
using System.Text.Json;
using SiliconBench.Diagnostics;

namespace SiliconBench.Serving;

/// <summary>One request of a replayed trace: when it arrives (seconds from the point's start) and its lengths.</summary>
public readonly record struct TraceArrival(double ArrivalS, int InputTokens, int OutputTokens);

/// <summary>
/// Reads a request trace for replay: JSON lines with <c>arrival_s</c> (or <c>timestamp</c> in milliseconds,
/// as in the Mooncake traces), <c>input_tokens</c> (or <c>input_length</c>) and <c>output_tokens</c>
/// (or <c>output_length</c>). Arrivals are sorted; errors name the file, line and field.
/// </summary>
public static class RequestTrace
{
    public static IReadOnlyList<TraceArrival> Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(path, null, null, $"cannot read the trace: {e.Message}", e);
        }
        return Parse(path, bytes);
    }

    public static IReadOnlyList<TraceArrival> Parse(string path, byte[] bytes)
    {
        var arrivals = new List<TraceArrival>();
        var lineNumber = 0;
        using var reader = new StringReader(Encoding.UTF8.GetString(bytes));
        while (reader.ReadLine() is { } raw)
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(line);
            }
            catch (JsonException e)
            {
                throw new InputException(path, lineNumber, null, $"not a JSON object: {e.Message}", e);
            }
            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    throw new InputException(path, lineNumber, null, "each line is a JSON object");
                var arrival = Number(doc.RootElement, "arrival_s", 1.0) ?? Number(doc.RootElement, "timestamp", 0.001)
                    ?? throw new InputException(path, lineNumber, "arrival_s", "missing (seconds from the start; or timestamp in ms)");
                if (!(arrival >= 0) || double.IsInfinity(arrival))
                    throw new InputException(path, lineNumber, "arrival_s", $"expected a non-negative time, got {arrival.ToString(CultureInfo.InvariantCulture)}");
                var input = Length(path, lineNumber, doc.RootElement, "input_tokens", "input_length");
                var output = Length(path, lineNumber, doc.RootElement, "output_tokens", "output_length");
                arrivals.Add(new TraceArrival(arrival, input, output));
            }
        }
        if (arrivals.Count == 0)
            throw new InputException(path, null, null, "the trace holds no requests");
        arrivals.Sort((a, b) => a.ArrivalS.CompareTo(b.ArrivalS));
        var origin = arrivals[0].ArrivalS;
        // Timestamps may be absolute (epoch ms); replay is relative to the first arrival.
        return arrivals.ConvertAll(a => a with { ArrivalS = a.ArrivalS - origin });
    }

    private static double? Number(JsonElement obj, string name, double scale) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() * scale : null;

    private static int Length(string path, int line, JsonElement obj, string name, string alias)
    {
        var field = obj.TryGetProperty(name, out var v) ? name : obj.TryGetProperty(alias, out v) ? alias : null;
        if (field is null)
            throw new InputException(path, line, name, "missing (a length in tokens)");
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var n) || n < 1)
            throw new InputException(path, line, field, $"expected a positive integer (tokens), got {v.GetRawText()}");
        return n;
    }
}
