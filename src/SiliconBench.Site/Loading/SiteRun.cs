using SiliconBench.Records;

namespace SiliconBench.Site.Loading;

/// <summary>A run folder as the site sees it: its manifest, its summary and where its pages go.</summary>
internal sealed class SiteRun
{
    public required string Folder { get; init; }
    public required string FolderName { get; init; }
    public required RunManifest Manifest { get; init; }
    public required SummaryView Summary { get; init; }
    /// <summary>The summary file's bytes, offered as a download as they are.</summary>
    public required string SummaryPath { get; init; }
    public string Slug { get; set; } = "";

    public string RunId => Summary.RunId ?? Manifest.RunId;
    /// <summary>The analyzer's verdict in summary.json decides; the manifest only adds a reason.</summary>
    public bool Complete => Summary.Complete;
    public string? IncompleteReason => Summary.IncompleteReason ?? Manifest.IncompleteReason;

    /// <summary>Workload name and profile: runs are only comparable within one.</summary>
    public string WorkloadKey => Manifest.Workload.Name + " · " + Manifest.Workload.Profile;

    /// <summary>The silicon that did the work: the accelerators' names, else the host CPU.</summary>
    public string SiliconKey
    {
        get
        {
            var names = Manifest.Accelerators.Select(a => a.Name).Where(n => !string.IsNullOrWhiteSpace(n)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            return names.Count > 0 ? string.Join(" + ", names) : "CPU: " + Manifest.Host.Cpu;
        }
    }

    public bool IsCpuRun => Manifest.Accelerators.Count == 0;

    public int AcceleratorCount => Math.Max(1, Manifest.Accelerators.Count);

    /// <summary>A sensor whose method is an estimate (TDP model) makes every energy figure estimated.</summary>
    public bool SensorEstimated => Manifest.Sensors.Any(s =>
        s.Method.StartsWith("estimate", StringComparison.OrdinalIgnoreCase) || s.Scope.StartsWith("estimate", StringComparison.OrdinalIgnoreCase));

    /// <summary>The energy scope shown in leaderboards: the accelerator board first, then the wider boundaries.</summary>
    public ScopeEnergy? PrimaryEnergy => PickScope(Summary.Energy);

    public static ScopeEnergy? PickScope(IReadOnlyList<ScopeEnergy> scopes)
    {
        string[] preference = ["accelerator", "node", "wall", "cpu_package", "cpu", "package"];
        foreach (var want in preference)
        {
            var hit = scopes.FirstOrDefault(s => string.Equals(s.Scope, want, StringComparison.OrdinalIgnoreCase) && s.Metrics.Scalar("energy_j") is not null);
            if (hit is not null)
                return hit;
        }
        return scopes.FirstOrDefault(s => s.Metrics.Scalar("energy_j") is not null || s.Metrics.Scalar("output_tokens_per_j") is not null);
    }

    public bool EnergyEstimated(ScopeEnergy? scope) => SensorEstimated || (scope?.Estimated ?? false);
}
