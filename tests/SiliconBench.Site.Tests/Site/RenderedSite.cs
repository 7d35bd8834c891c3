using SiliconBench.Site;

namespace SiliconBench.Tests.Site;

/// <summary>The fixed results in Data/results rendered once per test process into a fresh temp folder.</summary>
public static class RenderedSite
{
    private static readonly Lazy<(string Dir, SiteResult Result)> Shared = new(() =>
    {
        var dir = NewOutputDirectory();
        return (dir, SiteRenderer.Render(ResultsDirectory, dir));
    });

    public static string ResultsDirectory => Path.Combine(AppContext.BaseDirectory, "Data", "results");

    public static string Directory => Shared.Value.Dir;

    public static SiteResult Result => Shared.Value.Result;

    public static string NewOutputDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "siliconbench-site-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);
        return dir;
    }

    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(Directory, relativePath));

    public static string PageMatching(string prefix) =>
        Result.PagesWritten.Single(p => p.StartsWith(prefix, StringComparison.Ordinal) && !p.Contains("-p", StringComparison.Ordinal));

    public static IEnumerable<string> HtmlPages => Result.PagesWritten.Where(p => p.EndsWith(".html", StringComparison.Ordinal));
}
