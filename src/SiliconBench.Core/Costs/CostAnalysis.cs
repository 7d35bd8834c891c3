using System.Globalization;
using SiliconBench.Analysis;
using SiliconBench.Metrics;
using SiliconBench.Telemetry;

namespace SiliconBench.Costs;

/// <summary>
/// Prices a summary with a cost sheet: overall and per point, hourly cost (<see cref="CostModel.Price"/>) and the
/// tokens a dollar buys at that scope's throughput. Measured power is the <c>avg_power_w</c> of the broadest
/// energy scope the scope has (wall &gt; node &gt; accelerator &gt; cpu_package): the broadest one includes the
/// others, and adding scopes would count power twice. A pure function, so re-pricing a run is deterministic.
/// </summary>
public static class CostAnalysis
{
    /// <summary>Energy scopes from broadest to narrowest.</summary>
    public static readonly IReadOnlyList<string> ScopesBroadestFirst = [SensorScope.Wall, SensorScope.Node, SensorScope.Accelerator, SensorScope.CpuPackage];

    public static Summary Apply(Summary summary, CostSheet sheet, int runAccelerators)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(sheet);
        return summary with
        {
            Cost = Price(sheet, runAccelerators, summary.Overall, summary.Energy),
            Points = [.. summary.Points.Select(p => p with { Cost = Price(sheet, runAccelerators, p.Metrics, p.Energy) })],
        };
    }

    /// <summary>The broadest energy scope with a measured average power, that power, and where the scope's figures come from; null when none.</summary>
    public static (string Scope, double PowerW, Provenance Provenance)? MeasuredPower(IReadOnlyDictionary<string, MetricSet> energy)
    {
        ArgumentNullException.ThrowIfNull(energy);
        foreach (var scope in ScopesBroadestFirst)
        {
            if (energy.TryGetValue(scope, out var m) && m.Scalar(MetricCatalog.AvgPowerW) is { } w)
                return (scope, w, m.Provenance ?? Provenance.Measured);
        }
        return null;
    }

    public static CostSection Price(CostSheet sheet, int runAccelerators, MetricSet metrics, IReadOnlyDictionary<string, MetricSet> energy)
    {
        ArgumentNullException.ThrowIfNull(sheet);
        ArgumentNullException.ThrowIfNull(metrics);
        // A cloud price includes power, so measured power only matters for an owned system.
        var power = sheet.Owned is null ? null : MeasuredPower(energy);
        var hourly = CostModel.Price(sheet, power?.PowerW, runAccelerators);
        var usd = hourly.UsdPerHour;
        double? PerUsd(MetricDescriptor rate) => metrics.Scalar(rate) is { } perSecond && usd > 0 ? CostModel.TokensPerUsd(perSecond, usd) : null;
        var outputPerUsd = PerUsd(MetricCatalog.OutputTokensPerS);
        var totalPerUsd = PerUsd(MetricCatalog.TotalTokensPerS);
        return new CostSection
        {
            Sheet = sheet.Name,
            SheetSha256 = sheet.ContentSha256 ?? CostSheetLoader.Sha256Hex(CanonicalText(sheet)),
            AsOf = sheet.AsOf,
            Basis = hourly.Basis,
            // Prices come from the sheet; an energy line is only as good as the power it priced.
            Provenance = power is { } p ? ProvenanceText.Weaker(Provenance.Imported, p.Provenance) : Provenance.Imported,
            Accelerators = Math.Max(1, runAccelerators),
            PowerScope = power?.Scope,
            PowerW = power?.PowerW,
            UsdPerHour = usd,
            RentUsdPerHour = hourly.RentUsdPerHour,
            CapitalUsdPerHour = hourly.CapitalUsdPerHour,
            HostingUsdPerHour = hourly.HostingUsdPerHour,
            EnergyUsdPerHour = hourly.EnergyUsdPerHour,
            OutputTokensPerUsd = outputPerUsd,
            TotalTokensPerUsd = totalPerUsd,
            UsdPerMillionOutputTokens = outputPerUsd is > 0 ? 1e6 / outputPerUsd : null,
            UsdPerMillionTotalTokens = totalPerUsd is > 0 ? 1e6 / totalPerUsd : null,
            PricedWith = sheet,
        };
    }

    /// <summary>A fixed rendering of a sheet built in code (no file text to hash), so its hash is still stable.</summary>
    private static string CanonicalText(CostSheet s)
    {
        static string F(SourcedValue v) => v.Value.ToString("R", CultureInfo.InvariantCulture) + "|" + v.Source;
        var parts = new List<string> { s.Name, s.System, s.Accelerators.ToString(CultureInfo.InvariantCulture), s.AsOf ?? "" };
        if (s.Cloud is { } c)
            parts.Add("cloud:" + F(c.UsdPerHour));
        if (s.Owned is { } o)
            parts.AddRange(["owned", F(o.CapexUsd), F(o.AmortizationYears), F(o.CostOfCapital), F(o.HostingUsdPerKwMonth), F(o.ProvisionedKw), F(o.EnergyUsdPerKwh), F(o.Pue)]);
        return string.Join("\n", parts);
    }
}
