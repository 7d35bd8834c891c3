using System.CommandLine;
using SiliconBench.Cli.Hosting;
using SiliconBench.Comparing;
using SiliconBench.Diagnostics;
using SiliconBench.Gating;
using Spectre.Console;

namespace SiliconBench.Cli.Commands;

/// <summary>
/// <c>gate --policy FILE RUN_DIR…</c>: the procurement verdict. Writes decision.md and decision.json to --out and
/// exits 0 (pass), 1 (fail) or 2 (bad input or insufficient evidence), printing one line per failed requirement.
/// </summary>
internal static class GateCommand
{
    public const string DefaultOutDirectory = "gate-decision";

    public static Command Create(CliEnvironment env)
    {
        var policy = new Option<string>("--policy") { Description = "Procurement policy (YAML), e.g. workloads/policies/example.yaml.", Required = true };
        var runDirs = new Argument<string[]>("RUN_DIR")
        {
            Description = "Candidates: run directories (with summary.json), or folders whose sub-directories are repetitions of one run.",
            Arity = ArgumentArity.OneOrMore,
        };
        var outDir = new Option<string>("--out") { Description = $"Where decision.md and decision.json go (default: ./{DefaultOutDirectory})." };
        var command = new Command("gate", "Pass/fail verdict of a procurement policy over runs; exit 0 pass, 1 fail, 2 bad input or insufficient evidence.")
        {
            policy, runDirs, outDir,
        };
        command.SetAction(parse =>
        {
            var loaded = PolicyLoader.Load(env.ResolvePath(parse.GetValue(policy)!));
            var candidates = parse.GetValue(runDirs)!.Select(d => Candidate.Load(env.ResolvePath(d))).ToList();
            var decision = Gate.Evaluate(loaded, candidates);
            var dir = env.ResolvePath(parse.GetValue(outDir) ?? DefaultOutDirectory);
            try
            {
                DecisionWriter.Write(decision, dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InputException(dir, null, "--out", $"cannot write the decision: {e.Message}", e);
            }

            var headline = decision.Verdict switch
            {
                Verdict.Pass => $"[green]PASS[/] winner: {Markup.Escape(decision.Winner ?? "")}",
                Verdict.Fail => "[red]FAIL[/] no candidate meets every requirement",
                _ => "[yellow]INSUFFICIENT EVIDENCE[/]",
            };
            env.Console.MarkupLine($"{headline} (policy {Markup.Escape(loaded.Name)})");
            foreach (var line in decision.Problems)
            {
                env.Console.MarkupLine("  " + Markup.Escape(line));
                // Insufficient evidence is an input problem (exit 2): it goes to stderr too, as every bad input does.
                if (decision.Verdict == Verdict.InsufficientEvidence)
                    env.Error.WriteLine($"error: {line}");
            }
            env.Console.MarkupLine(Markup.Escape($"wrote {Path.Combine(dir, DecisionWriter.MarkdownFile)} and {DecisionWriter.JsonFile}"));
            return decision.ExitCode;
        });
        return command;
    }
}
