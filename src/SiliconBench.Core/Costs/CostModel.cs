namespace SiliconBench.Costs;

/// <summary>
/// Hourly cost of a system and the tokens a dollar buys (docs/design.md, "Cost model"):
/// hourly = capital annuity + hosting for the provisioned kW + measured average power × PUE × $/kWh.
/// </summary>
public static class CostModel
{
    /// <summary>Hours in a year, as the annuity and hosting are spread over (365 × 24; stated in the methodology).</summary>
    public const double HoursPerYear = 8760;

    /// <summary>
    /// Prices one hour of the run's system. <paramref name="measuredPowerW"/> is the average power of the broadest
    /// measured scope (null when not measured: then only the fixed parts count, and the basis says so).
    /// <paramref name="runAccelerators"/> scales a sheet priced for another number of accelerators.
    /// </summary>
    public static HourlyCost Price(CostSheet sheet, double? measuredPowerW, int runAccelerators)
    {
        var share = Math.Max(1, runAccelerators) / (double)Math.Max(1, sheet.Accelerators);
        if (sheet.Cloud is { } cloud)
            return new HourlyCost { RentUsdPerHour = cloud.UsdPerHour.Value * share, Basis = CostBasis.CloudPrice };

        var owned = sheet.Owned ?? throw new InvalidOperationException($"cost sheet '{sheet.Name}' has neither cloud nor owned costs");
        return new HourlyCost
        {
            CapitalUsdPerHour = Annuity(owned.CapexUsd.Value, owned.CostOfCapital.Value, owned.AmortizationYears.Value) / HoursPerYear * share,
            HostingUsdPerHour = owned.ProvisionedKw.Value * owned.HostingUsdPerKwMonth.Value * 12 / HoursPerYear * share,
            // Measured power already covers exactly the run's devices, so it is not scaled by the share.
            EnergyUsdPerHour = measuredPowerW is { } w ? w / 1000 * owned.Pue.Value * owned.EnergyUsdPerKwh.Value : null,
            Basis = measuredPowerW is null ? CostBasis.FixedOnly : CostBasis.MeasuredPower,
        };
    }

    /// <summary>Yearly payment that repays <paramref name="capital"/> over <paramref name="years"/> at <paramref name="rate"/>: C·r / (1 − (1+r)^−n), or C/n when r = 0.</summary>
    public static double Annuity(double capital, double rate, double years) =>
        rate == 0 ? capital / years : capital * rate / (1 - Math.Pow(1 + rate, -years));

    /// <summary>Tokens a dollar buys at a throughput: tokens/s ÷ dollars/s.</summary>
    public static double TokensPerUsd(double tokensPerSecond, double usdPerHour) => tokensPerSecond / (usdPerHour / 3600);
}

public static class CostBasis
{
    public const string CloudPrice = "cloud price (power included)";
    public const string MeasuredPower = "owned: capital + hosting + measured energy";
    public const string FixedOnly = "owned: capital + hosting only (power not measured)";
}

/// <summary>One hour of a system, by part, and which basis the total rests on.</summary>
public sealed record HourlyCost
{
    public double RentUsdPerHour { get; init; }
    public double CapitalUsdPerHour { get; init; }
    public double HostingUsdPerHour { get; init; }
    /// <summary>Measured average power × PUE × $/kWh; null when power was not measured (or is in the rent).</summary>
    public double? EnergyUsdPerHour { get; init; }
    public required string Basis { get; init; }

    public double UsdPerHour => RentUsdPerHour + CapitalUsdPerHour + HostingUsdPerHour + (EnergyUsdPerHour ?? 0);
}
