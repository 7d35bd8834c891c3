using System.Text;
using System.Text.Json;

namespace SiliconBench.Analysis;

/// <summary>
/// Writes <c>summary.json</c> so that <c>analyze</c> reproduces it byte for byte: the keys of
/// <see cref="SummaryJsonContext"/> in declaration order (metrics in the analyzer's order, energy scopes sorted
/// ordinally), two-space indentation, LF line ends and a trailing newline; numbers through
/// <see cref="SignificantDigitsConverter"/>.
/// </summary>
public static class SummaryWriter
{
    public const int SignificantDigits = SignificantDigitsConverter.SignificantDigits;

    /// <summary>Rounds to <see cref="SignificantDigits"/> significant digits (decimal), the value written to disk.</summary>
    public static double Round(double value) => SignificantDigitsConverter.Round(value);

    public static string Serialize(Summary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return JsonSerializer.Serialize(summary, SummaryJsonContext.Instance.Summary) + "\n";
    }

    public static void Write(Summary summary, string path) =>
        File.WriteAllText(path, Serialize(summary), new UTF8Encoding(false));
}
