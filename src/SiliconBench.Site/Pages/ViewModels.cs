namespace SiliconBench.Site.Pages;

// View models hold display-ready strings: templates only lay them out and escape them,
// so number formatting (invariant culture) lives in one place.

internal sealed record Badge(string Kind, string Text, string Title);

internal sealed record Link(string Text, string Href);

internal sealed record KeyValue(string Key, string Value);

internal sealed record RunRow
{
    public required string RunId { get; init; }
    public required string Href { get; init; }
    public required string Silicon { get; init; }
    public required string SiliconHref { get; init; }
    public required string Workload { get; init; }
    public required string WorkloadHref { get; init; }
    public required string Model { get; init; }
    public required string Backend { get; init; }
    public required string TokensPerJ { get; init; }
    public required string EnergyScope { get; init; }
    /// <summary>The energy figure's provenance when it is not measured (estimated, imported), else "".</summary>
    public string EnergyLabel { get; init; } = "";
    public bool EnergyMissing { get; init; }
    public required string TokensPerUsd { get; init; }
    public required string CostBasis { get; init; }
    public required string Goodput { get; init; }
    public required string OutputTokS { get; init; }
    public required string Interactivity { get; init; }
    public required string TtftP99 { get; init; }
    public required IReadOnlyList<Badge> Badges { get; init; }
}

internal sealed record Leaderboard(string Name, string Href, int RunCount, IReadOnlyList<RunRow> Rows, bool Truncated);

internal sealed record GroupLink(string Name, string Href, int RunCount, string Kind);

internal sealed record DistributionRow(string Metric, string Mean, string P50, string P90, string P95, string P99, string Min, string Max, string N);

internal sealed record ScalarRow(string Metric, string Value);

/// <summary>One energy scope's figures; <see cref="Label"/> is their provenance when not measured, else "".</summary>
internal sealed record EnergyTable(string Scope, string Label, IReadOnlyList<ScalarRow> Rows);

internal sealed record PointRow(string Point, string Batch, string OutputTokS, string Interactivity, string TtftP99, string TpotP50, string TokensPerJ, string EnergyLabel, string UsdPerMtok);

internal sealed record AcceleratorRow(string Name, string Uuid, string Driver, string Memory, string PowerLimit);

internal sealed record SensorRow(string Id, string Scope, string Method, string Interval, string Device);

internal sealed record DownloadRow(string RunId, string Href, IReadOnlyList<Link> Files);
