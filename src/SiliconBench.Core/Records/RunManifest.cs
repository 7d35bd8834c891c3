using System.Text.Json;

namespace SiliconBench.Records;

/// <summary><c>manifest.json</c>: everything needed to know what was measured, on what, and how. No secrets.</summary>
public sealed record RunManifest
{
    public string Schema { get; init; } = RunFiles.ManifestSchema;
    public required string RunId { get; init; }
    /// <summary>UTC wall time of t = 0 on the run clock.</summary>
    public required DateTimeOffset StartedUtc { get; init; }
    /// <summary>The run clock's origin on the machine's monotonic clock, with UTC read around it; null in records made before it was kept.</summary>
    public ClockInfo? Clock { get; init; }
    public bool Complete { get; init; }
    public string? IncompleteReason { get; init; }
    public required ToolInfo Tool { get; init; }
    public required HostInfo Host { get; init; }
    public IReadOnlyList<AcceleratorInfo> Accelerators { get; init; } = [];
    public required BackendInfo Backend { get; init; }
    public required ModelInfo Model { get; init; }
    public required WorkloadInfo Workload { get; init; }
    public IReadOnlyList<SensorInfo> Sensors { get; init; } = [];
    /// <summary>Why there are no energy figures when <see cref="Sensors"/> is empty.</summary>
    public string? SensorNote { get; init; }
    /// <summary>Sampler failures mid-run (lost coverage), in order.</summary>
    public IReadOnlyList<SamplerFault> SamplerFaults { get; init; } = [];
    /// <summary>Free-form notes about the run's conditions (e.g. "RAPL needs root"), never secrets.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
    public RooflineInfo? Roofline { get; init; }
    public int Seed { get; init; }
}

/// <summary>
/// Where t = 0 of the run clock lies: a timestamp of the machine's monotonic clock (on Linux CLOCK_MONOTONIC, which
/// every process shares, so a server's own log on the same machine converts as (its timestamp − origin) ÷ rate), and
/// the UTC wall time read just before and just after it.
/// </summary>
public sealed record ClockInfo
{
    public required string Source { get; init; }
    public long OriginTimestamp { get; init; }
    public long TimestampsPerSecond { get; init; }
    public DateTimeOffset UtcBefore { get; init; }
    public DateTimeOffset UtcAfter { get; init; }
}

public sealed record ToolInfo(string Name, string Version, string? Commit);

public sealed record HostInfo
{
    public required string Hostname { get; init; }
    public required string Os { get; init; }
    public required string Cpu { get; init; }
    public int LogicalCores { get; init; }
    public long MemoryBytes { get; init; }
    public required string Runtime { get; init; }
    /// <summary>The cluster job this run was a task of (Slurm, Kubernetes); absent for a run started by hand.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public SchedulerInfo? Scheduler { get; init; }
}

/// <summary>
/// Where a scheduler placed the run: the job and task ids it gave, the node, and the campaign task it ran, so records
/// gathered from many nodes can be traced back to their jobs. Read from the environment the scheduler sets.
/// </summary>
public sealed record SchedulerInfo
{
    /// <summary><c>slurm</c> or <c>kubernetes</c>.</summary>
    public required string Kind { get; init; }
    /// <summary>Slurm: <c>SLURM_JOB_ID</c>; Kubernetes: the Job's name.</summary>
    public string? JobId { get; init; }
    /// <summary>Slurm: <c>SLURM_ARRAY_JOB_ID</c>, the id the whole array was submitted under.</summary>
    public string? ArrayJobId { get; init; }
    /// <summary>Slurm: <c>SLURM_ARRAY_TASK_ID</c>; Kubernetes: <c>JOB_COMPLETION_INDEX</c>.</summary>
    public string? TaskIndex { get; init; }
    /// <summary>Slurm: <c>SLURMD_NODENAME</c>; Kubernetes: the pod's <c>spec.nodeName</c>.</summary>
    public string? Node { get; init; }
    /// <summary>Kubernetes: the pod's name (<c>HOSTNAME</c>).</summary>
    public string? Pod { get; init; }
    public string? Cluster { get; init; }
    public string? Partition { get; init; }
    /// <summary>The campaign and task key the run was started for (<c>siliconbench campaign</c> sets them).</summary>
    public string? Campaign { get; init; }
    public string? CampaignTask { get; init; }
}

