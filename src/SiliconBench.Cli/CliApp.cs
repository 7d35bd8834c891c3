using System.CommandLine;
using SiliconBench.Cli.Commands;
using SiliconBench.Cli.Hosting;
using SiliconBench.Diagnostics;
using SiliconBench.Running;
using Spectre.Console;

namespace SiliconBench.Cli;

/// <summary>
/// Entry point of the <c>siliconbench</c> command. The command tree is built once; every command runs
/// inside one error boundary that turns a user mistake (<see cref="InputException"/> or a parse error)
/// into exit code 2 and a one-line message, never a stack trace.
/// </summary>
public static class CliApp
{
    public static int Run(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // First Ctrl-C: stop between steps and keep the record; a second one kills the process.
            if (!cancel.IsCancellationRequested)
            {
                e.Cancel = true;
                cancel.Cancel();
            }
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var env = new CliEnvironment(AnsiConsole.Console, Console.Error, Environment.CurrentDirectory, cancel.Token);
            return Run(args, env);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    public static int Run(string[] args, CliEnvironment env)
    {
        var root = BuildCommandTree(env);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
                env.Error.WriteLine($"error: {error.Message}");
            env.Error.WriteLine("Run 'siliconbench --help' for usage.");
            return ExitCodes.BadInput;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration
            {
                Output = new AnsiConsoleTextWriter(env.Console),
                Error = env.Error,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (InputException e)
        {
            env.Error.WriteLine($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (EngineFailureException e)
        {
            // The engine died before measuring began (a worker that cannot start, a device that fails to load).
            env.Error.WriteLine($"error: engine failed: {e.Message}");
            return ExitCodes.Failed;
        }
    }

    private static RootCommand BuildCommandTree(CliEnvironment env) =>
        new("SiliconBench: measure LLM inference on real accelerators; tokens per joule and per dollar at your operating point.")
        {
            RunCommand.Create(env),
            AnalyzeCommand.Create(env),
            ValidateCommand.Create(env),
            ReportCommand.Create(env),
            CompareCommand.Create(env),
            GateCommand.Create(env),
            ProjectCommand.Create(env),
            ProbeCommand.Create(env),
            ExportCommand.Create(env),
            CampaignCommand.Create(env),
        };
}
