using SiliconBench.Metrics;
using SiliconBench.Records;

namespace SiliconBench.Analysis;

/// <summary>
/// What a serving sweep says beyond each point's metrics: where the stable concurrency (or rate) envelope ends.
/// The knee is the lowest load from which every heavier point's p99 TTFT exceeds <see cref="ServingAnalysis.KneeFactor"/> ×
/// the p99 TTFT of the lightest load: the tail has departed from what an unloaded server gives, for good. The stable
/// envelope is the point below it.
/// </summary>
public sealed record ServingSummary
{
    public string? KneePoint { get; init; }
    public string? StableEnvelopePoint { get; init; }
    /// <summary>Most requests per second meeting every SLO; null without SLOs.</summary>
    public string? MaxGoodputPoint { get; init; }
    public string? MaxThroughputPoint { get; init; }
    /// <summary>Highest load at which at least <see cref="ServingAnalysis.SloAttainment"/> of the requests met every SLO; null without SLOs.</summary>
    public string? SloEnvelopePoint { get; init; }
    public required string KneeRule { get; init; }
}

public static partial class ServingAnalysis
{
    [System.Text.RegularExpressions.GeneratedRegex(@"^(c\d+|r\d+(\.\d+)?)$")]
    private static partial System.Text.RegularExpressions.Regex LoadPointId();

    public const double KneeFactor = 2.0;
    public const double SloAttainment = 0.9;

    /// <summary>A serving run: requests arrive by a load process (an endpoint, or an engine behind the batching scheduler).</summary>
    public static bool IsServing(RunManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return manifest.Backend.Id == "openai" || manifest.Backend.Options.ContainsKey("serving");
    }

    public static Summary Apply(Summary summary, RunRecord record, IReadOnlyList<(string Point, MeasurementWindow? Window)> windows)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(windows);
        if (!IsServing(record.Manifest) || summary.Points.Count == 0)
            return summary;

        foreach (var point in summary.Points)
        {
            var window = windows.FirstOrDefault(w => w.Point == point.Point).Window;
            var (max, mean) = QueueDepth(record.Requests.Where(r => !r.Warmup && r.Point == point.Point), window);
            point.Metrics.Set(MetricCatalog.QueueDepthMax, max);
            point.Metrics.Set(MetricCatalog.QueueDepthMean, mean);
            SetPrefixCache(point.Metrics, record.Requests.Where(r => !r.Warmup && r.Point == point.Point));
        }
        if (SetPrefixCache(summary.Overall, record.Requests.Where(r => !r.Warmup)) is { } cacheNote)
            summary = summary with { Validity = summary.Validity with { Notes = [.. summary.Validity.Notes, cacheNote] } };

