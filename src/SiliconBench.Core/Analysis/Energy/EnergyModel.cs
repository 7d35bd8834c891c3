using SiliconBench.Records;

namespace SiliconBench.Analysis.Energy;

/// <summary>A span of the run clock, seconds.</summary>
public sealed record TimeWindow(double TStart, double TEnd)
{
    public double Duration => TEnd - TStart;
}

/// <summary>An operating point's window and the tokens counted in it (from the engine or server).</summary>
public sealed record PointWindow(string Point, double TStart, double TEnd, long InputTokens, long OutputTokens);

/// <summary>What the energy math needs besides the samples: the measurement window, token counts, steps, idle windows.</summary>
public sealed record EnergyInputs
{
    public required double TStart { get; init; }
    public required double TEnd { get; init; }
    public long InputTokens { get; init; }
    public long OutputTokens { get; init; }
    /// <summary>steps.jsonl (engine mode): non-warm-up prefill and decode steps give the per-phase energy.</summary>
    public IReadOnlyList<StepRecord> Steps { get; init; } = [];
    /// <summary>Idle windows (no load) for the baseline; without them active energy is null.</summary>
    public IReadOnlyList<TimeWindow> IdleWindows { get; init; } = [];
    public IReadOnlyList<PointWindow> Points { get; init; } = [];
    /// <summary>Sampler failures: a fault before a window ends means that window's coverage is lost.</summary>
    public IReadOnlyList<SamplerFault> Faults { get; init; } = [];
}

/// <summary>Energy metrics of one window for one scope; null where not measurable (the reason is in <see cref="Notes"/>).</summary>
public sealed record EnergyMetrics
{
    public double? EnergyJ { get; init; }
    public double? AvgPowerW { get; init; }
    public double? OutputTokensPerJ { get; init; }
    public double? TotalTokensPerJ { get; init; }
    public double? JPerOutputToken { get; init; }
    public double? PrefillEnergyJ { get; init; }
    public double? DecodeEnergyJ { get; init; }
    public double? PrefillJPerToken { get; init; }
    public double? DecodeJPerToken { get; init; }
    /// <summary>Secondary figure: energy minus the idle baseline power × duration; null without idle windows.</summary>
    public double? ActiveEnergyJ { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>How far the measured energy of a scope can be trusted over the measurement window.</summary>
public sealed record EnergyValidity
{
    public int SampleCount { get; init; }
    public double? LargestGapS { get; init; }
    /// <summary>Coarsest sensor interval (declared, else the median sample spacing), seconds.</summary>
    public double? ResolutionS { get; init; }
    /// <summary>Window shorter than <see cref="EnergyAnalysis.MinimumWindowS"/> or ten sensor intervals.</summary>
    public bool BelowResolution { get; init; }
    /// <summary>Bitwise OR of the throttle_reasons seen in the window (0x1, idle, is not a throttle).</summary>
    public long ThrottleReasons { get; init; }
    public bool Throttled { get; init; }
    /// <summary>Sensors whose counter and integrated power differ by more than 5% over the window.</summary>
    public IReadOnlyList<string> CounterPowerDisagreements { get; init; } = [];
    public IReadOnlyList<string> CounterResets { get; init; } = [];
    public int CounterWraps { get; init; }
    public bool CoverageLost { get; init; }
    public IReadOnlyList<string> Reasons { get; init; } = [];
}

public sealed record PointEnergy(string Point, EnergyMetrics Metrics);

/// <summary>Energy of one measurement boundary (accelerator, cpu_package, node, wall): its sensors summed, never mixed with another scope.</summary>
public sealed record ScopeEnergy
{
    public required string Scope { get; init; }
    public required IReadOnlyList<string> Sensors { get; init; }
    /// <summary><c>counter</c>, <c>integrated power</c> or <c>counter + integrated power</c> (per sensor as available).</summary>
    public required string Method { get; init; }
    public double? IdlePowerW { get; init; }
    public required EnergyMetrics Overall { get; init; }
    public IReadOnlyList<PointEnergy> Points { get; init; } = [];
    public required EnergyValidity Validity { get; init; }
}

public sealed record EnergyReport
{
    public bool Measured { get; init; }
    /// <summary>Why there are no energy figures, when <see cref="Measured"/> is false.</summary>
    public string? NotMeasuredReason { get; init; }
    public IReadOnlyList<ScopeEnergy> Scopes { get; init; } = [];
}
