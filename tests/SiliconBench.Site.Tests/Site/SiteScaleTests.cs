using System.Text.RegularExpressions;
using SiliconBench.Benchmarks.Site;
using SiliconBench.Site;
using Xunit;

namespace SiliconBench.Tests.Site;

/// <summary>Page budgets at scale (sizes and counts, not time: render time is measured by the benchmark).</summary>
public class SiteScaleTests
{
    private const long PageBudgetBytes = 500 * 1024;

    [Fact]
    public void Six_hundred_runs_of_one_workload_keep_every_page_under_500_KB_and_charts_capped()
    {
        var results = RenderedSite.NewOutputDirectory();
        GeneratedResults.Write(results, runs: 600, telemetrySamples: 50, requests: 16, steps: 40, points: 4, workloads: 1);
        var output = RenderedSite.NewOutputDirectory();
        var result = SiteRenderer.Render(results, output);
        Assert.Equal(600, result.RunsRead);
        Assert.Empty(result.Warnings);
        foreach (var page in result.PagesWritten)
        {
            var size = new FileInfo(Path.Combine(output, page)).Length;
            Assert.True(size < PageBudgetBytes, $"{page} is {size} bytes");
        }
        var options = new SiteOptions();
        var workload = File.ReadAllText(Path.Combine(output, result.PagesWritten.First(p => p.StartsWith("workload/", StringComparison.Ordinal) && !p.Contains("-p", StringComparison.Ordinal))));
        var chart = workload[workload.IndexOf("id=\"chart-throughput\"", StringComparison.Ordinal)..];
        chart = chart[..chart.IndexOf("</figure>", StringComparison.Ordinal)];
        var marks = Regex.Count(chart, "<circle");
        Assert.True(marks <= options.MaxChartPoints + Regex.Count(chart, "data-frontier"), marks.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains("of 2400 points: every frontier point, the rest evenly thinned.", chart, StringComparison.Ordinal);
        Assert.Equal(3, result.PagesWritten.Count(p => p.StartsWith("workload/", StringComparison.Ordinal)));
        Assert.Contains("downloads-p3.html", result.PagesWritten);
    }

    [Fact]
    public void A_long_telemetry_trace_is_cut_to_the_timeline_budget()
    {
        var results = RenderedSite.NewOutputDirectory();
        GeneratedResults.Write(results, runs: 1, telemetrySamples: 30_000, requests: 4, steps: 20_000, points: 1, workloads: 1);
        var output = RenderedSite.NewOutputDirectory();
        SiteRenderer.Render(results, output);
        var html = File.ReadAllText(Path.Combine(output, "runs", "run-00000.html"));
        foreach (var id in new[] { "timeline-power_w", "timeline-sm_clock_mhz", "timeline-temp_c" })
        {
            var figure = html[html.IndexOf("id=\"" + id + "\"", StringComparison.Ordinal)..];
            var points = int.Parse(Regex.Match(figure, "data-points=\"(\\d+)\"").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(points, 1000, 2000);
        }
        Assert.True(new FileInfo(Path.Combine(output, "runs", "run-00000.html")).Length < PageBudgetBytes);
    }
}