        // A knee needs a load sweep: two or more points named by their load (c<concurrency>, r<rate>).
        if (summary.Points.Count < 2 || !summary.Points.All(p => LoadPointId().IsMatch(p.Point)))
            return summary;
        // By load, not by run order: a search probes 8 before 6 and 5.
        var byLoad = summary.Points.OrderBy(p => double.Parse(p.Point.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var p99 = byLoad.Select(p => p.Metrics.DistributionOf(MetricCatalog.TtftMs)?.P99).ToList();
        string? knee = null, envelope = null;
        if (p99[0] is { } baseline)
        {
            // The tail must depart and stay departed: a single noisy point below the knee does not end the envelope.
            var k = byLoad.Count;
            while (k > 1 && p99[k - 1] is { } x && x > KneeFactor * baseline)
                k--;
            knee = k < byLoad.Count ? byLoad[k].Point : null;
            envelope = byLoad[k - 1].Point;
        }
        // Goodput and throughput count the same ok requests, so their ratio is the share meeting every SLO.
        var sloEnvelope = byLoad.LastOrDefault(p => p.Metrics.Scalar(MetricCatalog.GoodputRequestsPerS) is { } good
            && p.Metrics.Scalar(MetricCatalog.RequestsPerS) is { } all && all > 0 && good / all >= SloAttainment)?.Point;
        return summary with
        {
            Serving = new ServingSummary
            {
                KneePoint = knee,
                StableEnvelopePoint = envelope,
                MaxGoodputPoint = ArgMax(summary, MetricCatalog.GoodputRequestsPerS),
                MaxThroughputPoint = ArgMax(summary, MetricCatalog.OutputTokensPerS),
                SloEnvelopePoint = sloEnvelope,
                KneeRule = $"lowest load from which every heavier point's p99 TTFT exceeds {KneeFactor:0.#} x that of {byLoad[0].Point}; the stable envelope is the point below it; "
                    + $"the SLO envelope is the highest load where >= {SloAttainment:0%} of requests met every SLO",
            },
        };
    }

    /// <summary>
    /// Prefix-cache use, where the server reports it (<c>cached_tokens</c>) for ok requests: the fraction of prompt
    /// tokens it served from cache, the fraction the workload means to share (<see cref="RequestRecord.SharedTokens"/>),
    /// and the requests served from cache beyond that: more than half of the prompt the workload did not share.
    /// The half leaves room for what a server puts before every prompt (a BOS token, a chat template's opening) and
    /// for unrelated prompts that happen to open with the same words, which the sharing cannot name; a prompt repeated
    /// whole, from an earlier request or run, is far past it. Returns the validity note when there are such requests.
    /// </summary>
    internal static string? SetPrefixCache(MetricSet metrics, IEnumerable<RequestRecord> requests)
    {
        var reporting = requests.Where(r => r.Status == RequestStatus.Ok && r.CachedTokens is not null && r.InputTokens is > 0).ToList();
        if (reporting.Count == 0)
            return null;
        double input = reporting.Sum(r => (long)r.InputTokens!.Value);
        double cached = reporting.Sum(r => (long)r.CachedTokens!.Value);
        double shared = reporting.Sum(r => (long)Math.Min(r.SharedTokens ?? 0, r.InputTokens!.Value));
        var unintended = reporting.Count(IsUnintendedCacheHit);
        metrics.Set(MetricCatalog.PrefixCacheHitFraction, cached / input);
        metrics.Set(MetricCatalog.PrefixCacheIntendedFraction, shared / input);
        metrics.Set(MetricCatalog.PrefixCacheUnintendedRequests, unintended);
        if (unintended == 0)
            return null;
        var f = System.Globalization.CultureInfo.InvariantCulture;
        return $"{MetricCatalog.PrefixCacheHitFraction.Id}: {unintended} of {reporting.Count} requests had more than half of the prompt the workload does not share served from the server's prefix cache "
            + $"({(cached / input).ToString("0.###", f)} of prompt tokens cached, {(shared / input).ToString("0.###", f)} shared by the workload): their TTFT is not that of a prefill";
    }

    /// <summary>More than half of the tokens the workload did not mean to share came from the server's cache.</summary>
    public static bool IsUnintendedCacheHit(RequestRecord request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.CachedTokens is not { } cached || request.InputTokens is not { } input)
            return false;
        var shared = Math.Min(request.SharedTokens ?? 0, input);
        return 2L * (cached - shared) > input - shared;
    }

    private static string? ArgMax(Summary summary, MetricDescriptor metric) =>
        summary.Points.Where(p => p.Metrics.Scalar(metric) is > 0).OrderByDescending(p => p.Metrics.Scalar(metric)).Select(p => p.Point).FirstOrDefault();

    /// <summary>Largest and time-weighted mean number of requests submitted but without a first token, over the window.</summary>
    internal static (double? Max, double? Mean) QueueDepth(IEnumerable<RequestRecord> requests, MeasurementWindow? window)
    {
        var events = new List<(double T, int Delta)>();
        foreach (var r in requests)
        {
            events.Add((r.TSubmit, +1));
            events.Add((r.TFirst ?? r.TEnd ?? r.TSubmit, -1));
        }
        if (events.Count == 0 || window is null || window.Seconds <= 0)
            return (null, null);
        // At equal times leave before joining, so a request answered at once never counts as queued.
        events.Sort((a, b) => a.T != b.T ? a.T.CompareTo(b.T) : a.Delta.CompareTo(b.Delta));
        int depth = 0, max = 0;
        double area = 0, last = window.TStart;
        foreach (var (t, delta) in events)
        {
            var clipped = Math.Clamp(t, window.TStart, window.TEnd);
            area += depth * (clipped - last);
            last = clipped;
            depth += delta;
            if (t >= window.TStart && t <= window.TEnd)
                max = Math.Max(max, depth);
        }
        area += depth * (window.TEnd - last);
        return (max, area / window.Seconds);
    }
}
