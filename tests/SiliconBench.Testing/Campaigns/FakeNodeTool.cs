namespace SiliconBench.Testing.Campaigns;

/// <summary>
/// A stand-in for the siliconbench a node runs: prints its arguments and the campaign variables, and exits with the code
/// in <see cref="ExitVariable"/> (0 when unset), so a task script can be run without an engine.
/// </summary>
public static class FakeNodeTool
{
    public const string ExitVariable = "FAKE_TOOL_EXIT";

    public static string Write(string directory)
    {
        var path = Path.Combine(directory, "fake-siliconbench.sh");
        File.WriteAllText(path, $$"""
            #!/bin/sh
            echo "args: $*"
            echo "campaign: ${SILICONBENCH_CAMPAIGN:-} ${SILICONBENCH_CAMPAIGN_TASK:-}"
            exit "${{{ExitVariable}}:-0}"

            """);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
