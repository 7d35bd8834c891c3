namespace SiliconBench.Costs;

/// <summary>A figure of a cost sheet and where it came from; every input carries its source (docs/design.md, "Cost model").</summary>
public sealed record SourcedValue(double Value, string Source);

/// <summary>
/// What a system costs to run: rented by the hour (<see cref="Cloud"/>) or owned (<see cref="Owned"/>).
/// The sheet prices <see cref="Accelerators"/> accelerators; a run on fewer or more is scaled to its own count.
/// </summary>
public sealed record CostSheet
{
    public required string Name { get; init; }
    /// <summary>What is priced, e.g. "1× H100 SXM5 80GB, on-demand".</summary>
    public required string System { get; init; }
    public int Accelerators { get; init; } = 1;
    public CloudCost? Cloud { get; init; }
    public OwnedCost? Owned { get; init; }
    /// <summary>Date the prices were read (prices move; readers need to know how old they are).</summary>
    public string? AsOf { get; init; }
    /// <summary>Where the sheet was read from (file path), for error messages and the summary.</summary>
    public string? File { get; init; }
    /// <summary>
    /// SHA-256 (lower-case hex) of the sheet's text as read; written into the summary's cost section so a
    /// re-priced run names exactly which sheet priced it. Null for a sheet built in code.
    /// </summary>
    public string? ContentSha256 { get; init; }
}

/// <summary>A rented system: the hourly price includes power, so measured power adds no energy line.</summary>
public sealed record CloudCost(SourcedValue UsdPerHour);

/// <summary>An owned system: capital annuity + hosting for the provisioned power + the energy it measurably draws.</summary>
public sealed record OwnedCost
{
    public required SourcedValue CapexUsd { get; init; }
    public required SourcedValue AmortizationYears { get; init; }
    /// <summary>Annual cost of capital as a fraction (0.08 = 8 %/year); 0 = straight-line.</summary>
    public required SourcedValue CostOfCapital { get; init; }
    public required SourcedValue HostingUsdPerKwMonth { get; init; }
    public required SourcedValue ProvisionedKw { get; init; }
    public required SourcedValue EnergyUsdPerKwh { get; init; }
    public required SourcedValue Pue { get; init; }
}
