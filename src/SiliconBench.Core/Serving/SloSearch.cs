using System.Collections.Concurrent;
using System.Globalization;
using SiliconBench.Analysis;
using SiliconBench.Records;
using SiliconBench.Running;

namespace SiliconBench.Serving;

/// <summary>
/// What an SLO search varies: closed-loop concurrency (whole numbers from 1) or open-loop arrival rate (requests/s
/// from a start rate, Poisson or gamma). Probes double from the start until one misses, then bisect: concurrency
/// down to neighbouring integers, rate until the bracket is within <see cref="RateResolution"/> of its upper end.
/// </summary>
public sealed record SearchLoad
{
    /// <summary>A rate bracket [lo, hi] is narrow enough once lo ≥ (1 − this) × hi.</summary>
    public const double RateResolution = 0.1;

    private SearchLoad(LoadKind kind, double start, double max, double burstiness)
    {
        if (!(start > 0) || !(max >= start) || !double.IsFinite(max) || !(burstiness > 0))
            throw new ArgumentException($"a search runs from a positive start up to a finite maximum (got {start} to {max})");
        Kind = kind;
        Start = start;
        Max = max;
        Burstiness = burstiness;
    }

    public LoadKind Kind { get; }

    public double Start { get; }

    public double Max { get; }

    public double Burstiness { get; }

    public static SearchLoad Concurrency(int max) => new(LoadKind.ClosedLoop, 1, max, 1);

    public static SearchLoad Rate(double start, double max, double burstiness = 1.0) => new(LoadKind.OpenLoop, start, max, burstiness);

    /// <summary>"concurrency" or "rate (requests/s)", for messages.</summary>
    public string Name => Kind == LoadKind.ClosedLoop ? "concurrency" : "rate (requests/s)";

    internal ServingPoint PointAt(double load, int requests) => Kind == LoadKind.ClosedLoop
        ? ServingPoint.Closed((int)load, requests)
        : ServingPoint.Open(load, Burstiness, requests);

    internal double Next(double load) => load >= Max ? double.PositiveInfinity : Math.Min(load * 2, Max);

    /// <summary>The load to probe between a passing and a failing one, or null when the bracket is narrow enough.</summary>
    public double? Between(double pass, double fail)
    {
        if (Kind == LoadKind.ClosedLoop)
            return fail - pass > 1 ? Math.Floor(pass + (fail - pass) / 2) : null;
        if (pass >= (1 - RateResolution) * fail)
            return null;
        // Point ids carry three decimals (r12.375), so probes are too.
        var mid = Math.Round((pass + fail) / 2, 3, MidpointRounding.AwayFromZero);
        return mid > pass && mid < fail ? mid : null;
    }

    public string Format(double load) => Kind == LoadKind.ClosedLoop
        ? ((int)load).ToString(CultureInfo.InvariantCulture)
        : load.ToString("0.0##", CultureInfo.InvariantCulture);
}

/// <summary>
/// Finds the highest load (closed-loop concurrency or open-loop rate, see <see cref="SearchLoad"/>) at which the
/// requests still meet every SLO: probes at the start, twice that, … until one falls below the attainment target
/// (or the maximum is reached), then bisects between the last passing and the first failing load. Each probe is
/// one point (<c>c&lt;N&gt;</c> or <c>r&lt;rate&gt;</c>) of the same run record, so the analyzer sees every probe and the
/// summary's serving section names the knee and envelope as usual.
/// </summary>
public sealed class SloSearch(ITimeSource clock, IServingObserver? inner = null)
{
    /// <summary>Share of a probe's requests that must meet every SLO (failed requests count as missing it).</summary>
    public const double DefaultAttainment = 0.9;

    public async Task<SloSearchResult> RunAsync(IRequestBackend backend, ServingPlan template, SloSet slo, int requestsPerProbe, SearchLoad load,
        double attainment, RunRecordWriter writer, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(slo);
        ArgumentNullException.ThrowIfNull(load);
        if (slo.IsEmpty)
            throw new ArgumentException("a search for the SLO envelope needs at least one SLO", nameof(slo));
        var observer = new Collector(inner);
        var runner = new ServingRunner(clock, observer);
        var probes = new List<(double Load, double Attainment)>();
        var first = true;

        async Task<double?> Probe(double at)
        {
            var plan = template with
            {
                Points = [load.PointAt(at, requestsPerProbe)],
                WarmupRequests = first ? template.WarmupRequests : 0,
            };
            first = false;
            observer.Clear();
            var outcome = await runner.RunAsync(backend, plan, writer, cancel).ConfigureAwait(false);
            if (!outcome.Complete)
                return null;
            var measured = observer.Finished.Where(r => !r.Warmup).ToList();
            var share = measured.Count == 0 ? 0 : measured.Count(r => RequestTiming.MeetsSlo(r, slo)) / (double)measured.Count;
            probes.Add((at, share));
            return share;
        }

        double? best = null, worst = null;
        for (var at = load.Start; at <= load.Max; at = load.Next(at))
        {
            if (await Probe(at).ConfigureAwait(false) is not { } share)
                return new SloSearchResult(load, best, probes, "the run stopped before the search finished");
            if (share >= attainment)
            {
                best = at;
            }
            else
            {
                worst = at;
                break;
            }
        }
        while (best is { } pass && worst is { } fail && load.Between(pass, fail) is { } mid)
        {
            if (await Probe(mid).ConfigureAwait(false) is not { } share)
                return new SloSearchResult(load, best, probes, "the run stopped before the search finished");
            if (share >= attainment)
                best = mid;
            else
                worst = mid;
        }
        return new SloSearchResult(load, best, probes, null);
    }

    private sealed class Collector(IServingObserver? inner) : IServingObserver
    {
        public ConcurrentQueue<RequestRecord> Finished { get; private set; } = new();

        public void Clear() => Finished = new ConcurrentQueue<RequestRecord>();

        public void PointStarted(ServingPoint point, bool warmup, int index, int count) => inner?.PointStarted(point, warmup, index, count);

        public void RequestFinished(RequestRecord record)
        {
            Finished.Enqueue(record);
            inner?.RequestFinished(record);
        }
    }
}

/// <summary>
/// The highest load meeting the SLOs (null if even the start misses them), every probe's load and attainment, and why
/// it stopped early if it did.
/// </summary>
public sealed record SloSearchResult(SearchLoad Axis, double? Best, IReadOnlyList<(double Load, double Attainment)> Probes, string? Incomplete);
