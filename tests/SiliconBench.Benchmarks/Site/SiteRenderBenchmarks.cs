using BenchmarkDotNet.Attributes;
using SiliconBench.Site;

namespace SiliconBench.Benchmarks.Site;

/// <summary>
/// Renders the site for 1,000 generated runs (5 workloads; 4 operating points, 64 requests, 400 steps
/// and 400 telemetry samples per quantity each). Target: under 10 s on 2 cores, every page under 500 KB.
/// Run: dotnet run -c Release --project tests/SiliconBench.Benchmarks -- --filter '*SiteRender*' --job short
/// </summary>
[MemoryDiagnoser]
public class SiteRenderBenchmarks
{
    private string _root = "";
    private string _results = "";
    private string _output = "";
    private string _fresh = "";
    private int _iteration;

    [Params(1000)]
    public int Runs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "siliconbench-site-bench-" + Runs);
        _results = Path.Combine(_root, "results");
        _output = Path.Combine(_root, "site");
        if (!Directory.Exists(_results))
            GeneratedResults.Write(_results, Runs);
    }

    [IterationSetup(Target = nameof(RenderIntoEmptyDirectory))]
    public void NewOutputDirectory() => _fresh = Path.Combine(_root, "fresh-" + _iteration++);

    /// <summary>First publish: every page written and every record file copied.</summary>
    [Benchmark]
    public SiteResult RenderIntoEmptyDirectory() => SiteRenderer.Render(_results, _fresh);

    /// <summary>Re-render over an existing site: unchanged pages and copies are compared, not rewritten.</summary>
    [Benchmark]
    public SiteResult RenderOverExistingSite() => SiteRenderer.Render(_results, _output);

    [GlobalCleanup]
    public void Report()
    {
        var site = Directory.Exists(_fresh) ? _fresh : _output;
        if (Directory.Exists(site))
        {
            var largest = Directory.GetFiles(site, "*.html", SearchOption.AllDirectories).Select(f => new FileInfo(f)).MaxBy(f => f.Length);
            if (largest is not null)
                Console.WriteLine($"// Largest page: {Path.GetRelativePath(site, largest.FullName)} {largest.Length / 1024.0:0.0} KiB");
        }
        foreach (var dir in Directory.GetDirectories(_root, "fresh-*"))
            Directory.Delete(dir, recursive: true);
    }
}
