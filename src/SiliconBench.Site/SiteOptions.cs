namespace SiliconBench.Site;

/// <summary>Knobs of the static site; the defaults keep every page under about 500 KB at 1,000 runs.</summary>
public sealed record SiteOptions
{
    public string Title { get; init; } = "SiliconBench";
    /// <summary>Rows per leaderboard on the index page (the workload page lists them all).</summary>
    public int LeaderboardRows { get; init; } = 20;
    /// <summary>Rows per page of a long table (workload, silicon, downloads); further rows go to page 2, 3, ….</summary>
    public int RowsPerPage { get; init; } = 200;
    /// <summary>Most marks per Pareto chart: every frontier point is kept, the rest evenly thinned.</summary>
    public int MaxChartPoints { get; init; } = 300;
    /// <summary>Most vertices per timeline chart, all sensors together (min/max downsampling).</summary>
    public int MaxTimelinePoints { get; init; } = 2000;
    /// <summary>Most vertices per latency CDF series.</summary>
    public int MaxCdfPoints { get; init; } = 400;
    /// <summary>Copy the raw record files next to the site (true) or link to them where they are (false).</summary>
    public bool CopyRawRecords { get; init; } = true;
}

/// <summary>
/// What a render did: the site's pages (paths relative to the output directory with '/' separators,
/// sorted; a page already identical on disk is left untouched but still listed), the number of runs
/// shown, and warnings (run folders skipped, damaged record lines), in folder order.
/// </summary>
public sealed record SiteResult(IReadOnlyList<string> PagesWritten, int RunsRead, IReadOnlyList<string> Warnings);
