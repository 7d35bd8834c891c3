using System.Globalization;

namespace SiliconBench.Campaigns.Scheduling.Slurm;

/// <summary>Slurm's array index lists: <c>0-3,7,9-11</c>, with an optional step (<c>0-15:4</c>) and throttle (<c>%2</c>).</summary>
public static class ArrayIndices
{
    /// <summary>Sorted, distinct indices as runs: <c>[0,1,2,3,7]</c> → <c>0-3,7</c>.</summary>
    public static string Format(IEnumerable<int> indices)
    {
        var sorted = indices.Distinct().Order().ToList();
        var parts = new List<string>();
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1)
                j++;
            parts.Add(j == i ? Text(sorted[i]) : $"{Text(sorted[i])}-{Text(sorted[j])}");
            i = j + 1;
        }
        return string.Join(',', parts);
    }

    /// <summary>The indices of a list as Slurm prints it (brackets and throttle allowed); null when it is not one.</summary>
    public static IReadOnlyList<int>? Parse(string text)
    {
        var body = text.Trim().TrimStart('[').TrimEnd(']');
        var throttle = body.IndexOf('%', StringComparison.Ordinal);
        if (throttle >= 0)
            body = body[..throttle];
        var result = new List<int>();
        foreach (var part in body.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var step = 1;
            var range = part;
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0)
            {
                if (!int.TryParse(part.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1)
                    return null;
                range = part[..colon];
            }
            var dash = range.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0)
            {
                if (!int.TryParse(range, NumberStyles.None, CultureInfo.InvariantCulture, out var single))
                    return null;
                result.Add(single);
                continue;
            }
            if (!int.TryParse(range.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                || !int.TryParse(range.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var to) || to < from)
                return null;
            for (var k = from; k <= to; k += step)
                result.Add(k);
        }
        return result.Count > 0 ? result : null;
    }

    private static string Text(int i) => i.ToString(CultureInfo.InvariantCulture);
}
