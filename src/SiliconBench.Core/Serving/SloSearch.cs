using System.Collections.Concurrent;
using SiliconBench.Analysis;
using SiliconBench.Records;
using SiliconBench.Running;

namespace SiliconBench.Serving;

/// <summary>
/// Finds the highest closed-loop concurrency at which the requests still meet every SLO: probes at 1, 2, 4, …
/// until one falls below the attainment target (or the maximum is reached), then bisects between the last
/// passing and the first failing concurrency. Each probe is one point (<c>c&lt;N&gt;</c>) of the same run record,
/// so the analyzer sees every probe and the summary's serving section names the knee and envelope as usual.
/// </summary>
public sealed class SloSearch(ITimeSource clock, IServingObserver? inner = null)
{
    /// <summary>Share of a probe's requests that must meet every SLO (failed requests count as missing it).</summary>
    public const double DefaultAttainment = 0.9;

    public async Task<SloSearchResult> RunAsync(IRequestBackend backend, ServingPlan template, SloSet slo, int requestsPerProbe, int maxConcurrency,
        double attainment, RunRecordWriter writer, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(slo);
        if (slo.IsEmpty)
            throw new ArgumentException("a search for the SLO envelope needs at least one SLO", nameof(slo));
        var observer = new Collector(inner);
        var runner = new ServingRunner(clock, observer);
        var probes = new List<(int Concurrency, double Attainment)>();
        var first = true;

        async Task<double?> Probe(int concurrency)
        {
            var plan = template with
            {
                Points = [ServingPoint.Closed(concurrency, requestsPerProbe)],
                WarmupRequests = first ? template.WarmupRequests : 0,
            };
            first = false;
            observer.Clear();
            var outcome = await runner.RunAsync(backend, plan, writer, cancel).ConfigureAwait(false);
            if (!outcome.Complete)
                return null;
            var measured = observer.Finished.Where(r => !r.Warmup).ToList();
            var share = measured.Count == 0 ? 0 : measured.Count(r => RequestTiming.MeetsSlo(r, slo)) / (double)measured.Count;
            probes.Add((concurrency, share));
            return share;
        }

        int? best = null, worst = null;
        for (var c = 1; c <= maxConcurrency; c = c == maxConcurrency ? c + 1 : Math.Min(c * 2, maxConcurrency))
        {
            if (await Probe(c).ConfigureAwait(false) is not { } share)
                return new SloSearchResult(best, probes, "the run stopped before the search finished");
            if (share >= attainment)
            {
                best = c;
            }
            else
            {
                worst = c;
                break;
            }
        }
        while (best is { } lo && worst is { } hi && hi - lo > 1)
        {
            var mid = lo + (hi - lo) / 2;
            if (await Probe(mid).ConfigureAwait(false) is not { } share)
                return new SloSearchResult(best, probes, "the run stopped before the search finished");
            if (share >= attainment)
                best = mid;
            else
                worst = mid;
        }
        return new SloSearchResult(best, probes, null);
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

/// <summary>The highest concurrency meeting the SLOs (null if even 1 misses them), every probe's attainment, and why it stopped early if it did.</summary>
public sealed record SloSearchResult(int? BestConcurrency, IReadOnlyList<(int Concurrency, double Attainment)> Probes, string? Incomplete);
