namespace SiliconBench.Workloads;

/// <summary>How the token lengths of one axis (prompt or output) are spread around a point's nominal length.</summary>
public enum LengthDistributionKind
{
    /// <summary>Every sequence gets exactly the nominal length.</summary>
    Fixed,
    /// <summary>Uniform integers in <c>nominal × [1 − spread, 1 + spread]</c>, within <c>min</c>/<c>max</c>.</summary>
    Uniform,
    /// <summary>Lognormal with median = nominal and shape <c>sigma</c>, rounded and clamped to <c>min</c>/<c>max</c>.</summary>
    Lognormal,
    /// <summary>Lengths resampled from a trace file; the one nominal is the trace's median.</summary>
    Trace,
}

/// <summary>
/// One length axis of a profile (<c>context</c> or <c>output</c>): the nominal lengths swept (one operating point
/// each) and the distribution each sequence's length is drawn from around its point's nominal.
/// </summary>
public sealed record LengthDistribution
{
    /// <summary>The longest length anything in a workload may ask for (16 Mi tokens); keeps every draw in range.</summary>
    public const int MaxTokens = 1 << 24;

    public required LengthDistributionKind Kind { get; init; }

    /// <summary>Nominal lengths, in file order; empty when the profile's <c>mix</c> gives the lengths; a trace's median for a trace.</summary>
    public IReadOnlyList<int> Nominal { get; init; } = [];

    /// <summary>Uniform: relative half-width, in [0, 1).</summary>
    public double? Spread { get; init; }

    /// <summary>Lognormal: standard deviation of the log length.</summary>
    public double? Sigma { get; init; }

    /// <summary>Lower clamp of a drawn length (uniform, lognormal, trace); null = 1.</summary>
    public int? Min { get; init; }

    /// <summary>Upper clamp of a drawn length (uniform, lognormal, trace); null = <see cref="MaxTokens"/>.</summary>
    public int? Max { get; init; }

    /// <summary>The samples of a trace distribution.</summary>
    public TraceSamples? Trace { get; init; }

    public static LengthDistribution FixedAt(params int[] nominal) => new() { Kind = LengthDistributionKind.Fixed, Nominal = nominal };

    /// <summary>The smallest length a draw around <paramref name="nominal"/> can give.</summary>
    public int LowerBound(int nominal) => Kind switch
    {
        LengthDistributionKind.Fixed => nominal,
        LengthDistributionKind.Uniform => Clamp(Math.Max(1, (int)Math.Ceiling((nominal * (1 - (Spread ?? 0))) - 1e-9))),
        LengthDistributionKind.Lognormal => Min ?? 1,
        LengthDistributionKind.Trace => Clamp(Trace?.Minimum ?? 1),
        _ => throw new InvalidOperationException($"unknown distribution kind {Kind}"),
    };

    /// <summary>The largest length a draw around <paramref name="nominal"/> can give.</summary>
    public int UpperBound(int nominal) => Kind switch
    {
        LengthDistributionKind.Fixed => nominal,
        LengthDistributionKind.Uniform => Clamp((int)Math.Min(MaxTokens, Math.Floor((nominal * (1 + (Spread ?? 0))) + 1e-9))),
        LengthDistributionKind.Lognormal => Max ?? MaxTokens,
        LengthDistributionKind.Trace => Clamp(Trace?.Maximum ?? MaxTokens),
        _ => throw new InvalidOperationException($"unknown distribution kind {Kind}"),
    };

    /// <summary>Applies <see cref="Min"/> and <see cref="Max"/>.</summary>
    public int Clamp(int length) => Math.Clamp(length, Min ?? 1, Max ?? MaxTokens);

    /// <summary>The name the workload file uses for <paramref name="kind"/>.</summary>
    public static string KindName(LengthDistributionKind kind) => kind switch
    {
        LengthDistributionKind.Fixed => "fixed",
        LengthDistributionKind.Uniform => "uniform",
        LengthDistributionKind.Lognormal => "lognormal",
        LengthDistributionKind.Trace => "trace",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}

/// <summary>
/// Lengths read from a trace file (one per line, or one column of a CSV with a header).
/// <see cref="File"/> is the path as the workload wrote it; <see cref="Sha256"/> pins the content.
/// </summary>
public sealed record TraceSamples(string File, string? Column, IReadOnlyList<int> Values, string Sha256)
{
    public int Minimum { get; } = Values.Min();
    public int Maximum { get; } = Values.Max();

    /// <summary>The lower median, so a trace with an even count still has a length that occurs in it.</summary>
    public int Median { get; } = Values.Order().ElementAt((Values.Count - 1) / 2);
}

/// <summary>One (prompt, output) pair of a prefill:decode mix: an operating point's nominal lengths.</summary>
public sealed record MixPair(int Context, int Output);
