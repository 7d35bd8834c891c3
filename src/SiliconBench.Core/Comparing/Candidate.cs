using System.Text.Json;
using SiliconBench.Analysis;
using SiliconBench.Diagnostics;
using SiliconBench.Records;

namespace SiliconBench.Comparing;

/// <summary>One run record's summary, the directory it came from and (when its manifest says) the workload it ran.</summary>
public sealed record RunSummary(string RunDir, Summary Summary, string? Workload = null);

/// <summary>
/// A system under comparison: one run, or several repetitions of the same run (same workload, same system),
/// whose per-repetition values give intervals and significance tests.
/// </summary>
public sealed record Candidate(string Name, IReadOnlyList<RunSummary> Runs)
{
    /// <summary>The workload the runs name (the first that names one).</summary>
    public string? Workload => Runs.Select(r => r.Workload).FirstOrDefault(w => w is not null);

    /// <summary>
    /// A directory with a summary.json is one run; a directory without one whose sub-directories have one is a
    /// candidate with those runs as repetitions (in ordinal order). Anything else is an <see cref="InputException"/>.
    /// </summary>
    public static Candidate Load(string dir)
    {
        ArgumentNullException.ThrowIfNull(dir);
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(dir));
        if (File.Exists(Path.Combine(dir, RunFiles.Summary)))
            return new Candidate(name, [ReadRun(dir)]);
        if (!Directory.Exists(dir))
            throw new InputException(dir, null, null, "no such directory; expected a run directory (with summary.json) or a folder of repetitions");
        var reps = Directory.GetDirectories(dir).Where(d => File.Exists(Path.Combine(d, RunFiles.Summary))).Order(StringComparer.Ordinal).ToList();
        if (reps.Count == 0)
            throw new InputException(dir, null, null, "no summary.json here or in its sub-directories; run `siliconbench analyze RUN_DIR` first");
        return new Candidate(name, [.. reps.Select(ReadRun)]);
    }

    private static RunSummary ReadRun(string dir) =>
        new(dir, SummaryReader.Read(Path.Combine(dir, RunFiles.Summary)), WorkloadName(Path.Combine(dir, RunFiles.Manifest)));

    /// <summary>manifest.json's workload.name when the manifest is there and has one; summaries alone carry no workload.</summary>
    private static string? WorkloadName(string manifestPath)
    {
        if (!File.Exists(manifestPath))
            return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(manifestPath));
            return doc.RootElement.TryGetProperty("workload", out var w) && w.ValueKind == JsonValueKind.Object
                && w.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        }
        catch (JsonException e)
        {
            throw new InputException(manifestPath, (int)(e.LineNumber ?? 0) + 1, null, "not valid JSON: " + e.Message, e);
        }
    }
}
