using System.Collections.Concurrent;
using System.Text;
using SiliconBench.Metrics;
using SiliconBench.Records;
using SiliconBench.Site.Loading;
using SiliconBench.Site.Text;

namespace SiliconBench.Site.Pages;

/// <summary>Writes every page of the site for a set of loaded runs.</summary>
internal sealed partial class SiteBuilder
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private readonly List<SiteRun> _runs;
    private readonly string _out;
    private readonly SiteOptions _options;
    private readonly List<string> _warnings;
    private readonly ConcurrentBag<string> _pages = [];
    private readonly Dictionary<string, string> _workloadSlugs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _siliconSlugs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _siliconColour = new(StringComparer.Ordinal);
    private List<IGrouping<string, SiteRun>> _workloads = [];
    private List<IGrouping<string, SiteRun>> _silicons = [];

    public SiteBuilder(List<SiteRun> runs, string outputDirectory, SiteOptions options, List<string> warnings)
    {
        _runs = runs;
        _out = outputDirectory;
        _options = options;
        _warnings = warnings;
    }

    public IReadOnlyList<string> Build()
    {
        AssignSlugs();
        _workloads = _runs.GroupBy(r => r.WorkloadKey, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        _silicons = _runs.GroupBy(r => r.SiliconKey, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        foreach (var g in _workloads)
            _workloadSlugs[g.Key] = Slug.From(g.Key);
        foreach (var g in _silicons)
        {
            _siliconSlugs[g.Key] = Slug.From(g.Key);
            _siliconColour[g.Key] = _siliconColour.Count;
        }

        WriteFile("style.css", EmbeddedText.Read("Content.style.css"));
        WriteIndex();
        WriteMethodology();
        WriteDownloads();
        foreach (var g in _workloads)
            WriteWorkload(g.Key, Ranked(g));
        foreach (var g in _silicons)
            WriteSilicon(g.Key, Ranked(g));

        var runWarnings = new string?[_runs.Count];
        Parallel.For(0, _runs.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => runWarnings[i] = WriteRun(_runs[i]));
        _warnings.AddRange(runWarnings.Where(w => w is not null)!);
        return _pages.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Slugs from folder names, sorted, so a run keeps its URL when other runs come and go.</summary>
    private void AssignSlugs()
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var run in _runs.OrderBy(r => r.FolderName, StringComparer.Ordinal))
        {
            var slug = Slug.From(run.FolderName);
            var candidate = slug;
            for (var n = 2; !used.Add(candidate); n++)
                candidate = slug + "-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            run.Slug = candidate;
        }
    }

    private string WorkloadHref(string key, int page = 1) => "workload/" + _workloadSlugs[key] + PageSuffix(page) + ".html";

    private string SiliconHref(string key, int page = 1) => "silicon/" + _siliconSlugs[key] + PageSuffix(page) + ".html";

    private static string RunHref(SiteRun run) => "runs/" + run.Slug + ".html";

    private static string PageSuffix(int page) => page <= 1 ? "" : "-p" + page.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Best first: measured tokens per joule, then imported or estimated, then none; ties by output throughput.</summary>
    private static List<SiteRun> Ranked(IEnumerable<SiteRun> runs) => runs
        .OrderByDescending(r => r.PrimaryEnergy is { } e && e.Metrics.Scalar(MetricCatalog.OutputTokensPerJ) is not null && e.Provenance == Provenance.Measured)
        .ThenByDescending(r => r.PrimaryEnergy?.Metrics.Scalar(MetricCatalog.OutputTokensPerJ) is not null)
        .ThenByDescending(r => r.PrimaryEnergy?.Metrics.Scalar(MetricCatalog.OutputTokensPerJ) ?? 0)
        .ThenByDescending(r => r.Summary.Overall.Scalar(MetricCatalog.OutputTokensPerS) ?? double.NegativeInfinity)
        .ThenBy(r => r.RunId, StringComparer.Ordinal)
        .ThenBy(r => r.Slug, StringComparer.Ordinal)
        .ToList();

    private RunRow Row(SiteRun run, string root)
    {
        var overall = run.Summary.Overall;
        var energy = run.PrimaryEnergy;
        var cost = run.Summary.Cost;
        return new RunRow
        {
            RunId = run.RunId,
            Href = root + RunHref(run),
            Silicon = run.SiliconKey,
            SiliconHref = root + SiliconHref(run.SiliconKey),
            Workload = run.WorkloadKey,
            WorkloadHref = root + WorkloadHref(run.WorkloadKey),
            Model = run.Manifest.Model.Name,
            Backend = run.Manifest.Backend.Id + " " + run.Manifest.Backend.Device,
            TokensPerJ = energy is null ? "not measured" : MetricCatalog.OutputTokensPerJ.Format(energy.Metrics.Scalar(MetricCatalog.OutputTokensPerJ)),
            EnergyScope = energy?.Scope ?? "",
            EnergyLabel = energy?.Label ?? "",
            EnergyMissing = energy is null,
            TokensPerUsd = MetricCatalog.OutputTokensPerUsd.Format(cost?.OutputTokensPerUsd),
            CostBasis = cost?.Basis ?? "",
            Goodput = MetricCatalog.GoodputRequestsPerS.Format(overall.Scalar(MetricCatalog.GoodputRequestsPerS)),
            OutputTokS = MetricCatalog.OutputTokensPerS.Format(overall.Scalar(MetricCatalog.OutputTokensPerS)),
            Interactivity = MetricCatalog.InteractivityTokSUser.Format(overall.Scalar(MetricCatalog.InteractivityTokSUser)),
            TtftP99 = MetricCatalog.TtftMs.Format(overall.DistributionOf(MetricCatalog.TtftMs)?.P99),
            Badges = Badges(run),
        };
    }

    internal static List<Badge> Badges(SiteRun run)
    {
        var badges = new List<Badge>();
        var energy = run.PrimaryEnergy;
        if (!run.Complete)
            badges.Add(new Badge("incomplete", "incomplete", run.IncompleteReason ?? "the run did not finish"));
        if (!run.Summary.Validity.Valid)
            badges.Add(new Badge("invalid", "invalid", "validity checks failed; see the run page"));
        // What the analyzer wrote decides: the energy scope's provenance, and the cost section's when it is weaker than its prices.
        if (energy is not null)
        {
            badges.Add(energy.Provenance switch
            {
                Provenance.Measured => new Badge("measured", "measured", "energy measured by sensor scope " + energy.Scope),
                Provenance.Imported => new Badge("imported", "imported", "energy from a replayed trace, not sampled beside this run (scope " + energy.Scope + ")"),
                _ => new Badge("estimated", "estimated", "energy is an estimate, not a measurement (scope " + energy.Scope + ")"),
            });
        }
        if (run.Summary.Cost is { Provenance: Provenance.Estimated } && energy?.Provenance != Provenance.Estimated)
            badges.Add(new Badge("estimated", "estimated", "the cost's energy line rests on estimated power"));
        return badges;
    }

    private void WritePage(string relativePath, string title, string template, object model)
    {
        var depth = relativePath.Count(c => c == '/');
        var root = string.Concat(Enumerable.Repeat("../", depth));
        var body = TemplateSet.Instance.Render(template, model);
        var html = TemplateSet.Instance.Render("layout", new LayoutModel(_options.Title, title, root, body, template));
        WriteFile(relativePath, html);
        _pages.Add(relativePath);
    }

    /// <summary>
    /// Writes a file unless it already holds exactly these bytes: output is deterministic, so a
    /// re-render over an existing site mostly compares (cheap) instead of writing (slow on many file systems).
    /// </summary>
    private void WriteFile(string relativePath, string content)
    {
        var path = Path.Combine(_out, relativePath.Replace('/', Path.DirectorySeparatorChar));
        var bytes = Utf8.GetBytes(content);
        var existing = new FileInfo(path);
        if (existing.Exists && existing.Length == bytes.Length && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
            return;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Copies a record file unless the copy is already there (same length and modification time).</summary>
    private static void CopyIfChanged(string source, string target)
    {
        var from = new FileInfo(source);
        var to = new FileInfo(target);
        if (to.Exists && to.Length == from.Length && to.LastWriteTimeUtc == from.LastWriteTimeUtc)
            return;
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(source, target, overwrite: true);
        File.SetLastWriteTimeUtc(target, from.LastWriteTimeUtc);
    }

    private sealed record LayoutModel(string SiteTitle, string Title, string Root, string Body, string Section);

    /// <summary>Splits <paramref name="items"/> into pages of <see cref="SiteOptions.RowsPerPage"/> (at least one page).</summary>
    private List<List<T>> Paginate<T>(IReadOnlyList<T> items)
    {
        var size = Math.Max(1, _options.RowsPerPage);
        var pages = new List<List<T>>();
        for (var i = 0; i < items.Count; i += size)
            pages.Add(items.Skip(i).Take(size).ToList());
        if (pages.Count == 0)
            pages.Add([]);
        return pages;
    }

    private static List<Link> PageLinks(int count, Func<int, string> href)
    {
        var links = new List<Link>();
        if (count > 1)
        {
            for (var p = 1; p <= count; p++)
                links.Add(new Link(p.ToString(System.Globalization.CultureInfo.InvariantCulture), href(p)));
        }
        return links;
    }

    private static string RelativeName(string path) => path;

    internal static string RecordFileLabel(string file) => file switch
    {
        RunFiles.Manifest => "manifest",
        RunFiles.Summary => "summary (JSON)",
        RunFiles.Requests => "requests",
        RunFiles.Steps => "steps",
        RunFiles.Windows => "windows",
        RunFiles.Telemetry => "telemetry",
        _ => file,
    };
}
