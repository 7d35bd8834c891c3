using SiliconBench.Site.Loading;
using SiliconBench.Site.Pages;

namespace SiliconBench.Site;

/// <summary>
/// <c>siliconbench report</c>: renders the static comparison site from a results directory (one
/// folder per run). Output is deterministic (same results, same bytes), works from file:// and
/// loads nothing remote.
/// </summary>
public static class SiteRenderer
{
    /// <exception cref="DirectoryNotFoundException">The results directory does not exist.</exception>
    public static SiteResult Render(string resultsDirectory, string outputDirectory, SiteOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(resultsDirectory);
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        if (!Directory.Exists(resultsDirectory))
            throw new DirectoryNotFoundException("results directory not found: " + resultsDirectory);
        options ??= new SiteOptions();
        var warnings = new List<string>();
        var runs = RunLoader.LoadAll(resultsDirectory, warnings, exclude: outputDirectory);
        Directory.CreateDirectory(outputDirectory);
        var builder = new SiteBuilder(runs, Path.GetFullPath(outputDirectory), options, warnings);
        var pages = builder.Build();
        return new SiteResult(pages, runs.Count, warnings);
    }
}
