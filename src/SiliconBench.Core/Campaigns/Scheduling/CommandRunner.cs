using System.ComponentModel;
using System.Diagnostics;

namespace SiliconBench.Campaigns.Scheduling;

/// <summary>What a command printed and how it ended; exit code 127 when the program could not be started.</summary>
public sealed record CommandResult(int ExitCode, string Output, string Error)
{
    public const int NotFound = 127;

    public bool Succeeded => ExitCode == 0;
}

/// <summary>Runs a scheduler's command-line tools (sbatch, squeue, scontrol, sacct); tests give scripted answers.</summary>
public interface ICommandRunner
{
    CommandResult Run(string program, IReadOnlyList<string> arguments);
}

/// <summary>Runs commands as processes, with extra environment variables (e.g. <c>SLURM_CONF</c> for a cluster of one's own).</summary>
public sealed class ProcessCommandRunner(IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null) : ICommandRunner
{
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromMinutes(2);

    public CommandResult Run(string program, IReadOnlyList<string> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
            info.ArgumentList.Add(a);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            info.Environment[key] = value;
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        }
        catch (Win32Exception e)
        {
            return new CommandResult(CommandResult.NotFound, "", $"{program}: {e.Message}");
        }
        using (process)
        {
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(_timeout))
            {
                process.Kill(entireProcessTree: true);
                return new CommandResult(124, output.Result, $"{program} did not answer within {_timeout.TotalSeconds:0} s");
            }
            return new CommandResult(process.ExitCode, output.Result, error.Result);
        }
    }
}
