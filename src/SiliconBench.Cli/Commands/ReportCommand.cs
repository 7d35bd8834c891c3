using System.CommandLine;
using SiliconBench.Cli.Hosting;
using SiliconBench.Diagnostics;
using SiliconBench.Site;

namespace SiliconBench.Cli.Commands;

/// <summary><c>report</c>: renders the static comparison site from a results directory.</summary>
internal static class ReportCommand
{
    public static Command Create(CliEnvironment env)
    {
        var results = new Option<string>("--results", "-r") { Description = "Results directory (one folder per run).", DefaultValueFactory = _ => "results" };
        var output = new Option<string>("--output", "-o") { Description = "Where the site is written.", DefaultValueFactory = _ => "site" };
        var command = new Command("report", "Render the static comparison site (offline, no server) from the run records.") { results, output };
        command.SetAction(parse =>
        {
            RenderSite(env, env.ResolvePath(parse.GetValue(results)!), env.ResolvePath(parse.GetValue(output)!));
            return ExitCodes.Ok;
        });
        return command;
    }

    public static void RenderSite(CliEnvironment env, string resultsDirectory, string siteDirectory)
    {
        if (!Directory.Exists(resultsDirectory))
            throw new InputException(resultsDirectory, null, "--results", "no such results directory");
        var result = SiteRenderer.Render(resultsDirectory, siteDirectory);
        foreach (var warning in result.Warnings)
            env.Error.WriteLine($"warning: {warning}");
        env.Error.WriteLine($"site: {Path.Combine(siteDirectory, "index.html")} ({result.RunsRead} runs, {result.PagesWritten.Count} pages)");
    }
}
