namespace SiliconBench.Metrics;

/// <summary>Which way a metric improves: compare marks it, and a gate ranking without an explicit order follows it.</summary>
public enum Better
{
    Higher,
    Lower,
    /// <summary>Neither way is better by itself (energy of a window, power, a count of samples).</summary>
    Neither,
}

/// <summary>What summary.json holds for a metric: one number, or a distribution object (mean, p50 … max, n).</summary>
public enum MetricShape
{
    Scalar,
    Distribution,
}

/// <summary>How a metric's number is shown to people (site tables, CLI tables).</summary>
public enum NumberStyle
{
    /// <summary>About four significant digits (<see cref="NumberFormat.Display"/>).</summary>
    Decimal,
    /// <summary>A whole number (a count).</summary>
    Integer,
    /// <summary>Bit flags, shown in hexadecimal (<c>0x…</c>).</summary>
    Bitmask,
}

/// <summary>
/// Everything the tool knows about one metric of summary.json: its id, how people call it, its unit, which way is
/// better, where it lives (<see cref="MetricSection"/>), its shape, how to show it, and what exactly it measures.
/// The analyzer writes metrics only through descriptors; site, CLI, compare, gate and <c>validate</c> read them.
/// </summary>
public sealed record MetricDescriptor
{
    /// <summary>The key in summary.json, e.g. <c>ttft_ms</c>; fixed once published.</summary>
    public required string Id { get; init; }
    /// <summary>What people call it, without the unit, e.g. "Time to first token".</summary>
    public required string Label { get; init; }
    /// <summary>The name a narrow table column uses, e.g. "TTFT" or "out tok/s".</summary>
    public required string Short { get; init; }
    /// <summary>Unit of the number, e.g. <c>ms</c>, <c>tok/s</c>; empty for a dimensionless ratio.</summary>
    public required string Unit { get; init; }
    public required Better Better { get; init; }
    public required MetricSection Section { get; init; }
    public MetricShape Shape { get; init; } = MetricShape.Scalar;
    public NumberStyle Style { get; init; } = NumberStyle.Decimal;
    /// <summary>The definition, in one or two sentences: what is counted, over which window, and when it is null.</summary>
    public required string Definition { get; init; }

    /// <summary>The label with its unit, as table rows show it: "Time to first token (ms)".</summary>
    public string Title => Unit.Length == 0 ? Label : $"{Label} ({Unit})";

    /// <summary>The statistics a requirement or lookup may take of this metric.</summary>
    public IReadOnlyList<string> Statistics => Shape == MetricShape.Distribution ? MetricStatistics.OfDistribution : MetricStatistics.OfScalar;

    /// <summary>The number as this metric is shown to people; "—" when there is none.</summary>
    public string Format(double? value) => Style switch
    {
        NumberStyle.Integer => NumberFormat.Display(value is { } v ? Math.Round(v) : null),
        NumberStyle.Bitmask => value is { } m && double.IsFinite(m) ? "0x" + ((long)m).ToString("x", System.Globalization.CultureInfo.InvariantCulture) : NumberFormat.None,
        _ => NumberFormat.Display(value),
    };
}

/// <summary>The statistics of a metric a policy or a comparison can name.</summary>
public static class MetricStatistics
{
    /// <summary>A scalar's one number (<c>mean</c> is accepted as a synonym).</summary>
    public const string Value = "value";

    public static readonly IReadOnlyList<string> OfDistribution = ["mean", "p50", "p90", "p95", "p99", "min", "max"];
    public static readonly IReadOnlyList<string> OfScalar = [Value, "mean"];
    /// <summary>Every statistic any metric takes.</summary>
    public static readonly IReadOnlyList<string> All = [Value, .. OfDistribution];
}
