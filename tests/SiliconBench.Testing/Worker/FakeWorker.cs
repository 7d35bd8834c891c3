namespace SiliconBench.Testing.Worker;

/// <summary>
/// The fake worker script (fake_worker.py, copied next to the test assembly) and options that make the
/// worker backend run it with one scripted behaviour.
/// </summary>
public static class FakeWorker
{
    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "Worker", "fake_worker.py");

    /// <summary>The Python to run it with, or null when none is on PATH.</summary>
    public static string? Python { get; } = FindPython();

    /// <summary>Backend options running the fake with <paramref name="behaviour"/> and the given timeouts.</summary>
    public static Dictionary<string, string> Options(string behaviour, double startupTimeoutS = 20, double stepTimeoutS = 20) => new()
    {
        ["command"] = $"'{Python ?? "python3"}' '{ScriptPath}' {behaviour}",
        ["startup_timeout_s"] = startupTimeoutS.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["step_timeout_s"] = stepTimeoutS.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string? FindPython()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in new[] { "python3", "python3.exe", "python.exe" })
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate))
                    return candidate;
            }
        }
        return null;
    }
}
