using Markdig;
using SiliconBench.Metrics;
using SiliconBench.Records;
using SiliconBench.Site.Charts;
using SiliconBench.Site.Loading;
using SiliconBench.Site.Text;

namespace SiliconBench.Site.Pages;

internal sealed partial class SiteBuilder
{
    private static readonly MarkdownPipeline Markdown = new MarkdownPipelineBuilder().UsePipeTables().UseAutoIdentifiers().DisableHtml().Build();
    private static readonly Lazy<string> MethodologyHtml = new(() => Markdig.Markdown.ToHtml(EmbeddedText.Read("Content.methodology.md"), Markdown));

    private void WriteIndex()
    {
        var boards = _workloads.Select(g =>
        {
            var ranked = Ranked(g);
            var rows = ranked.Take(Math.Max(1, _options.LeaderboardRows)).Select(r => Row(r, "")).ToList();
            return new Leaderboard(g.Key, WorkloadHref(g.Key), ranked.Count, rows, ranked.Count > rows.Count);
        }).ToList();
        var silicon = _silicons.Select(g => new GroupLink(g.Key, SiliconHref(g.Key), g.Count(), g.First().IsCpuRun ? "CPU" : "accelerator")).ToList();
        WritePage("index.html", "Leaderboard", "index", new
        {
            Leaderboards = boards,
            Silicon = silicon,
            RunCount = _runs.Count,
            WorkloadCount = _workloads.Count,
        });
    }

    private void WriteMethodology() =>
        WritePage("methodology.html", "Methodology", "methodology", new { Content = MethodologyHtml.Value });

    private void WriteWorkload(string key, List<SiteRun> ranked)
    {
        var pages = Paginate(ranked);
        var charts = ParetoCharts(ranked);
        for (var p = 1; p <= pages.Count; p++)
        {
            WritePage(WorkloadHref(key, p), key, "workload", new
            {
                Name = key,
                RunCount = ranked.Count,
                Page = p,
                PageCount = pages.Count,
                FirstRank = (p - 1) * Math.Max(1, _options.RowsPerPage) + 1,
                PageLinks = PageLinks(pages.Count, n => Path.GetFileName(WorkloadHref(key, n))),
                Charts = p == 1 ? charts : [],
                Rows = pages[p - 1].Select(r => Row(r, "../")).ToList(),
            });
        }
    }

    private void WriteSilicon(string key, List<SiteRun> ranked)
    {
        var pages = Paginate(ranked);
        var first = ranked[0];
        var facts = new List<KeyValue>();
        if (first.IsCpuRun)
        {
            facts.Add(new("CPU", first.Manifest.Host.Cpu));
            facts.Add(new("Logical cores", Format.Integer(first.Manifest.Host.LogicalCores)));
        }
        else
        {
            foreach (var a in first.Manifest.Accelerators.DistinctBy(a => a.Name))
            {
                facts.Add(new("Accelerator", a.Name));
                facts.Add(new("Memory", Format.Bytes(a.MemoryBytes)));
                facts.Add(new("Power limit (W)", Format.Number(a.PowerLimitW)));
            }
        }
        var workloads = ranked.Select(r => r.WorkloadKey).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select(w => new Link(w, "../" + WorkloadHref(w))).ToList();
        for (var p = 1; p <= pages.Count; p++)
        {
            WritePage(SiliconHref(key, p), key, "silicon", new
            {
                Name = key,
                Kind = first.IsCpuRun ? "CPU (host processor)" : "accelerator",
                Facts = facts,
                Workloads = workloads,
                RunCount = ranked.Count,
                Page = p,
                PageCount = pages.Count,
                FirstRank = (p - 1) * Math.Max(1, _options.RowsPerPage) + 1,
                PageLinks = PageLinks(pages.Count, n => Path.GetFileName(SiliconHref(key, n))),
                Rows = pages[p - 1].Select(r => Row(r, "../")).ToList(),
            });
        }
    }

    private void WriteDownloads()
    {
        var rows = _runs.OrderBy(r => r.RunId, StringComparer.Ordinal).ThenBy(r => r.Slug, StringComparer.Ordinal)
            .Select(r => new DownloadRow(r.RunId, RunHref(r), DownloadLinks(r, ""))).ToList();
        WriteFile("runs.csv", SummaryCsv.AllRuns(_runs.OrderBy(r => r.RunId, StringComparer.Ordinal).ThenBy(r => r.Slug, StringComparer.Ordinal)));
        var pages = Paginate(rows);
        for (var p = 1; p <= pages.Count; p++)
        {
            WritePage("downloads" + PageSuffix(p) + ".html", "Downloads", "downloads", new
            {
                Rows = pages[p - 1],
                Page = p,
                PageCount = pages.Count,
                PageLinks = PageLinks(pages.Count, n => "downloads" + PageSuffix(n) + ".html"),
                RunCount = rows.Count,
            });
        }
    }

    /// <summary>The per-run files offered for download: the generated summary CSV, then the record files that exist.</summary>
    private List<Link> DownloadLinks(SiteRun run, string root)
    {
        var links = new List<Link> { new("summary (CSV)", root + "data/" + run.Slug + "/summary.csv") };
        foreach (var file in RecordFiles)
        {
            if (!File.Exists(Path.Combine(run.Folder, file)))
                continue;
            var href = _options.CopyRawRecords
                ? root + "data/" + run.Slug + "/" + file
                : root + RelativeUrl(Path.Combine(run.Folder, file));
            links.Add(new Link(RecordFileLabel(file), href));
        }
        return links;
    }

    private static readonly string[] RecordFiles = [RunFiles.Summary, RunFiles.Manifest, RunFiles.Requests, RunFiles.Steps, RunFiles.Windows, RunFiles.Telemetry];