public sealed record AcceleratorInfo
{
    public required string Name { get; init; }
    public string? Uuid { get; init; }
    public string? PciBusId { get; init; }
    public string? Driver { get; init; }
    public long? MemoryBytes { get; init; }
    public double? PowerLimitW { get; init; }
}

public sealed record BackendInfo
{
    public required string Id { get; init; }
    public required string Version { get; init; }
    /// <summary>Device or execution provider actually used, e.g. <c>cpu</c>, <c>cuda:0</c>.</summary>
    public required string Device { get; init; }
    public IReadOnlyDictionary<string, string> Options { get; init; } = new SortedDictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>The model as the engine ran it (compute dtype, bytes read per decode step) and where its weights came from.</summary>
public sealed record ModelInfo
{
    public required string Spec { get; init; }
    public required string Name { get; init; }
    public string Architecture { get; init; } = "llama";
    public long Parameters { get; init; }
    /// <summary>Bytes of weights in the compute dtype: what one decode step must stream at least once.</summary>
    public long WeightBytes { get; init; }
    public required string Dtype { get; init; }
    public required string CheckpointDtype { get; init; }
    /// <summary>For example <c>synthetic (seed 42)</c> or <c>checkpoint /models/llama-3.1-8b</c>.</summary>
    public required string Weights { get; init; }
    public int Layers { get; init; }
    public int HiddenSize { get; init; }
    public int IntermediateSize { get; init; }
    public int Heads { get; init; }
    public int KvHeads { get; init; }
    public int HeadDim { get; init; }
    public int VocabSize { get; init; }
    /// <summary>Longest sequence (prompt + output) the model supports; null when the model does not say.</summary>
    public int? MaxContext { get; init; }
    /// <summary>KV-cache bytes per token of context (all layers, key + value) in the compute dtype.</summary>
    public long KvBytesPerToken { get; init; }
}

public sealed record WorkloadInfo
{
    public required string Name { get; init; }
    public required string Profile { get; init; }
    public string? File { get; init; }
    /// <summary>SHA-256 of the workload file's bytes.</summary>
    public string? ContentSha256 { get; init; }
    /// <summary>The fully resolved profile as it ran (defaults filled in, CLI overrides applied).</summary>
    public JsonElement Spec { get; init; } = EmptySpec;

    // A default JsonElement cannot be serialized; an unknown spec is written as {}.
    private static readonly JsonElement EmptySpec = JsonDocument.Parse("{}").RootElement.Clone();
}

/// <summary>A power or energy sensor: its id as used in telemetry.csv, its measurement boundary and how it reads.</summary>
public sealed record SensorInfo(string Id, string Scope, string Method)
{
    /// <summary>Sampling interval in seconds; windows much shorter than this cannot be resolved.</summary>
    public double? IntervalS { get; init; }
    /// <summary>Device this sensor reads (e.g. GPU name and UUID, RAPL domain), for the reader of the record.</summary>
    public string? Device { get; init; }
}

/// <summary>A sampler failure during the run: from then on its sensors' coverage is lost (the run stays readable).</summary>
public sealed record SamplerFault(string Sampler, double T, string Message);

/// <summary>Ceilings measured on this machine (<c>probe --roofline</c>), so runs report realized ÷ roofline per phase.</summary>
public sealed record RooflineInfo
{
    [System.Text.Json.Serialization.JsonPropertyName("memory_bandwidth_gbs")]
    public double MemoryBandwidthGBs { get; init; }
    public double GemmGflops { get; init; }
    public required string Device { get; init; }
    public required string Method { get; init; }
}
