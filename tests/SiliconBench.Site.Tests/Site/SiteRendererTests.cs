using System.Text.RegularExpressions;
using SiliconBench.Site;
using Xunit;

namespace SiliconBench.Tests.Site;

public class SiteRendererTests
{
    private const string Hostile = "<script>alert(1)</script>";
    private const string HostileEscaped = "&lt;script&gt;alert(1)&lt;/script&gt;";

    [Fact]
    public void Reads_the_analyzed_runs_and_warns_about_a_folder_without_summary()
    {
        var result = RenderedSite.Result;
        Assert.Equal(3, result.RunsRead);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains("zz-not-analyzed", warning, StringComparison.Ordinal);
        Assert.Contains("summary.json", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(result.PagesWritten, p => p.Contains("zz-not-analyzed", StringComparison.Ordinal));
    }

    [Fact]
    public void Writes_every_kind_of_page_with_sorted_relative_paths()
    {
        var pages = RenderedSite.Result.PagesWritten;
        Assert.Contains("index.html", pages);
        Assert.Contains("methodology.html", pages);
        Assert.Contains("downloads.html", pages);
        Assert.Contains("runs/h100-energy.html", pages);
        Assert.Contains("runs/cpu-incomplete.html", pages);
        Assert.Contains("runs/mi300x-estimated.html", pages);
        Assert.Single(pages, p => p.StartsWith("workload/chat-smoke", StringComparison.Ordinal));
        Assert.Equal(3, pages.Count(p => p.StartsWith("silicon/", StringComparison.Ordinal)));
        Assert.Equal(pages.Order(StringComparer.Ordinal), pages);
        foreach (var page in pages)
            Assert.True(File.Exists(Path.Combine(RenderedSite.Directory, page)), page);
    }

    [Fact]
    public void Hostile_model_name_host_and_notes_are_escaped_on_every_page()
    {
        foreach (var page in RenderedSite.HtmlPages)
        {
            var html = RenderedSite.Read(page);
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<b>Gold", html, StringComparison.Ordinal);
        }
        Assert.Contains(HostileEscaped, RenderedSite.Read("index.html"), StringComparison.Ordinal);
        var run = RenderedSite.Read("runs/cpu-incomplete.html");
        Assert.Contains(HostileEscaped + " (synthetic:llama-3.1-8b)", run, StringComparison.Ordinal);
        Assert.Contains("host&quot;&gt;&lt;img src=x onerror=alert(2)&gt;", run, StringComparison.Ordinal);
        Assert.Contains("<li>" + HostileEscaped + "</li>", run, StringComparison.Ordinal);
        Assert.DoesNotContain(Hostile, run, StringComparison.Ordinal);
    }

    [Fact]
    public void A_serving_sweep_shows_its_knee_and_envelopes_and_other_runs_do_not()
    {
        var run = RenderedSite.Read("runs/h100-energy.html");
        Assert.Contains("<h2>Serving sweep</h2>", run, StringComparison.Ordinal);
        Assert.Contains("<tr><th>knee point</th><td>c64</td></tr>", run, StringComparison.Ordinal);
        Assert.Contains("<tr><th>slo envelope point</th><td>c32</td></tr>", run, StringComparison.Ordinal);
        Assert.DoesNotContain("Serving sweep", RenderedSite.Read("runs/cpu-incomplete.html"), StringComparison.Ordinal);
    }

    [Fact]
    public void Incomplete_run_shows_its_badge_reason_and_missing_energy()
    {
        var run = RenderedSite.Read("runs/cpu-incomplete.html");
        Assert.Contains("<span class=\"badge incomplete\"", run, StringComparison.Ordinal);
        Assert.Contains("<span class=\"badge invalid\"", run, StringComparison.Ordinal);
        Assert.Contains("Incomplete run:</strong> interrupted (Ctrl-C) at t = 2.9 s", run, StringComparison.Ordinal);
        Assert.Contains("Energy not measured: no sensor.", run, StringComparison.Ordinal);
        Assert.Contains("No cost sheet was applied", run, StringComparison.Ordinal);
        Assert.DoesNotContain("badge measured", run, StringComparison.Ordinal);
        var index = RenderedSite.Read("index.html");
        var row = RowOf(index, "cpu-incomplete");
        Assert.Contains(">not measured<", row, StringComparison.Ordinal);
        Assert.Contains(">incomplete</span>", row, StringComparison.Ordinal);
    }

    [Fact]
    public void Measured_and_estimated_badges_follow_the_provenance_the_analyzer_wrote()
    {
        var index = RenderedSite.Read("index.html");
        var h100 = RowOf(index, "h100-energy");
        Assert.Contains(">measured</span>", h100, StringComparison.Ordinal);
        Assert.DoesNotContain("estimated", h100, StringComparison.Ordinal);
        Assert.DoesNotContain("projected", h100, StringComparison.Ordinal);
        Assert.Contains(">0.9<", h100, StringComparison.Ordinal);
        Assert.Contains(">192,000<", h100, StringComparison.Ordinal);

        var mi = RowOf(index, "mi300x-estimated");
        Assert.Contains(">1.1 <span class=\"badge estimated\">estimated</span>", mi, StringComparison.Ordinal);
        Assert.DoesNotContain(">measured</span>", mi, StringComparison.Ordinal);

        var run = RenderedSite.Read("runs/mi300x-estimated.html");
        Assert.Contains("Scope: accelerator <span class=\"badge estimated\">estimated</span>", run, StringComparison.Ordinal);
        Assert.Contains("<td>2 <span class=\"badge estimated\">estimated</span></td>", run, StringComparison.Ordinal);
        Assert.Contains("<tr><th>Provenance</th><td>estimated</td></tr>", run, StringComparison.Ordinal);
        Assert.DoesNotContain("badge estimated", RenderedSite.Read("runs/h100-energy.html"), StringComparison.Ordinal);
    }

    [Fact]
    public void Leaderboard_ranks_measured_energy_first_then_by_tokens_per_joule()
    {
        var index = RenderedSite.Read("index.html");
        var order = new[] { "h100-energy", "mi300x-estimated", "cpu-incomplete" }
            .Select(id => index.IndexOf("runs/" + id + ".html", StringComparison.Ordinal)).ToList();
        Assert.All(order, i => Assert.True(i > 0));
        // Measured 0.9 tok/J before an estimated 1.1 tok/J before no energy at all.
        Assert.True(order[0] < order[1] && order[1] < order[2], string.Join(",", order));
    }

    [Theory]
    [InlineData("chart-throughput", 5, 3)]
    [InlineData("chart-energy", 4, 3)]
    [InlineData("chart-cost", 4, 2)]
    public void Pareto_charts_draw_one_mark_per_operating_point_and_flag_the_frontier(string chartId, int marks, int frontier)
    {
        var html = RenderedSite.Read(RenderedSite.PageMatching("workload/"));
        var figure = Figure(html, chartId);
        Assert.Equal(marks, Regex.Count(figure, "<circle"));
        Assert.Equal(frontier, Regex.Count(figure, "data-frontier=\"true\""));
        Assert.Contains("data-points=\"" + marks + "\"", figure, StringComparison.Ordinal);
        foreach (Match g in Regex.Matches(figure, "<g class=\"series s\\d\" data-series=\"[^\"]*\" data-count=\"(\\d+)\">(.*?)</g>"))
            Assert.Equal(int.Parse(g.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Regex.Count(g.Groups[2].Value, "<circle"));
        Assert.Contains("<ul class=\"legend\">", figure, StringComparison.Ordinal);
        Assert.Contains("<title>", figure, StringComparison.Ordinal);
    }

    [Fact]
    public void Throughput_chart_has_one_series_per_silicon_and_labels_estimated_energy()
    {
        var figure = Figure(RenderedSite.Read(RenderedSite.PageMatching("workload/")), "chart-throughput");
        var series = Regex.Matches(figure, "data-series=\"([^\"]*)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["AMD Instinct MI300X", "CPU: Intel Xeon &lt;b&gt;Gold&lt;/b&gt; 6430", "NVIDIA H100 80GB HBM3"], series);
        Assert.Contains("mi300x-estimated · b8-c64-o16 (estimated energy)", figure, StringComparison.Ordinal);
        // The analyzer's per-accelerator figure of the MI300X pair (600 tok/s over two), drawn as written.
        Assert.Contains("Output tok/s per accelerator = 300", figure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_silicon_keeps_its_colour_on_every_chart()
    {
        var html = RenderedSite.Read(RenderedSite.PageMatching("workload/"));
        foreach (var chart in new[] { "chart-throughput", "chart-energy", "chart-cost" })
            Assert.Contains("<g class=\"series s2\" data-series=\"NVIDIA H100 80GB HBM3\"", Figure(html, chart), StringComparison.Ordinal);
        Assert.Contains("3 runs across 1 workload.", RenderedSite.Read("index.html"), StringComparison.Ordinal);
    }

    [Fact]
    public void Axis_ticks_of_a_narrow_range_stay_distinct()
    {
        var html = RenderedSite.Read("runs/h100-energy.html");
        var ticks = Regex.Matches(Figure(html, "cdf-tpot"), "class=\"tx\">([^<]*)<").Select(m => m.Groups[1].Value).ToList();
        Assert.True(ticks.Count >= 3);
        Assert.Equal(ticks.Count, ticks.Distinct().Count());
        Assert.All(ticks, t => Assert.True(t.Length <= 6, t));
    }

    [Fact]
    public void Run_page_has_manifest_validity_timeline_and_latency_cdfs()
    {
        var run = RenderedSite.Read("runs/h100-energy.html");
        Assert.Contains("NVIDIA H100 80GB HBM3", run, StringComparison.Ordinal);
        // A run from a campaign names the scheduler job, task and node it came from.
        Assert.Contains("slurm: job 4182 (array 4180) &#183; task 2 &#183; node lab-gpu-01 &#183; campaign task chat-h100-8b-interactive-chat-full-r3", run, StringComparison.Ordinal);
        Assert.Contains("<th>measured_requests</th><td>16</td>", run, StringComparison.Ordinal);
        Assert.Contains("telemetry samples with throttling", run, StringComparison.Ordinal);
        var power = Figure(run, "timeline-power_w");
        Assert.Contains("data-points=\"50\"", power, StringComparison.Ordinal);
        Assert.Contains("class=\"span prefill\"", power, StringComparison.Ordinal);
        Assert.Contains("class=\"span decode\"", power, StringComparison.Ordinal);
        Assert.Contains("class=\"marker\"", power, StringComparison.Ordinal);
        Assert.Contains("data-points=\"50\"", Figure(run, "timeline-sm_clock_mhz"), StringComparison.Ordinal);
        Assert.Contains("data-points=\"50\"", Figure(run, "timeline-temp_c"), StringComparison.Ordinal);
        // 16 requests, 2 of them warm-up: 7 measured per operating point, one curve each.
        var ttft = Figure(run, "cdf-ttft");
        Assert.Contains("data-points=\"14\"", ttft, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Count(ttft, "<polyline class=\"ln\""));
        Assert.Contains("data-points=\"14\"", Figure(run, "cdf-tpot"), StringComparison.Ordinal);
        // A null metric is a dash, never a zero.
        Assert.Matches("End-to-end latency \\(ms\\)</th><td>—</td>", run);
    }

    [Fact]
    public void Power_is_derived_from_the_energy_counter_when_no_power_samples_exist()
    {
        var power = Figure(RenderedSite.Read("runs/mi300x-estimated.html"), "timeline-power_w");
        Assert.Contains("data-series=\"tdp:0 (from energy)\"", power, StringComparison.Ordinal);
        Assert.Contains("data-points=\"49\"", power, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_page_forbids_remote_loads_and_links_only_to_files_that_exist()
    {
        foreach (var page in RenderedSite.HtmlPages)
        {
            var html = RenderedSite.Read(page);
            Assert.Contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'self'; img-src 'self' data:;", html, StringComparison.Ordinal);
            Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
            Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
            var dir = Path.GetDirectoryName(Path.Combine(RenderedSite.Directory, page))!;
            foreach (Match m in Regex.Matches(html, "(?:href|src)=\"([^\"#]+)(#[^\"]*)?\""))
            {
                var target = Path.GetFullPath(Path.Combine(dir, Uri.UnescapeDataString(m.Groups[1].Value)));
                Assert.True(File.Exists(target), $"{page}: broken link {m.Groups[1].Value}");
            }
        }
    }

    [Fact]
    public void Downloads_offer_the_summary_as_csv_and_json_and_the_raw_files()
    {
        var downloads = RenderedSite.Read("downloads.html");
        Assert.Contains("href=\"data/h100-energy/summary.csv\"", downloads, StringComparison.Ordinal);
        Assert.Contains("href=\"data/h100-energy/summary.json\"", downloads, StringComparison.Ordinal);
        Assert.Contains("href=\"data/h100-energy/telemetry.csv\"", downloads, StringComparison.Ordinal);
        var csv = RenderedSite.Read("data/h100-energy/summary.csv");
        Assert.StartsWith("section,point,scope,metric,stat,value\n", csv, StringComparison.Ordinal);
        Assert.Contains("overall,,,ttft_ms,p99,40\n", csv, StringComparison.Ordinal);
        Assert.Contains("energy,,accelerator,output_tokens_per_j,,0.9\n", csv, StringComparison.Ordinal);
        Assert.Contains("point_energy,b4-c64-o16,accelerator,output_tokens_per_j,,1.2\n", csv, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(Path.Combine(RenderedSite.ResultsDirectory, "h100-energy", "telemetry.csv")),
            File.ReadAllBytes(Path.Combine(RenderedSite.Directory, "data", "h100-energy", "telemetry.csv")));
        var all = RenderedSite.Read("runs.csv").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, all.Length);
        Assert.StartsWith("cpu-incomplete,chat,smoke,CPU: Intel Xeon <b>Gold</b> 6430,<script>alert(1)</script>,onnxruntime,cpu,false,false,", all[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Methodology_is_rendered_from_markdown()
    {
        var html = RenderedSite.Read("methodology.html");
        Assert.Contains("<h1 id=\"methodology\">Methodology</h1>", html, StringComparison.Ordinal);
        Assert.Contains("<table>", html, StringComparison.Ordinal);
        Assert.Contains("Pareto frontier", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Rendering_twice_gives_identical_bytes()
    {
        var a = RenderedSite.NewOutputDirectory();
        var b = RenderedSite.NewOutputDirectory();
        var ra = SiteRenderer.Render(RenderedSite.ResultsDirectory, a);
        var rb = SiteRenderer.Render(RenderedSite.ResultsDirectory, b);
        Assert.Equal(ra.PagesWritten, rb.PagesWritten);
        var filesA = Files(a);
        Assert.Equal(filesA, Files(b));
        Assert.True(filesA.Count > 20);
        foreach (var f in filesA)
            Assert.True(File.ReadAllBytes(Path.Combine(a, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b, f))), f);
    }

    [Fact]
    public void Long_tables_are_paginated_and_pager_links_resolve()
    {
        var dir = RenderedSite.NewOutputDirectory();
        var result = SiteRenderer.Render(RenderedSite.ResultsDirectory, dir, new SiteOptions { RowsPerPage = 1, LeaderboardRows = 1 });
        var workload = result.PagesWritten.Where(p => p.StartsWith("workload/", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, workload.Count);
        Assert.Contains("downloads-p3.html", result.PagesWritten);
        var index = File.ReadAllText(Path.Combine(dir, "index.html"));
        Assert.Contains("All 3 runs and the Pareto charts", index, StringComparison.Ordinal);
        var second = File.ReadAllText(Path.Combine(dir, Assert.Single(workload, p => p.EndsWith("-p2.html", StringComparison.Ordinal))));
        Assert.Contains("(page 2 of 3)", second, StringComparison.Ordinal);
        Assert.DoesNotContain("chart-throughput", second, StringComparison.Ordinal);
        Assert.Contains("<td class=\"n\">2</td>", second, StringComparison.Ordinal);
    }

    [Fact]
    public void Hidden_folders_and_a_site_inside_the_results_are_not_read_as_runs()
    {
        var results = RenderedSite.NewOutputDirectory();
        CopyDirectory(Path.Combine(RenderedSite.ResultsDirectory, "h100-energy"), Path.Combine(results, "h100-energy"));
        Directory.CreateDirectory(Path.Combine(results, ".git"));
        var site = Path.Combine(results, "site");
        SiteRenderer.Render(results, site);
        var again = SiteRenderer.Render(results, site);
        Assert.Equal(1, again.RunsRead);
        Assert.Empty(again.Warnings);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    [Fact]
    public void Missing_results_directory_is_an_error_naming_it()
    {
        var e = Assert.Throws<DirectoryNotFoundException>(() => SiteRenderer.Render("/nonexistent/results-dir", RenderedSite.NewOutputDirectory()));
        Assert.Contains("/nonexistent/results-dir", e.Message, StringComparison.Ordinal);
    }

    private static List<string> Files(string root) => Directory.GetFiles(root, "*", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal).ToList();

    private static string Figure(string html, string id)
    {
        var start = html.IndexOf("<figure class=\"chart\" id=\"" + id + "\"", StringComparison.Ordinal);
        Assert.True(start >= 0, "no chart " + id);
        var end = html.IndexOf("</figure>", start, StringComparison.Ordinal);
        return html[start..end];
    }

    private static string RowOf(string html, string runSlug)
    {
        var at = html.IndexOf("runs/" + runSlug + ".html", StringComparison.Ordinal);
        Assert.True(at >= 0, "no row for " + runSlug);
        var start = html.LastIndexOf("<tr>", at, StringComparison.Ordinal);
        var end = html.IndexOf("</tr>", at, StringComparison.Ordinal);
        return html[start..end];
    }
}