    private string RelativeUrl(string path)
    {
        var relative = Path.GetRelativePath(_out, path).Replace(Path.DirectorySeparatorChar, '/');
        return string.Join('/', relative.Split('/').Select(Uri.EscapeDataString));
    }

    /// <summary>One point per operating point of every run in the workload (the run's overall figures when it has none).</summary>
    private sealed record ChartPoint(SiteRun Run, string Label, double? Interactivity, double? ThroughputPerAccelerator, double? TokensPerJ, double? TtftP99, double? UsdPerMtok);

    private List<string> ParetoCharts(List<SiteRun> runs)
    {
        var points = new List<ChartPoint>();
        foreach (var run in runs.OrderBy(r => r.SiliconKey, StringComparer.Ordinal).ThenBy(r => r.RunId, StringComparer.Ordinal).ThenBy(r => r.Slug, StringComparer.Ordinal))
        {
            var marks = run.Summary.Points.Count > 0
                ? run.Summary.Points.Select(p => (p.Point, p.Metrics, Energy: SiteRun.PickScope(p.Energy), p.Cost)).ToList()
                : [("overall", run.Summary.Overall, run.PrimaryEnergy, run.Summary.Cost)];
            foreach (var (name, metrics, energy, cost) in marks)
            {
                // Figures as the analyzer wrote them; a run without accelerators has one device, the CPU, whose throughput is its own.
                var perAccelerator = run.IsCpuRun ? metrics.Scalar(MetricCatalog.OutputTokensPerS) : metrics.Scalar(MetricCatalog.OutputTokensPerSPerAccelerator);
                var flags = (energy is { Label.Length: > 0 } e ? $" ({e.Label} energy)" : "") + (!run.Complete ? " (incomplete)" : "");
                points.Add(new ChartPoint(run, run.RunId + " · " + name + flags, metrics.Scalar(MetricCatalog.InteractivityTokSUser), perAccelerator,
                    energy?.Metrics.Scalar(MetricCatalog.OutputTokensPerJ), metrics.DistributionOf(MetricCatalog.TtftMs)?.P99, cost?.UsdPerMillionOutputTokens));
            }
        }
        return
        [
            Scatter(points, "chart-throughput", "Throughput per accelerator vs interactivity",
                "Interactivity (tok/s/user)", "Output tok/s per accelerator", p => p.Interactivity, p => p.ThroughputPerAccelerator,
                MetricCatalog.InteractivityTokSUser, MetricCatalog.OutputTokensPerSPerAccelerator, "No operating point reports both throughput and interactivity."),
            Scatter(points, "chart-energy", "Tokens per joule vs p99 time to first token",
                "p99 TTFT (ms)", "Output tokens per joule", p => p.TtftP99, p => p.TokensPerJ,
                MetricCatalog.TtftMs, MetricCatalog.OutputTokensPerJ, "Energy not measured for any run of this workload."),
            Scatter(points, "chart-cost", "Cost per million output tokens vs interactivity",
                "Interactivity (tok/s/user)", "$ per million output tokens", p => p.Interactivity, p => p.UsdPerMtok,
                MetricCatalog.InteractivityTokSUser, MetricCatalog.UsdPerMillionOutputTokens, "No run of this workload has a cost sheet."),
        ];
    }

    /// <summary>A scatter of two metrics; which way is better on each axis (and so the Pareto frontier) comes from the catalog.</summary>
    private string Scatter(List<ChartPoint> all, string id, string title, string xLabel, string yLabel,
        Func<ChartPoint, double?> fx, Func<ChartPoint, double?> fy, MetricDescriptor xMetric, MetricDescriptor yMetric, string empty)
    {
        var xHigherIsBetter = xMetric.Better == Better.Higher;
        var yHigherIsBetter = yMetric.Better == Better.Higher;
        var usable = all.Where(p => fx(p) is { } x && double.IsFinite(x) && fy(p) is { } y && double.IsFinite(y)).ToList();
        var xy = usable.Select(p => (fx(p)!.Value, fy(p)!.Value)).ToList();
        var frontier = Pareto.Frontier(xy, xHigherIsBetter, yHigherIsBetter);
        // Keep every frontier point; thin the dominated ones evenly to stay within the page budget.
        var dominated = Enumerable.Range(0, usable.Count).Where(i => !frontier[i]).ToList();
        var room = Math.Max(0, _options.MaxChartPoints - (usable.Count - dominated.Count));
        var keep = new HashSet<int>(Enumerable.Range(0, usable.Count).Where(i => frontier[i]));
        foreach (var k in Downsample.Even(dominated.Count, room))
            keep.Add(dominated[k]);
        var series = usable.Select((p, i) => (p, i)).Where(t => keep.Contains(t.i))
            .GroupBy(t => t.p.Run.SiliconKey, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new ScatterSeries(g.Key, g.Select(t => new ScatterPoint(xy[t.i].Item1, xy[t.i].Item2, t.p.Label, frontier[t.i])).ToList(), _siliconColour[g.Key]))
            .ToList();
        var note = keep.Count < usable.Count
            ? $"Showing {keep.Count} of {usable.Count} points: every frontier point, the rest evenly thinned."
            : null;
        var better = (xHigherIsBetter ? "right" : "left") + " and " + (yHigherIsBetter ? "up" : "down");
        return SvgCharts.Scatter(new ScatterSpec(id, title, xLabel, yLabel, series)
        {
            Note = (note is null ? "" : note + " ") + "Better is " + better + "; ringed marks are on the Pareto frontier.",
            EmptyText = empty,
        });
    }
}
