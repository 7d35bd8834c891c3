using Spectre.Console;

namespace SiliconBench.Cli.Hosting;

/// <summary>What a command may touch of the outside world; tests pass a Spectre <c>TestConsole</c> and a StringWriter.</summary>
public sealed record CliEnvironment(IAnsiConsole Console, TextWriter Error, string CurrentDirectory, CancellationToken Cancel)
{
    public string ResolvePath(string path) => Path.GetFullPath(path, CurrentDirectory);
}

/// <summary>Routes System.CommandLine's own output (help text) through the Spectre console.</summary>
internal sealed class AnsiConsoleTextWriter(IAnsiConsole console) : TextWriter
{
    public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

    public override void Write(char value) => console.Profile.Out.Writer.Write(value);

    public override void Write(string? value) => console.Profile.Out.Writer.Write(value);
}
