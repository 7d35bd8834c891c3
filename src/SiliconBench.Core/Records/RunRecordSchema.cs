using System.Text.Json;
using System.Text.Json.Serialization;

namespace SiliconBench.Records;

/// <summary>File names and schema ids of the on-disk run record (docs/record-format.md).</summary>
public static class RunFiles
{
    public const string Manifest = "manifest.json";
    public const string Requests = "requests.jsonl";
    public const string Steps = "steps.jsonl";
    public const string Windows = "windows.jsonl";
    public const string Telemetry = "telemetry.csv";
    public const string Summary = "summary.json";
    /// <summary>The cost sheet a run was priced with (copied by <c>analyze --cost</c>), so plain <c>analyze</c> re-prices it the same.</summary>
    public const string CostSheet = "cost-sheet.yaml";
    public const string TelemetryHeader = "t,sensor,quantity,value";
    public const string ManifestSchema = "siliconbench.manifest/1";
    public const string SummarySchema = "siliconbench.summary/1";
}

public static class RequestStatus
{
    public const string Ok = "ok";
    public const string Error = "error";
    public const string Timeout = "timeout";
    public const string Cancelled = "cancelled";
}

public static class Phase
{
    public const string Prefill = "prefill";
    public const string Decode = "decode";
}

public static class WindowKind
{
    public const string Warmup = "warmup";
    public const string Measured = "measured";
    public const string Idle = "idle";
    public const string Point = "point";
    public const string Phase = "phase";
}

/// <summary>One chunk of streamed output: arrival time on the run clock and how many tokens it carried.</summary>
[JsonConverter(typeof(ChunkJsonConverter))]
public readonly record struct Chunk(double T, int Tokens);

/// <summary>Writes a chunk as the compact pair <c>[t, tokens]</c> the schema fixes.</summary>
public sealed class ChunkJsonConverter : JsonConverter<Chunk>
{
    public override Chunk Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new JsonException("a chunk is [time, tokens]");
        reader.Read();
        var t = reader.GetDouble();
        reader.Read();
        var n = reader.GetInt32();
        reader.Read();
        if (reader.TokenType != JsonTokenType.EndArray)
            throw new JsonException("a chunk is [time, tokens]");
        return new Chunk(t, n);
    }

    public override void Write(Utf8JsonWriter writer, Chunk value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        writer.WriteNumberValue(value.T);
        writer.WriteNumberValue(value.Tokens);
        writer.WriteEndArray();
    }
}

/// <summary>One line of <c>requests.jsonl</c>.</summary>
public sealed record RequestRecord
{
    public required string Id { get; init; }
    public required string Point { get; init; }
    public int Repetition { get; init; }
    public bool Warmup { get; init; }
    /// <summary>Prompt tokens as the engine or server counted them; null for a failed request the server never counted.</summary>
    public int? InputTokens { get; init; }
    public int OutputTokens { get; init; }
    /// <summary>Prompt tokens the server served from its prefix cache, as it reported them; written only when it did.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? CachedTokens { get; init; }
    /// <summary>
    /// Leading prompt tokens the workload means this request to share with earlier ones of the run (its shared
    /// prefix, or the previous turn of its conversation); what a prefix cache may rightly serve. Written by serving runs.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? SharedTokens { get; init; }
    public double TSubmit { get; init; }
    public double? TFirst { get; init; }
    public double? TEnd { get; init; }
    public IReadOnlyList<Chunk> Chunks { get; init; } = [];
    public string Status { get; init; } = RequestStatus.Ok;
    public string? Error { get; init; }
    /// <summary>Earlier attempts of this request (a reused connection closed before any response byte); written only when there were.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int Retries { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RetryError { get; init; }
    /// <summary>The server's own timings of the request (llama.cpp's <c>timings</c>), numbers as sent; written only when it sent them.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, double>? ServerTimings { get; init; }
}

/// <summary>One line of <c>steps.jsonl</c> (engine mode): a timed prefill or decode step of a batch.</summary>
public sealed record StepRecord
{
    public required string Point { get; init; }
    public int Repetition { get; init; }
    public bool Warmup { get; init; }
    public required string Phase { get; init; }
    public int Batch { get; init; }
    /// <summary>Longest sequence length (prompt + generated) the step attends over.</summary>
    public int Context { get; init; }
    /// <summary>Tokens this step processed that count: prompt tokens for prefill, live sequences for decode.</summary>
    public int Tokens { get; init; }
    public double TStart { get; init; }
    public double TEnd { get; init; }
    /// <summary>Device-synchronized duration reported by the engine, when it reports one.</summary>
    public double? DeviceS { get; init; }
}

/// <summary>One line of <c>windows.jsonl</c>.</summary>
public sealed record WindowRecord
{
    public required string Name { get; init; }
    public required string Kind { get; init; }
    public string? Point { get; init; }
    public string? Phase { get; init; }
    public double TStart { get; init; }
    public double TEnd { get; init; }
}

/// <summary>One row of <c>telemetry.csv</c>.</summary>
public readonly record struct TelemetrySample(double T, string Sensor, string Quantity, double Value);
