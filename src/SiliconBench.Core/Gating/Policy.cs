namespace SiliconBench.Gating;

/// <summary>How a measured statistic must compare with its threshold.</summary>
public static class Comparators
{
    public static readonly IReadOnlyList<string> All = ["<=", "<", ">=", ">"];

    /// <summary>Whether a requirement with this comparator caps the value (so its upper confidence bound is tested).</summary>
    public static bool IsUpperLimit(string comparator) => comparator is "<=" or "<";

    public static bool Holds(double value, string comparator, double threshold) => comparator switch
    {
        "<=" => value <= threshold,
        "<" => value < threshold,
        ">=" => value >= threshold,
        ">" => value > threshold,
        _ => throw new ArgumentOutOfRangeException(nameof(comparator), comparator, "expected <=, <, >= or >"),
    };
}

/// <summary>One requirement: <c>statistic(metric)</c> at a point, compared with a threshold; <see cref="Line"/> locates it in the policy.</summary>
public sealed record Requirement(string Metric, string Statistic, string Comparator, double Threshold, int Line)
{
    public string Text => $"{Metric} {Statistic} {Comparator} {Threshold.ToString("G", System.Globalization.CultureInfo.InvariantCulture)}";
}

/// <summary>The requirements for one workload (<c>*</c>: any), at one operating point (null: overall).</summary>
public sealed record WorkloadRequirements(string Workload, string? Point, IReadOnlyList<Requirement> Requirements)
{
    public const string AnyWorkload = "*";

    public bool AppliesTo(string? workload) => Workload == AnyWorkload || workload is null || workload == Workload;
}

/// <summary>Evidence a run must carry before any of its numbers count.</summary>
public sealed record EvidenceRequirements
{
    public bool EnergyMeasured { get; init; }
    public double MinWindowS { get; init; }
    public int MinRepetitions { get; init; } = 2;
    public bool NoThrottling { get; init; }
    public bool Complete { get; init; } = true;
}

/// <summary>How passing candidates are ordered: by the mean of a metric over repetitions, at a point (null: overall).</summary>
public sealed record Ranking(string Metric, string Statistic, bool Ascending, string? Point);

/// <summary>A procurement policy (workloads/policies/*.yaml).</summary>
public sealed record Policy
{
    public required string Name { get; init; }
    /// <summary>Confidence of the one-sided bound each requirement is tested on (0.95: 95 %).</summary>
    public double Confidence { get; init; } = 0.95;
    public required EvidenceRequirements Evidence { get; init; }
    public required IReadOnlyList<WorkloadRequirements> Workloads { get; init; }
    public Ranking? Ranking { get; init; }
    public string? File { get; init; }
    public string? ContentSha256 { get; init; }
}
