namespace SiliconBench.Workloads;

/// <summary>How requests arrive in serving mode (endpoint backends).</summary>
public enum ArrivalKind
{
    /// <summary>A fixed number of clients, each sending its next request when the previous one completes.</summary>
    ClosedLoop,
    /// <summary>Open loop: exponential inter-arrival times at a mean rate.</summary>
    Poisson,
    /// <summary>Open loop: gamma inter-arrival times at a mean rate; shape = burstiness (1 = Poisson, below 1 burstier).</summary>
    Gamma,
}

/// <summary>
/// The arrival process of a serving run; each list is a sweep (one serving point per entry).
/// Closed loop uses <see cref="Concurrency"/>; Poisson and gamma use <see cref="RatesPerSecond"/>.
/// </summary>
public sealed record ArrivalProcess
{
    public required ArrivalKind Kind { get; init; }
    public IReadOnlyList<int> Concurrency { get; init; } = [];
    public IReadOnlyList<double> RatesPerSecond { get; init; } = [];
    /// <summary>Gamma shape parameter; null unless <see cref="Kind"/> is <see cref="ArrivalKind.Gamma"/>.</summary>
    public double? Burstiness { get; init; }

    public static string KindName(ArrivalKind kind) => kind switch
    {
        ArrivalKind.ClosedLoop => "closed_loop",
        ArrivalKind.Poisson => "poisson",
        ArrivalKind.Gamma => "gamma",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
