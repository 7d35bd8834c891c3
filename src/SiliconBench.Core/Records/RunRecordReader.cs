using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SiliconBench.Diagnostics;

namespace SiliconBench.Records;

/// <summary>
/// Reads a run directory back into a <see cref="RunRecord"/>. Bad content is an <see cref="InputException"/>
/// naming file, line and field. One kind of damage is tolerated: a last line of a jsonl or csv file that
/// is malformed and has no terminating newline, which is what a run killed mid-write leaves; it is
/// dropped and reported in <see cref="RunRecord.Warnings"/>.
/// </summary>
public static class RunRecordReader
{
    public static RunRecord Read(string runDirectory)
    {
        var manifestPath = Path.Combine(runDirectory, RunFiles.Manifest);
        if (!File.Exists(manifestPath))
            throw new InputException(manifestPath, null, null, "no manifest.json here; expected a run directory written by `siliconbench run`");
        var manifest = ReadManifest(manifestPath);

        var warnings = new List<string>();
        var requestsPath = Path.Combine(runDirectory, RunFiles.Requests);
        if (!File.Exists(requestsPath))
            throw new InputException(requestsPath, null, null, "no requests.jsonl here; every run record has one (possibly empty)");
        var requests = ReadJsonLines(requestsPath, RecordJsonContext.Compact.RequestRecord, ValidateRequest, warnings);
        var steps = ReadJsonLines(Path.Combine(runDirectory, RunFiles.Steps), RecordJsonContext.Compact.StepRecord, ValidateStep, warnings);
        var windows = ReadJsonLines(Path.Combine(runDirectory, RunFiles.Windows), RecordJsonContext.Compact.WindowRecord, ValidateWindow, warnings);
        var telemetry = ReadTelemetry(Path.Combine(runDirectory, RunFiles.Telemetry), warnings);
        return new RunRecord
        {
            Manifest = manifest,
            Requests = requests,
            Steps = steps,
            Windows = windows,
            Telemetry = telemetry,
            Warnings = warnings,
        };
    }

