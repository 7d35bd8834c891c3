using System.Text.Json.Serialization;
using SiliconBench.Metrics;

namespace SiliconBench.Costs;

/// <summary>
/// The <c>cost</c> object of summary.json (overall and per point): which sheet priced the run, the hourly cost by
/// part, and what a dollar buys at the measured throughput. Figures that cannot be had (no throughput) are null.
/// </summary>
public sealed record CostSection
{
    /// <summary>The cost sheet's name.</summary>
    public required string Sheet { get; init; }
    /// <summary>SHA-256 of the sheet's text, so a re-priced summary names exactly which sheet priced it.</summary>
    public required string SheetSha256 { get; init; }
    public string? AsOf { get; init; }
    /// <summary>One of <see cref="CostBasis"/>'s texts.</summary>
    public required string Basis { get; init; }
    /// <summary>
    /// Imported (the sheet's prices, each with its source), or weaker when the energy line rests on power that was
    /// itself imported or estimated.
    /// </summary>
    public required Provenance Provenance { get; init; }
    /// <summary>Accelerators of the run the sheet was scaled to.</summary>
    [JsonRequired]
    public int Accelerators { get; init; }
    /// <summary>Energy scope whose average power priced the energy line; null when none was measured or the sheet is a cloud price.</summary>
    public string? PowerScope { get; init; }
    public double? PowerW { get; init; }
    [JsonRequired]
    public double UsdPerHour { get; init; }
    [JsonRequired]
    public double RentUsdPerHour { get; init; }
    [JsonRequired]
    public double CapitalUsdPerHour { get; init; }
    [JsonRequired]
    public double HostingUsdPerHour { get; init; }
    public double? EnergyUsdPerHour { get; init; }
    public double? OutputTokensPerUsd { get; init; }
    public double? TotalTokensPerUsd { get; init; }
    public double? UsdPerMillionOutputTokens { get; init; }
    public double? UsdPerMillionTotalTokens { get; init; }

    /// <summary>
    /// The sheet and accelerator count that produced this section, kept in memory only (not written), so that
    /// adding energy later re-prices with measured power. Null for a section read back from disk.
    /// </summary>
    [JsonIgnore]
    public CostSheet? PricedWith { get; init; }

    /// <summary>The section's figures (catalog section Cost) in summary order, for compare, gate and the site.</summary>
    [JsonIgnore]
    public IEnumerable<KeyValuePair<MetricDescriptor, double?>> Figures =>
    [
        new(MetricCatalog.UsdPerHour, UsdPerHour),
        new(MetricCatalog.RentUsdPerHour, RentUsdPerHour),
        new(MetricCatalog.CapitalUsdPerHour, CapitalUsdPerHour),
        new(MetricCatalog.HostingUsdPerHour, HostingUsdPerHour),
        new(MetricCatalog.EnergyUsdPerHour, EnergyUsdPerHour),
        new(MetricCatalog.OutputTokensPerUsd, OutputTokensPerUsd),
        new(MetricCatalog.TotalTokensPerUsd, TotalTokensPerUsd),
        new(MetricCatalog.UsdPerMillionOutputTokens, UsdPerMillionOutputTokens),
        new(MetricCatalog.UsdPerMillionTotalTokens, UsdPerMillionTotalTokens),
    ];
}
