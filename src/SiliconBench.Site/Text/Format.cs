using System.Globalization;

namespace SiliconBench.Site.Text;

/// <summary>Number formatting for tables and tooltips: invariant culture, about four significant digits, "—" for no value.</summary>
internal static class Format
{
    public const string None = "—";

    public static string Number(double? value)
    {
        if (value is not { } v || double.IsNaN(v) || double.IsInfinity(v))
            return None;
        var a = Math.Abs(v);
        var text = a switch
        {
            0 => "0",
            >= 100_000 => v.ToString("N0", CultureInfo.InvariantCulture),
            >= 100 => v.ToString("0.#", CultureInfo.InvariantCulture),
            >= 1 => v.ToString("0.###", CultureInfo.InvariantCulture),
            >= 0.001 => v.ToString("0.#####", CultureInfo.InvariantCulture),
            _ => v.ToString("0.###e+0", CultureInfo.InvariantCulture),
        };
        return text;
    }

    /// <summary>A coordinate in SVG user units: two decimals are below a pixel and keep pages small.</summary>
    public static string Coord(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);

    public static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Bytes(long? bytes)
    {
        if (bytes is not { } b || b <= 0)
            return None;
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double v = b;
        var u = 0;
        while (v >= 1024 && u < units.Length - 1)
        {
            v /= 1024;
            u++;
        }
        return v.ToString(u == 0 ? "0" : "0.#", CultureInfo.InvariantCulture) + " " + units[u];
    }
}
