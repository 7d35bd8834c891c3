namespace SiliconBench.Testing;

/// <summary>Finds the repository (the folder holding SiliconBench.sln) from the test binaries.</summary>
public static class RepoPaths
{
    public static string Root { get; } = Find();

    public static string Workloads => Path.Combine(Root, "workloads");

    public static string Results => Path.Combine(Root, "results");

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SiliconBench.sln")))
                return dir.FullName;
        throw new InvalidOperationException("SiliconBench.sln not found above " + AppContext.BaseDirectory);
    }
}
