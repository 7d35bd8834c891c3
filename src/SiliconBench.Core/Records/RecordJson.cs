using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace SiliconBench.Records;

/// <summary>Source-generated JSON for the run record: snake_case names as in docs/record-format.md, no reflection.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(RequestRecord))]
[JsonSerializable(typeof(StepRecord))]
[JsonSerializable(typeof(WindowRecord))]
[JsonSerializable(typeof(RunManifest))]
public sealed partial class RecordJsonContext : JsonSerializerContext
{
    /// <summary>One object per line (jsonl): compact, and UTF-8 text left readable.</summary>
    public static RecordJsonContext Compact { get; } = new(CreateOptions(indented: false));

    /// <summary>Manifest and summary files are read by people too.</summary>
    public static RecordJsonContext Indented { get; } = new(CreateOptions(indented: true));

    /// <summary>The options every record file is written with; also used by other source-generated contexts.</summary>
    public static JsonSerializerOptions CreateOptions(bool indented) => new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = indented,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.Strict,
        NewLine = "\n",
    };
}
