using System.CommandLine;
using SiliconBench.Analysis;
using SiliconBench.Cli.Hosting;
using SiliconBench.Cli.Rendering;
using SiliconBench.Diagnostics;
using SiliconBench.Records;

namespace SiliconBench.Cli.Commands;

/// <summary><c>analyze RUN_DIR</c>: recomputes summary.json from the raw record, optionally with other SLOs.</summary>
internal static class AnalyzeCommand
{
    public static Command Create(CliEnvironment env)
    {
        var runDir = new Argument<string>("RUN_DIR") { Description = "A run record directory (results/<run-id>)." };
        var slo = new Option<string?>("--slo")
        {
            Description = "Replace the workload's SLOs, e.g. 'ttft_ms=500,tpot_ms=50' ('none' clears them).",
        };
        var cost = new Option<string?>("--cost") { Description = "Price the run with this cost sheet (YAML; see workloads/costs/); it is kept as cost-sheet.yaml in the run directory." };
        var json = new Option<bool>("--json") { Description = "Print summary.json to stdout instead of the table." };
        var command = new Command("analyze", "Recompute summary.json from a run's raw record (a pure function of the files).")
        {
            runDir, slo, cost, json,
        };
        command.SetAction(parse =>
        {
            var dir = env.ResolvePath(parse.GetValue(runDir)!);
            var options = new AnalysisOptions { Slo = parse.GetValue(slo) is { } text ? SloOption.Parse(text) : null };
            var sheet = parse.GetValue(cost) is { } path ? env.ResolvePath(path) : null;
            var summary = AnalysisPipeline.AnalyzeAndWrite(dir, options, sheet);
            if (parse.GetValue(json))
                env.Console.Profile.Out.Writer.Write(SummaryWriter.Serialize(summary));
            else
                env.Console.Write(SummaryTable.Render(summary));
            return summary.Validity.Valid ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }
}

/// <summary>Parses <c>--slo ttft_ms=500,tpot_ms=50</c>.</summary>
internal static class SloOption
{
    public static SloSet Parse(string text)
    {
        if (text.Trim() is "none" or "")
            return SloSet.None;
        double? ttft = null, tpot = null, e2e = null;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? part : part[..eq];
            if (eq < 0 || !double.TryParse(part[(eq + 1)..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var ms) || ms <= 0)
                throw new InputException("--slo", null, key, "expected NAME=MILLISECONDS with a positive number, e.g. ttft_ms=500");
            switch (key)
            {
                case "ttft_ms": ttft = ms; break;
                case "tpot_ms": tpot = ms; break;
                case "e2e_ms": e2e = ms; break;
                default: throw new InputException("--slo", null, key, "unknown SLO; expected ttft_ms, tpot_ms or e2e_ms");
            }
        }
        return new SloSet(ttft, tpot, e2e);
    }
}
