namespace SiliconBench.Diagnostics;

/// <summary>Process exit codes shared by every command (docs/cli.md, "Exit codes").</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The run finished but its record is invalid or incomplete; for <c>gate</c>, the policy failed.</summary>
    public const int Failed = 1;
    /// <summary>Bad input or insufficient evidence.</summary>
    public const int BadInput = 2;
    /// <summary>Interrupted by Ctrl-C (128 + SIGINT), the record is kept and marked incomplete.</summary>
    public const int Interrupted = 130;
}
