using System.Globalization;
using SiliconBench.Workloads;

namespace SiliconBench.Serving;

/// <summary>How a serving point offers load.</summary>
public enum LoadKind
{
    /// <summary>N workers, each sending its next request as soon as the previous one finished.</summary>
    ClosedLoop,
    /// <summary>Requests arrive at a rate with gamma inter-arrival times (burstiness 1 = Poisson), whatever the server's pace.</summary>
    OpenLoop,
    /// <summary>Arrival times and lengths replayed from a trace.</summary>
    Trace,
}

/// <summary>
/// One operating point of a serving sweep. A point stops issuing requests after <see cref="RequestCount"/>
/// requests or <see cref="DurationSeconds"/>, whichever comes first; requests already in flight finish.
/// </summary>
public sealed record ServingPoint
{
    public required string Id { get; init; }
    public required LoadKind Kind { get; init; }
    public int Concurrency { get; init; } = 1;
    public double RatePerSecond { get; init; }
    /// <summary>Gamma shape of the inter-arrival times: 1 = Poisson, below 1 burstier.</summary>
    public double Burstiness { get; init; } = 1.0;
    /// <summary>Open loop and trace: most requests in flight at once (vLLM's --max-concurrency); null = no cap.</summary>
    public int? MaxConcurrency { get; init; }
    public int? RequestCount { get; init; }
    public double? DurationSeconds { get; init; }
    /// <summary>Closed loop: workers start evenly spread over this time; open loop: the rate rises linearly to its target.</summary>
    public double RampUpSeconds { get; init; }
    public IReadOnlyList<TraceArrival>? Trace { get; init; }

    public static ServingPoint Closed(int concurrency, int? requests = null, double? durationSeconds = null) =>
        Validate(new ServingPoint { Id = $"c{concurrency}", Kind = LoadKind.ClosedLoop, Concurrency = concurrency, RequestCount = requests, DurationSeconds = durationSeconds });

    public static ServingPoint Open(double ratePerSecond, double burstiness = 1.0, int? requests = null, double? durationSeconds = null) =>
        Validate(new ServingPoint
        {
            Id = "r" + ratePerSecond.ToString("0.0##", CultureInfo.InvariantCulture),
            Kind = LoadKind.OpenLoop,
            RatePerSecond = ratePerSecond,
            Burstiness = burstiness,
            RequestCount = requests,
            DurationSeconds = durationSeconds,
        });

    public static ServingPoint Replay(string id, IReadOnlyList<TraceArrival> trace, int? maxConcurrency = null) =>
        Validate(new ServingPoint { Id = id, Kind = LoadKind.Trace, Trace = trace, RequestCount = trace.Count, MaxConcurrency = maxConcurrency });

    /// <summary>One point per entry of the workload's arrival sweep (<c>c16</c>, <c>r8.0</c>, …).</summary>
    public static IReadOnlyList<ServingPoint> Sweep(ArrivalProcess arrivals, int? requestsPerPoint, double? durationSeconds) =>
        arrivals.Kind == ArrivalKind.ClosedLoop
            ? arrivals.Concurrency.Select(c => Closed(c, requestsPerPoint, durationSeconds)).ToList()
            : arrivals.RatesPerSecond.Select(r => Open(r, arrivals.Kind == ArrivalKind.Gamma ? arrivals.Burstiness ?? 1.0 : 1.0, requestsPerPoint, durationSeconds)).ToList();

    /// <summary>Throws <see cref="ArgumentException"/> for a point that could never run or never end.</summary>
    public static ServingPoint Validate(ServingPoint point)
    {
        if (point.RequestCount is null && point.DurationSeconds is null)
            throw new ArgumentException($"point {point.Id}: give a request count or a duration", nameof(point));
        if (point.RequestCount is < 0 || point.DurationSeconds is < 0 || point.RampUpSeconds < 0)
            throw new ArgumentException($"point {point.Id}: counts and durations are non-negative", nameof(point));
        switch (point.Kind)
        {
            case LoadKind.ClosedLoop when point.Concurrency < 1:
                throw new ArgumentException($"point {point.Id}: concurrency is at least 1", nameof(point));
            case LoadKind.OpenLoop when !(point.RatePerSecond > 0) || !(point.Burstiness > 0):
                throw new ArgumentException($"point {point.Id}: rate and burstiness are positive", nameof(point));
            case LoadKind.Trace when point.Trace is null or { Count: 0 }:
                throw new ArgumentException($"point {point.Id}: a trace point needs arrivals", nameof(point));
        }
        if (point.MaxConcurrency is < 1)
            throw new ArgumentException($"point {point.Id}: max concurrency is at least 1", nameof(point));
        return point;
    }
}

/// <summary>
/// Which request the generator is about to send: its point, its index within the point (or warm-up), whether it is
/// warm-up, and the plan's prompt salt (0: none).
/// </summary>
public readonly record struct RequestSlot(string Point, int Index, bool Warmup, ulong Salt = 0);

/// <summary>The lengths (and optionally the prompt) of one request, as the workload planner chose them.</summary>
public sealed record ServingRequestSpec(int InputTokens, int OutputTokens)
{
    public IReadOnlyList<int>? PromptTokenIds { get; init; }
    public string? PromptText { get; init; }
    /// <summary>Leading prompt tokens the workload means to share with earlier requests (shared prefix, previous turn); null when not planned.</summary>
    public int? SharedTokens { get; init; }
}

/// <summary>
/// How many failed requests (error or timeout) a run tolerates before it stops and reports itself incomplete.
/// The fraction applies once <see cref="MinRequestsForFraction"/> requests have finished, so one early failure
/// does not end a run.
/// </summary>
public sealed record ErrorBudget(int? MaxFailedRequests = null, double? MaxFailedFraction = 0.1, int MinRequestsForFraction = 20)
{
    public static ErrorBudget Default { get; } = new();

    public static ErrorBudget Unlimited { get; } = new(null, null);

    public bool IsExceeded(int finished, int failed) =>
        (MaxFailedRequests is { } max && failed > max)
        || (MaxFailedFraction is { } fraction && finished >= MinRequestsForFraction && failed > fraction * finished);
}

/// <summary>Everything the load generator needs: the points in order, where request lengths come from, warm-up and the error budget.</summary>
public sealed record ServingPlan
{
    public required IReadOnlyList<ServingPoint> Points { get; init; }
    /// <summary>
    /// Lengths (and prompt) of each request; trace points take lengths from the trace instead. Called from many
    /// workers at once, so it must be thread-safe (a pure function of the slot is best: it keeps runs reproducible).
    /// </summary>
    public required Func<RequestSlot, ServingRequestSpec> Requests { get; init; }
    /// <summary>Requests sent before the first point, outside every measured window.</summary>
    public int WarmupRequests { get; init; }
    /// <summary>Warm-up concurrency; null = the first point's concurrency (1 for open-loop points).</summary>
    public int? WarmupConcurrency { get; init; }
    public ErrorBudget ErrorBudget { get; init; } = ErrorBudget.Default;
    public int Seed { get; init; }
    /// <summary>
    /// Mixed into every prompt (<see cref="RequestSlot.Salt"/>): a run against a server sets a fresh one per run and
    /// repetition, so no prompt is one the server's prefix cache saw before; 0 keeps prompts a function of the seed.
    /// </summary>
    public ulong PromptSalt { get; init; }
}
