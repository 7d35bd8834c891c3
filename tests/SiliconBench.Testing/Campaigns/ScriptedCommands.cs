using SiliconBench.Campaigns.Scheduling;

namespace SiliconBench.Testing.Campaigns;

/// <summary>
/// Scripted answers for a scheduler's command-line tools: each call is matched by program and an argument it contains;
/// unmatched calls answer "command not found". Calls are kept so tests can see what was asked.
/// </summary>
public sealed class ScriptedCommands : ICommandRunner
{
    private readonly List<(string Program, string Contains, CommandResult Result)> _answers = [];

    public List<string> Calls { get; } = [];

    public ScriptedCommands Answer(string program, string contains, int exitCode, string output, string error = "")
    {
        _answers.Add((program, contains, new CommandResult(exitCode, output, error)));
        return this;
    }

    public CommandResult Run(string program, IReadOnlyList<string> arguments)
    {
        var line = $"{program} {string.Join(' ', arguments)}";
        Calls.Add(line);
        foreach (var (p, contains, result) in _answers)
        {
            if (p == program && line.Contains(contains, StringComparison.Ordinal))
                return result;
        }
        return new CommandResult(CommandResult.NotFound, "", $"{program}: not scripted");
    }
}
