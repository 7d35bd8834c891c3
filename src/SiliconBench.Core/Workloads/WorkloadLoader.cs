using SiliconBench.Diagnostics;

namespace SiliconBench.Workloads;

/// <summary>
/// Reads workload YAML strictly (workloads/README.md has the schema): unknown fields, wrong types, out-of-range
/// values and malformed YAML are <see cref="InputException"/>s naming file, line and field.
/// </summary>
public static class WorkloadLoader
{
    public static Workload Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new InputException(path, null, null, $"cannot read the workload file: {e.Message}", e);
        }
        return Parse(text, path, Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    /// <summary>
    /// Parses workload text. <paramref name="sourceName"/> is what errors call the file;
    /// <paramref name="baseDirectory"/> resolves relative trace paths (null: only absolute ones work).
    /// </summary>
    public static Workload Parse(string text, string sourceName, string? baseDirectory) =>
        new WorkloadParser(sourceName, baseDirectory).Parse(text);
}
