using System.Security.Cryptography;
using System.Text;
using SiliconBench.Diagnostics;

namespace SiliconBench.Workloads;

/// <summary>
/// Reads a length trace: one positive integer per line, or, with a column name, a CSV whose first line is the
/// header. Blank lines and lines starting with <c>#</c> are skipped. Errors name the trace file and its line.
/// </summary>
internal static class TraceReader
{
    public static TraceSamples Read(string path, byte[] bytes, string? column)
    {
        var values = new List<int>();
        var columnIndex = column is null ? 0 : -1;
        var lineNumber = 0;
        using (var reader = new StringReader(Encoding.UTF8.GetString(bytes)))
        {
            while (reader.ReadLine() is { } raw)
            {
                lineNumber++;
                var line = raw.Trim();
                if (line.Length == 0 || line.StartsWith('#'))
                    continue;
                var cells = column is null ? [line] : line.Split(',', StringSplitOptions.TrimEntries);
                if (columnIndex < 0)
                {
                    columnIndex = Array.IndexOf(cells, column);
                    if (columnIndex < 0)
                        throw new InputException(path, lineNumber, column, $"the header has no column '{column}' (columns: {string.Join(", ", cells)})");
                    continue;
                }
                if (columnIndex >= cells.Length)
                    throw new InputException(path, lineNumber, column, $"the line has {cells.Length} cells; expected column {columnIndex + 1}");
                var cell = cells[columnIndex];
                if (!int.TryParse(cell, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v)
                    || v < 1 || v > LengthDistribution.MaxTokens)
                    throw new InputException(path, lineNumber, column,
                        $"expected a positive integer no larger than {LengthDistribution.MaxTokens} (a length in tokens), got '{cell}'");
                values.Add(v);
            }
        }
        if (values.Count == 0)
            throw new InputException(path, null, column, "the trace holds no lengths");
        return new TraceSamples(path, column, values, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }
}
