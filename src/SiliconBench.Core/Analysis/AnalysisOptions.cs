namespace SiliconBench.Analysis;

/// <summary>What <c>analyze</c> may change without re-running: the SLOs (cost sheets come with the cost model).</summary>
public sealed record AnalysisOptions
{
    /// <summary>Replaces the SLOs of the manifest's workload spec; null keeps them.</summary>
    public SloSet? Slo { get; init; }
}
