using SiliconBench.Analysis;
using SiliconBench.Metrics;
using SiliconBench.Records;
using SiliconBench.Telemetry;

namespace SiliconBench.Site.Loading;

/// <summary>One sensor scope's energy metrics, with where they come from.</summary>
internal sealed record ScopeEnergy(string Scope, MetricSet Metrics)
{
    public Provenance Provenance => Metrics.Provenance ?? Provenance.Measured;

    /// <summary>The word of a badge beside the figures, or "" for measured ones (they need none).</summary>
    public string Label => Provenance == Provenance.Measured ? "" : ProvenanceText.Of(Provenance);
}

/// <summary>A run folder as the site sees it: its manifest, its summary (the one summary model of Core) and where its pages go.</summary>
internal sealed class SiteRun
{
    /// <summary>The scope shown in leaderboards: the accelerator board first, then the wider boundaries.</summary>
    private static readonly string[] ScopePreference = [SensorScope.Accelerator, SensorScope.Node, SensorScope.Wall, SensorScope.CpuPackage];

    public required string Folder { get; init; }
    public required string FolderName { get; init; }
    public required RunManifest Manifest { get; init; }
    public required Summary Summary { get; init; }
    /// <summary>The summary file's bytes, offered as a download as they are.</summary>
    public required string SummaryPath { get; init; }
    public string Slug { get; set; } = "";

    public string RunId => Summary.RunId;
    /// <summary>The analyzer's verdict in summary.json decides; the manifest only adds a reason.</summary>
    public bool Complete => Summary.Complete;
    public string? IncompleteReason => Summary.Validity.IncompleteReason ?? Manifest.IncompleteReason;

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

    /// <summary>The energy scope shown in leaderboards, overall.</summary>
    public ScopeEnergy? PrimaryEnergy => PickScope(Summary.Energy);

    /// <summary>The preferred scope that has energy figures, else any scope that has some; null when none does.</summary>
    public static ScopeEnergy? PickScope(IReadOnlyDictionary<string, MetricSet> scopes)
    {
        foreach (var want in ScopePreference)
        {
            if (scopes.TryGetValue(want, out var m) && m.Scalar(MetricCatalog.EnergyJ) is not null)
                return new ScopeEnergy(want, m);
        }
        return scopes.Where(s => s.Value.Scalar(MetricCatalog.EnergyJ) is not null || s.Value.Scalar(MetricCatalog.OutputTokensPerJ) is not null)
            .Select(s => new ScopeEnergy(s.Key, s.Value)).FirstOrDefault();
    }
}
