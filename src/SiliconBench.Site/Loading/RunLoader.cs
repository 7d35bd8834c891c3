using System.Text.Json;
using SiliconBench.Analysis;
using SiliconBench.Diagnostics;
using SiliconBench.Records;

namespace SiliconBench.Site.Loading;

/// <summary>Reads the run folders of a results directory; a folder that cannot be shown is skipped with a warning.</summary>
internal static class RunLoader
{
    /// <param name="exclude">A folder never read as a run: the site's own output when it sits inside the results.</param>
    public static List<SiteRun> LoadAll(string resultsDirectory, List<string> warnings, string? exclude = null)
    {
        var excluded = exclude is null ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(exclude));
        // Hidden folders (.git, .cache) are not runs.
        var folders = Directory.GetDirectories(resultsDirectory)
            .Where(f => !Path.GetFileName(f).StartsWith('.'))
            // A gate decision (decision.json) kept beside the runs it judged is not a run.
            .Where(f => !File.Exists(Path.Combine(f, "decision.json")))
            .Where(f => excluded is null || !string.Equals(Path.GetFullPath(f), excluded, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .SelectMany(ExpandRepetitions)
            .ToArray();
        var loaded = new SiteRun?[folders.Length];
        var problems = new string?[folders.Length];
        Parallel.For(0, folders.Length, i => loaded[i] = TryLoad(folders[i].Folder, folders[i].Name, out problems[i]));
        // Warnings in folder order, whatever order the threads finished in.
        warnings.AddRange(problems.Where(p => p is not null)!);
        return loaded.Where(r => r is not null).Select(r => r!).ToList();
    }

    /// <summary>
    /// A folder holding repetitions of one run (<c>run --repeat</c>: <c>&lt;run-id&gt;/r1 … rN</c>) shows each repetition
    /// as a run named <c>&lt;run-id&gt;-r1</c> …; any other folder is one run.
    /// </summary>
    private static IEnumerable<(string Folder, string Name)> ExpandRepetitions(string folder)
    {
        var name = Path.GetFileName(folder);
        if (File.Exists(Path.Combine(folder, RunFiles.Summary)))
            return [(folder, name)];
        var repetitions = Directory.GetDirectories(folder)
            .Where(d => File.Exists(Path.Combine(d, RunFiles.Summary)))
            .Order(StringComparer.Ordinal)
            .Select(d => (d, $"{name}-{Path.GetFileName(d)}"))
            .ToList();
        return repetitions.Count > 0 ? repetitions : [(folder, name)];
    }

    internal static SiteRun? TryLoad(string folder, out string? problem) => TryLoad(folder, Path.GetFileName(folder), out problem);

    internal static SiteRun? TryLoad(string folder, string name, out string? problem)
    {
        var summaryPath = Path.Combine(folder, RunFiles.Summary);
        var manifestPath = Path.Combine(folder, RunFiles.Manifest);
        if (!File.Exists(summaryPath))
        {
            problem = $"{name}: skipped, no {RunFiles.Summary} (run `siliconbench analyze {name}` first)";
            return null;
        }
        if (!File.Exists(manifestPath))
        {
            problem = $"{name}: skipped, no {RunFiles.Manifest}";
            return null;
        }
        RunManifest? manifest;
        try
        {
            using var stream = File.OpenRead(manifestPath);
            manifest = JsonSerializer.Deserialize(stream, RecordJsonContext.Indented.RunManifest);
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException or InvalidOperationException)
        {
            problem = $"{name}: skipped, {RunFiles.Manifest} unreadable: {e.Message}";
            return null;
        }
        if (manifest is null)
        {
            problem = $"{name}: skipped, {RunFiles.Manifest} is empty";
            return null;
        }
        Summary summary;
        try
        {
            summary = SummaryReader.Read(summaryPath);
        }
        catch (Exception e) when (e is InputException or IOException or UnauthorizedAccessException)
        {
            problem = $"{name}: skipped, {RunFiles.Summary} unreadable: {e.Message}";
            return null;
        }
        problem = null;
        return new SiteRun { Folder = folder, FolderName = name, Manifest = manifest, Summary = summary, SummaryPath = summaryPath };
    }
}
