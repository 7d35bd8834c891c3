namespace SiliconBench.Campaigns;

/// <summary>
/// A lab campaign (workloads/campaigns/README.md): every system × model × workload × profile, repeated, one scheduler
/// task per run, with the records gathered on shared storage and judged by one gate policy.
/// </summary>
public sealed record Campaign
{
    public required string Name { get; init; }
    public string? Description { get; init; }
    /// <summary>The campaign file as errors name it, and the SHA-256 of its text.</summary>
    public required string File { get; init; }
    public required string ContentSha256 { get; init; }
    /// <summary>Absolute directory on storage every node sees; the campaign writes <see cref="Root"/> under it.</summary>
    public required string Storage { get; init; }
    /// <summary>The command nodes run (<c>siliconbench</c>, or e.g. <c>[dotnet, /opt/sb/siliconbench.dll]</c>).</summary>
    public required IReadOnlyList<string> Tool { get; init; }
    public required IReadOnlyList<CampaignWorkload> Workloads { get; init; }
    public required IReadOnlyList<string> Profiles { get; init; }
    public required IReadOnlyList<CampaignModel> Models { get; init; }
    public int Repetitions { get; init; } = 1;
    public RunSettings Run { get; init; } = new();
    public required IReadOnlyList<CampaignSystem> Systems { get; init; }
    /// <summary>Absolute path of the gate policy that judges the collected records; null: collect runs no gate.</summary>
    public string? GatePolicy { get; init; }
    public KubernetesSettings Kubernetes { get; init; } = new();

    public string Root => Path.Combine(Storage, Name);
}

/// <summary>
/// A workload of the campaign: a file (its absolute <see cref="Path"/>, which nodes read from shared storage) or a
/// built-in name (<see cref="Path"/> null: its text is copied into the campaign's inputs at submit).
/// </summary>
public sealed record CampaignWorkload(string Spec, string Name, string? Path, string Text, string Sha256, int Line);

/// <summary>A model spec as nodes will be given it, and the short name used in run ids.</summary>
public sealed record CampaignModel(string Spec, string Slug, int Line);

/// <summary>Options every run of the campaign gets.</summary>
public sealed record RunSettings
{
    /// <summary>Idle baseline before and after the work (<c>run --idle-s</c>).</summary>
    public double IdleSeconds { get; init; }
    /// <summary>Measure the roofline before each run (off: <c>run --no-roofline</c>).</summary>
    public bool Roofline { get; init; } = true;
    /// <summary>Pause on the node before a task measures, so the device starts from idle temperature.</summary>
    public double CooldownSeconds { get; init; }
}

/// <summary>One kind of machine under test: how a run is configured on it and where the scheduler finds it.</summary>
public sealed record CampaignSystem
{
    public required string Name { get; init; }
    public int Line { get; init; }
    public string Backend { get; init; } = "onnxruntime";
    public string Device { get; init; } = "cpu";
    public string? Dtype { get; init; }
    /// <summary>Engine options (<c>run --option KEY=VALUE</c>), ordered by key.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Options { get; init; } = [];
    /// <summary><c>run --sampler</c> values; any sampler means energy is measured, so the node is taken whole.</summary>
    public IReadOnlyList<string> Samplers { get; init; } = [];
    /// <summary>Absolute path of the cost sheet that prices this system's runs.</summary>
    public string? CostSheet { get; init; }
    public double? KvBudgetGb { get; init; }
    /// <summary>Whole nodes per task: always where energy is measured, so no other job's load is in the joules.</summary>
    public bool Exclusive { get; init; }
    public SlurmSystem Slurm { get; init; } = new();
    public KubernetesSystem Kubernetes { get; init; } = new();

    public bool MeasuresEnergy => Samplers.Count > 0;
}

/// <summary>Where Slurm runs a system's tasks (each value goes to an <c>#SBATCH</c> line as written).</summary>
public sealed record SlurmSystem
{
    public string? Partition { get; init; }
    public string? Constraint { get; init; }
    /// <summary>Generic resources per task, e.g. <c>gpu:h100:1</c>.</summary>
    public string? Gres { get; init; }
    public int? CpusPerTask { get; init; }
    public string? Memory { get; init; }
    public string? TimeLimit { get; init; }
    public string? Account { get; init; }
    public string? Qos { get; init; }
    /// <summary>Most tasks of the array running at once (<c>--array=…%N</c>).</summary>
    public int? MaxParallel { get; init; }
    /// <summary>Further <c>--option[=value]</c> lines, e.g. <c>--reservation=bench</c>.</summary>
    public IReadOnlyList<string> ExtraOptions { get; init; } = [];
}

/// <summary>Where Kubernetes runs a system's tasks.</summary>
public sealed record KubernetesSystem
{
    /// <summary>The container image holding the tool; null: the campaign's <see cref="KubernetesSettings.Image"/>.</summary>
    public string? Image { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> NodeSelector { get; init; } = [];
    public int Gpus { get; init; }
    public string GpuResource { get; init; } = "nvidia.com/gpu";
    public string? Cpu { get; init; }
    public string? Memory { get; init; }
    public IReadOnlyList<KubernetesToleration> Tolerations { get; init; } = [];
}

public sealed record KubernetesToleration(string? Key, string Operator, string? Value, string? Effect);

/// <summary>Campaign-wide Kubernetes settings: namespace, the claim mounted at <see cref="Campaign.Storage"/>, default image.</summary>
public sealed record KubernetesSettings
{
    public string? Namespace { get; init; }
    public string? StorageClaim { get; init; }
    public string? Image { get; init; }
}
