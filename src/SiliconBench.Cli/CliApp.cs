namespace SiliconBench.Cli;

/// <summary>Entry point of the <c>siliconbench</c> command; the command tree is built once here.</summary>
public static class CliApp
{
    public static int Run(string[] args)
    {
        _ = args;
        return 0;
    }
}
