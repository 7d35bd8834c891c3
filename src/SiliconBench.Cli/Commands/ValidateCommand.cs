using System.CommandLine;
using SiliconBench.Analysis;
using SiliconBench.Campaigns;
using SiliconBench.Catalog;
using SiliconBench.Cli.Hosting;
using SiliconBench.Costs;
using SiliconBench.Gating;
using SiliconBench.Diagnostics;
using SiliconBench.Planning;
using SiliconBench.Records;
using SiliconBench.Workloads;
using Spectre.Console;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SiliconBench.Cli.Commands;

/// <summary>
/// <c>validate FILE…</c>: checks workload files (parse, every profile resolved and planned), cost sheets, policies,
/// the silicon catalog, and run records (a run directory, or one record file) with the readers <c>analyze</c>, the
/// site, compare and gate use; reports every bad one with file, line and field.
/// </summary>
internal static class ValidateCommand
{
    // Planning needs a vocabulary size; any realistic one exercises the same checks.
    private const int PlanningVocabulary = 32_000;

    public static Command Create(CliEnvironment env)
    {
        var files = new Argument<string[]>("FILE")
        {
            Description = "Workload files (YAML) or built-in workload names, cost sheets, policies, the silicon catalog, run directories or record files (manifest.json, requests.jsonl, steps.jsonl, windows.jsonl, telemetry.csv, summary.json).",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command("validate", "Check workload, cost sheet, gate policy and silicon catalog files and run records; exit 2 naming file, line and field of the first problem in each.") { files };
        command.SetAction(parse =>
        {
            var failed = 0;
            foreach (var file in parse.GetValue(files)!)
            {
                try
                {
                    var path = env.ResolvePath(file);
                    string name, what;
                    if (Directory.Exists(path))
                        (name, what) = (path, CheckRun(path));
                    else if (RecordFile(path) is { } record)
                        (name, what) = (path, record);
                    else
                    {
                        var source = WorkloadSource.Resolve(file, env);
                        (name, what) = (source.DisplayName, Check(source));
                    }
                    env.Console.MarkupLine($"[green]ok[/] {Markup.Escape(name)} — {Markup.Escape(what)}");
                }
                catch (InputException e)
                {
                    failed++;
                    env.Error.WriteLine($"error: {e.Message}");
                }
            }
            return failed == 0 ? ExitCodes.Ok : ExitCodes.BadInput;
        });
        return command;
    }

    /// <summary>A run directory: every raw file as <c>analyze</c> reads it, and summary.json as site, compare and gate read it.</summary>
    private static string CheckRun(string directory)
    {
        var record = RunRecordReader.Read(directory);
        var summaryPath = Path.Combine(directory, RunFiles.Summary);
        var summary = File.Exists(summaryPath) ? SummaryReader.Read(summaryPath) : null;
        var parts = new List<string>
        {
            $"run record {record.Manifest.RunId}: {record.Requests.Count} requests, {record.Steps.Count} steps, {record.Windows.Count} windows, {record.Telemetry.Count} telemetry samples",
            summary is null ? "no summary.json yet (siliconbench analyze makes it)" : $"summary with {summary.Points.Count} points",
        };
        parts.AddRange(record.Warnings);
        return string.Join("; ", parts);
    }

    /// <summary>One record file by its name; null when the name is not a record file's.</summary>
    private static string? RecordFile(string path)
    {
        if (!File.Exists(path))
            return null;
        if (Path.GetFileName(path) == RunFiles.Summary)
        {
            var summary = SummaryReader.Read(path);
            return $"summary of run {summary.RunId} ({summary.Points.Count} points)";
        }
        return RunRecordReader.CheckFile(path);
    }

    /// <summary>Checks one file by what it is (top-level keys tell): cost sheet, policy, silicon catalog, or workload.</summary>
    private static string Check(WorkloadSource source)
    {
        var keys = TopLevelKeys(source.Text);
        if (keys.Contains("cloud") || keys.Contains("owned"))
        {
            var sheet = CostSheetLoader.Parse(source.Text, source.DisplayName);
            return $"cost sheet '{sheet.Name}' ({sheet.System})";
        }
        if (keys.Contains("workloads") || keys.Contains("ranking") || keys.Contains("evidence"))
        {
            var policy = PolicyLoader.Parse(source.Text, source.DisplayName);
            return $"gate policy '{policy.Name}'";
        }
        if (keys.Contains("systems") && keys.Contains("matrix"))
        {
            var campaign = source.BaseDirectory is null
                ? throw new InputException(source.DisplayName, null, null, "a campaign is checked from its file (its paths are relative to it)")
                : CampaignLoader.Load(source.DisplayName, WorkloadSource.Builtin, [.. EngineRegistry.Catalog.All.Select(f => f.Id)]);
            return $"campaign '{campaign.Name}' ({CampaignPlanner.Plan(campaign).Tasks.Count} tasks on {campaign.Systems.Count} systems)";
        }
        if (keys.Contains("accelerators") && keys.Contains("sources"))
        {
            var catalog = SiliconCatalog.Parse(source.Text, source.DisplayName);
            return $"silicon catalog ({catalog.Entries.Count} accelerators)";
        }
        var workload = WorkloadLoader.Parse(source.Text, source.DisplayName, source.BaseDirectory);
        var points = workload.ProfileNames.Select(p => $"{p}: {Planner.Plan(workload.GetProfile(p), PlanningVocabulary).Points.Count} points");
        return $"workload '{workload.Name}' ({string.Join(", ", points)})";
    }

    // Malformed YAML yields no keys; the workload parser then reports it with its line.
    private static HashSet<string> TopLevelKeys(string text)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode map
                ? [.. map.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "")]
                : [];
        }
        catch (Exception e) when (e is YamlException or InvalidOperationException)
        {
            return [];
        }
    }
}
