namespace SiliconBench.Benchmarks.Engines;

/// <summary>Where benchmarks keep synthetic checkpoints and built graphs: $SILICONBENCH_CACHE, else the repository's .cache/.</summary>
internal static class BenchCache
{
    public static string Directory
    {
        get
        {
            if (Environment.GetEnvironmentVariable("SILICONBENCH_CACHE") is { Length: > 0 } env)
                return env;
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "SiliconBench.sln")))
                    return Path.Combine(dir.FullName, ".cache");
            return Path.Combine(Path.GetTempPath(), "siliconbench-cache");
        }
    }
}
