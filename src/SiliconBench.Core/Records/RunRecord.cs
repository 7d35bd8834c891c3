namespace SiliconBench.Records;

/// <summary>A run record as read back from disk: everything the analyzer needs, nothing it has to reach for elsewhere.</summary>
public sealed record RunRecord
{
    public required RunManifest Manifest { get; init; }
    public IReadOnlyList<RequestRecord> Requests { get; init; } = [];
    /// <summary>Empty for endpoint runs.</summary>
    public IReadOnlyList<StepRecord> Steps { get; init; } = [];
    public IReadOnlyList<WindowRecord> Windows { get; init; } = [];
    /// <summary>Empty when the run had no sensor.</summary>
    public IReadOnlyList<TelemetrySample> Telemetry { get; init; } = [];
    /// <summary>Damage that was tolerated while reading (a last line cut off by a killed run), in file order.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
