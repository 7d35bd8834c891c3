using System.CommandLine;
using SiliconBench.Cli.Hosting;
using SiliconBench.Diagnostics;
using SiliconBench.Planning;
using SiliconBench.Workloads;
using Spectre.Console;

namespace SiliconBench.Cli.Commands;

/// <summary><c>validate FILE…</c>: checks workload files (parse, every profile resolved and planned) and reports every bad one.</summary>
internal static class ValidateCommand
{
    // Planning needs a vocabulary size; any realistic one exercises the same checks.
    private const int PlanningVocabulary = 32_000;

    public static Command Create(CliEnvironment env)
    {
        var files = new Argument<string[]>("FILE") { Description = "Workload files (YAML) or built-in workload names.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("validate", "Check workload files; exit 2 naming file, line and field of the first problem in each.") { files };
        command.SetAction(parse =>
        {
            var failed = 0;
            foreach (var file in parse.GetValue(files)!)
            {
                try
                {
                    var source = WorkloadSource.Resolve(file, env);
                    var workload = WorkloadLoader.Parse(source.Text, source.DisplayName, source.BaseDirectory);
                    var points = workload.ProfileNames.Select(p => $"{p}: {Planner.Plan(workload.GetProfile(p), PlanningVocabulary).Points.Count} points");
                    env.Console.MarkupLine($"[green]ok[/] {Markup.Escape(source.DisplayName)} — workload '{Markup.Escape(workload.Name)}' ({Markup.Escape(string.Join(", ", points))})");
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
}
