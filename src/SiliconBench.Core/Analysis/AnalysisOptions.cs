namespace SiliconBench.Analysis;

/// <summary>What <c>analyze</c> may change without re-running: the SLOs and the cost sheet.</summary>
public sealed record AnalysisOptions
{
    /// <summary>Replaces the SLOs of the manifest's workload spec; null keeps them.</summary>
    public SloSet? Slo { get; init; }

    /// <summary>Prices the run (the summary's <c>cost</c> section); null leaves the summary unpriced.</summary>
    public Costs.CostSheet? Cost { get; init; }
}
