using System.Globalization;

namespace SiliconBench.Metrics;

/// <summary>Numbers for people (site and CLI tables): invariant culture, about four significant digits, "—" for no value.</summary>
public static class NumberFormat
{
    public const string None = "—";

    public static string Display(double? value)
    {
        if (value is not { } v || double.IsNaN(v) || double.IsInfinity(v))
            return None;
        return Math.Abs(v) switch
        {
            0 => "0",
            >= 100_000 => v.ToString("N0", CultureInfo.InvariantCulture),
            >= 100 => v.ToString("0.#", CultureInfo.InvariantCulture),
            >= 1 => v.ToString("0.###", CultureInfo.InvariantCulture),
            >= 0.001 => v.ToString("0.#####", CultureInfo.InvariantCulture),
            _ => v.ToString("0.###e+0", CultureInfo.InvariantCulture),
        };
    }
}
