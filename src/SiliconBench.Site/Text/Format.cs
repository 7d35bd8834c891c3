using System.Globalization;
using SiliconBench.Metrics;

namespace SiliconBench.Site.Text;

/// <summary>Number formatting for tables, tooltips and chart axes; metrics format through their catalog descriptor.</summary>
internal static class Format
{
    public const string None = NumberFormat.None;

    /// <summary>The catalog's general number format (<see cref="NumberFormat.Display"/>), for figures that are not metrics.</summary>
    public static string Number(double? value) => NumberFormat.Display(value);

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
