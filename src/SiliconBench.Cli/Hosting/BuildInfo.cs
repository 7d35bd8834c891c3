using System.Reflection;
using SiliconBench.Records;

namespace SiliconBench.Cli.Hosting;

/// <summary>The tool's version and the git commit it was built from (the SDK appends <c>+sha</c> to the informational version).</summary>
public static class BuildInfo
{
    public static ToolInfo Tool { get; } = Read();

    private static ToolInfo Read()
    {
        var info = typeof(BuildInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var plus = info.IndexOf('+', StringComparison.Ordinal);
        return plus < 0
            ? new ToolInfo("siliconbench", info, null)
            : new ToolInfo("siliconbench", info[..plus], info[(plus + 1)..]);
    }
}
