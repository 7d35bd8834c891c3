using SiliconBench.Cli;
using SiliconBench.Cli.Hosting;
using Spectre.Console.Testing;

namespace SiliconBench.Tests;

/// <summary>Runs the CLI in-process against a test console; keeps what it printed.</summary>
public sealed class CliHarness : IDisposable
{
    public CliHarness()
    {
        Directory.CreateDirectory(WorkingDirectory);
    }

    public string WorkingDirectory { get; } = Path.Combine(Path.GetTempPath(), "sb-cli-" + Guid.NewGuid().ToString("N"));

    public TestConsole Console { get; } = new TestConsole().Width(200);

    public StringWriter Error { get; } = new();

    public string Output => Console.Output;

    public int Run(params string[] args) => Run(CancellationToken.None, args);

    public int Run(CancellationToken cancel, params string[] args) =>
        CliApp.Run(args, new CliEnvironment(Console, Error, WorkingDirectory, cancel));

    public string PathOf(string relative) => Path.Combine(WorkingDirectory, relative);

    public void Dispose()
    {
        if (Directory.Exists(WorkingDirectory))
            Directory.Delete(WorkingDirectory, recursive: true);
    }
}
