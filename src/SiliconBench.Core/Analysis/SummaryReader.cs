using System.Text.Json;
using SiliconBench.Diagnostics;
using SiliconBench.Records;

namespace SiliconBench.Analysis;

/// <summary>
/// Reads <c>summary.json</c> back (for report, compare, gate and <c>validate</c>) through <see cref="SummaryJsonContext"/>,
/// keeping the file's key order. Anything malformed is an <see cref="InputException"/> naming file, line and field.
/// </summary>
public static class SummaryReader
{
    public static Summary Read(string path)
    {
        if (!File.Exists(path))
            throw new InputException(path, null, null, "no summary.json here; run `siliconbench analyze RUN_DIR` first");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses summary JSON text; <paramref name="file"/> names it in error messages.</summary>
    public static Summary Parse(string json, string file = RunFiles.Summary)
    {
        Summary? summary;
        try
        {
            summary = JsonSerializer.Deserialize(json, SummaryJsonContext.Instance.Summary);
        }
        catch (JsonException e)
        {
            throw JsonErrors.ToInput(e, file);
        }
        if (summary is null)
            throw new InputException(file, 1, null, "expected a JSON object, found null");
        if (summary.Schema != RunFiles.SummarySchema)
            throw new InputException(file, null, "schema", $"expected `{RunFiles.SummarySchema}`, found `{summary.Schema}`");
        return summary;
    }
}
