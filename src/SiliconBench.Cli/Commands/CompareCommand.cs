using System.CommandLine;
using System.Text;
using SiliconBench.Cli.Hosting;
using SiliconBench.Comparing;
using SiliconBench.Diagnostics;
using Spectre.Console;

namespace SiliconBench.Cli.Commands;

/// <summary>
/// <c>compare RUN_DIR…</c>: headline metrics side by side per operating point. A RUN_DIR with a summary.json is
/// one run; a folder of run directories is one candidate with those runs as repetitions (intervals, Welch p-values).
/// </summary>
internal static class CompareCommand
{
    public static Command Create(CliEnvironment env)
    {
        var runDirs = new Argument<string[]>("RUN_DIR")
        {
            Description = "Run directories (with summary.json), or folders of repetitions of one run; the first is the baseline.",
            Arity = ArgumentArity.OneOrMore,
        };
        var json = new Option<bool>("--json") { Description = "Print the comparison as JSON instead of tables." };
        var markdown = new Option<string?>("--markdown") { Description = "Also write the comparison as Markdown to this file." };
        var command = new Command("compare", "Side-by-side table of runs: throughput, latency, tokens per joule and per dollar.")
        {
            runDirs, json, markdown,
        };
        command.SetAction(parse =>
        {
            var candidates = parse.GetValue(runDirs)!.Select(d => Candidate.Load(env.ResolvePath(d))).ToList();
            var comparison = Comparison.Build(candidates);
            if (parse.GetValue(markdown) is { } file)
            {
                var path = env.ResolvePath(file);
                try
                {
                    File.WriteAllText(path, comparison.ToMarkdown(), new UTF8Encoding(false));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new InputException(path, null, "--markdown", $"cannot write the file: {e.Message}", e);
                }
            }
            if (parse.GetValue(json))
            {
                env.Console.Profile.Out.Writer.Write(comparison.ToJson());
                return ExitCodes.Ok;
            }
            foreach (var group in comparison.Rows.GroupBy(r => r.Point))
            {
                var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(group.Key));
                table.AddColumn("metric");
                foreach (var name in comparison.Candidates)
                    table.AddColumn(new TableColumn(Markup.Escape(name)).RightAligned());
                foreach (var row in group)
                    table.AddRow([Markup.Escape(row.Metric.Label + (row.Metric.HigherIsBetter ? " ↑" : " ↓")), .. row.Cells.Select(c => Markup.Escape(Comparison.Describe(c)))]);
                env.Console.Write(table);
            }
            env.Console.MarkupLine(Markup.Escape(
                $"baseline: {comparison.Candidates[0]}; ± is the {comparison.Confidence * 100:0.#}% Student-t half-width over repetitions; [Δ%, p] vs the baseline (Welch's t-test); n/a: not measured."));
            return ExitCodes.Ok;
        });
        return command;
    }
}