    /// <summary>
    /// Checks one record file on its own, by its name (manifest.json, requests.jsonl, steps.jsonl, windows.jsonl,
    /// telemetry.csv) with the same strictness as <see cref="Read"/>; returns what it holds, in words. Null for a
    /// file name that is none of these.
    /// </summary>
    public static string? CheckFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new InputException(path, null, null, "no such file");
        var warnings = new List<string>();
        var text = Path.GetFileName(path) switch
        {
            RunFiles.Manifest => $"manifest of run {ReadManifest(path).RunId}",
            RunFiles.Requests => $"{ReadJsonLines(path, RecordJsonContext.Compact.RequestRecord, ValidateRequest, warnings).Count} requests",
            RunFiles.Steps => $"{ReadJsonLines(path, RecordJsonContext.Compact.StepRecord, ValidateStep, warnings).Count} steps",
            RunFiles.Windows => $"{ReadJsonLines(path, RecordJsonContext.Compact.WindowRecord, ValidateWindow, warnings).Count} windows",
            RunFiles.Telemetry => $"{ReadTelemetry(path, warnings).Count} telemetry samples",
            _ => null,
        };
        return text is null || warnings.Count == 0 ? text : $"{text}; {string.Join("; ", warnings)}";
    }

    private static RunManifest ReadManifest(string path)
    {
        RunManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(File.ReadAllText(path), RecordJsonContext.Compact.RunManifest);
        }
        catch (JsonException e)
        {
            throw JsonErrors.ToInput(e, path);
        }
        if (manifest is null)
            throw new InputException(path, 1, null, "expected a JSON object, found null");
        if (string.IsNullOrEmpty(manifest.RunId))
            throw new InputException(path, null, "run_id", "expected a non-empty run id");
        return manifest;
    }

    /// <summary>Reads one object per line; a missing file is empty (steps for endpoint runs, windows of a killed run).</summary>
    private static List<T> ReadJsonLines<T>(string path, JsonTypeInfo<T> type, Func<T, (string Field, string Problem)?> validate, List<string> warnings)
        where T : class
    {
        var result = new List<T>();
        if (!File.Exists(path))
            return result;
        var text = File.ReadAllText(path, Encoding.UTF8);
        var lines = SplitLines(text, out var lastTerminated);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (string.IsNullOrWhiteSpace(line))
                continue;
            var isCutOff = i == lines.Count - 1 && !lastTerminated;
            T? item = null;
            string? field = null;
            var problem = "";
            try
            {
                item = JsonSerializer.Deserialize(line, type);
                if (item is null)
                    problem = "expected a JSON object, found null";
                else if (validate(item) is { } bad)
                    (field, problem) = bad;
            }
            catch (JsonException e)
            {
                field = JsonErrors.FieldOf(e);
                problem = JsonErrors.ProblemOf(e);
            }
            if (problem.Length == 0)
            {
                result.Add(item!);
                continue;
            }
            if (isCutOff)
            {
                warnings.Add($"{Path.GetFileName(path)}:{i + 1}: last line is cut off (run killed mid-write?); ignored");
                continue;
            }
            throw new InputException(path, i + 1, field, problem);
        }
        return result;
    }

    private const string NonEmpty = "expected a non-empty string";

    private static (string, string)? ValidateRequest(RequestRecord r) =>
        string.IsNullOrEmpty(r.Id) ? ("id", NonEmpty)
        : string.IsNullOrEmpty(r.Point) ? ("point", NonEmpty)
        : string.IsNullOrEmpty(r.Status) ? ("status", "expected ok, error, timeout or cancelled")
        : null;

    private static (string, string)? ValidateStep(StepRecord s) =>
        string.IsNullOrEmpty(s.Point) ? ("point", NonEmpty)
        : s.Phase is not (Phase.Prefill or Phase.Decode) ? ("phase", $"expected prefill or decode, found `{s.Phase}`")
        : null;

    private static (string, string)? ValidateWindow(WindowRecord w) =>
        string.IsNullOrEmpty(w.Name) ? ("name", NonEmpty)
        : string.IsNullOrEmpty(w.Kind) ? ("kind", "expected warmup, measured, idle, point or phase")
        : null;

    private static List<TelemetrySample> ReadTelemetry(string path, List<string> warnings)
    {
        var result = new List<TelemetrySample>();
        if (!File.Exists(path))
            return result;
        var lines = SplitLines(File.ReadAllText(path, Encoding.UTF8), out var lastTerminated);
        if (lines.Count == 0)
            return result;
        if (lines[0].Trim() != RunFiles.TelemetryHeader)
        {
            if (lines.Count == 1 && !lastTerminated && RunFiles.TelemetryHeader.StartsWith(lines[0], StringComparison.Ordinal))
            {
                warnings.Add($"{RunFiles.Telemetry}:1: header is cut off (run killed mid-write?); no telemetry");
                return result;
            }
            throw new InputException(path, 1, null, $"expected the header `{RunFiles.TelemetryHeader}`");
        }
        for (var i = 1; i < lines.Count; i++)
        {
            var line = lines[i];
            if (string.IsNullOrWhiteSpace(line))
                continue;
            var (sample, field, problem) = ParseTelemetryRow(line);
            if (sample is { } s)
            {
                result.Add(s);
                continue;
            }
            if (i == lines.Count - 1 && !lastTerminated)
            {
                warnings.Add($"{RunFiles.Telemetry}:{i + 1}: last line is cut off (run killed mid-write?); ignored");
                continue;
            }
            throw new InputException(path, i + 1, field, problem);
        }
        return result;
    }

    private static (TelemetrySample? Sample, string? Field, string Problem) ParseTelemetryRow(string line)
    {
        var parts = line.Split(',');
        if (parts.Length != 4)
            return (null, null, $"expected 4 comma-separated fields `{RunFiles.TelemetryHeader}`, found {parts.Length}");
        if (!double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var t))
            return (null, "t", $"expected a time in seconds, found `{parts[0]}`");
        if (parts[1].Length == 0)
            return (null, "sensor", "expected a sensor id");
        if (parts[2].Length == 0)
            return (null, "quantity", "expected a quantity name");
        if (!double.TryParse(parts[3], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            return (null, "value", $"expected a number, found `{parts[3]}`");
        return (new TelemetrySample(t, parts[1], parts[2], value), null, "");
    }

    /// <summary>Splits on LF (CRLF tolerated); says whether the last line had its newline, i.e. was finished.</summary>
    private static List<string> SplitLines(string text, out bool lastTerminated)
    {
        lastTerminated = text.Length == 0 || text[^1] == '\n';
        var lines = new List<string>(text.Split('\n'));
        if (lastTerminated && lines.Count > 0)
            lines.RemoveAt(lines.Count - 1);
        for (var i = 0; i < lines.Count; i++)
            lines[i] = lines[i].TrimEnd('\r');
        return lines;
    }
}
