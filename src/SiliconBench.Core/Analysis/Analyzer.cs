using System.Globalization;
using SiliconBench.Analysis.Energy;
using SiliconBench.Metrics;
using SiliconBench.Records;

namespace SiliconBench.Analysis;

/// <summary>A time span on the run clock over which rates (and, later, energy) are taken.</summary>
public sealed record MeasurementWindow(double TStart, double TEnd)
{
    public double Seconds => TEnd - TStart;
}

/// <summary>The windows the analyzer used: overall, and per operating point in summary order. The energy analysis integrates over the same ones.</summary>
public sealed record AnalysisWindows(MeasurementWindow? Overall, IReadOnlyList<(string Point, MeasurementWindow? Window)> Points);

/// <summary>Work done in a scope by successful measured requests and measured steps: the numerators of per-joule and per-dollar figures.</summary>
public sealed record TokenTotals(int Requests, long InputTokens, long OutputTokens, long PrefillTokens, long DecodeTokens)
{
    public long TotalTokens => InputTokens + OutputTokens;
}

/// <summary>
/// The analyzer: a pure function from a run record (and optionally other SLOs) to the summary
/// (docs/metrics.md, from the metric catalog). Only measured (non-warm-up) requests and steps count. Failed requests
/// are counted in validity and left out of latency, throughput and goodput. Energy comes from telemetry.csv
/// through <see cref="EnergySummary"/> over the same windows (<see cref="ResolveWindows"/>).
/// </summary>
public static class Analyzer
{
    public static Summary Analyze(RunRecord record, AnalysisOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        var manifest = record.Manifest;
        var slo = options?.Slo ?? SloSet.FromWorkloadSpec(manifest.Workload.Spec);
        var measured = record.Requests.Where(r => !r.Warmup).ToList();
        var measuredSteps = record.Steps.Where(s => !s.Warmup).ToList();
        var engineMode = record.Steps.Count > 0;
        var windows = ResolveWindows(record);

        var notes = new List<string>(record.Warnings);
        var failed = measured.Where(r => r.Status != RequestStatus.Ok).ToList();
        if (failed.Count > 0)
        {
            var byStatus = string.Join(", ", failed.GroupBy(r => r.Status).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"));
            notes.Add($"{failed.Count} of {measured.Count} measured requests failed ({byStatus}); left out of latency, throughput and goodput");
        }
        if (slo.IsEmpty)
            notes.Add($"{MetricCatalog.GoodputRequestsPerS.Id}, {MetricCatalog.GoodputOutputTokensPerS.Id}: null: no SLO set (the workload spec has no slo; analyze can be given one)");
        foreach (var fault in manifest.SamplerFaults)
            notes.Add($"sampler {fault.Sampler} failed at t={fault.T.ToString("R", CultureInfo.InvariantCulture)} s: {fault.Message}");
        notes.AddRange(ClockStability.Notes(record.Telemetry, windows.Overall));

        var context = new ScopeContext(manifest, slo, engineMode);
        var overall = ComputeScope(context, "overall", measured, measuredSteps, windows.Overall, notes);
        var points = new List<PointSummary>();
        foreach (var (point, window) in windows.Points)
        {
            var pointSteps = measuredSteps.Where(s => s.Point == point).ToList();
            points.Add(new PointSummary
            {
                Point = point,
                Batch = BatchOf(point, pointSteps),
                Metrics = ComputeScope(context, point, [.. measured.Where(r => r.Point == point)], pointSteps, window, notes),
            });
        }

        var succeeded = measured.Count - failed.Count;
        var summary = new Summary
        {
            RunId = manifest.RunId,
            Complete = manifest.Complete,
            Validity = new Validity
            {
                Valid = manifest.Complete && succeeded > 0 && failed.Count == 0,
                IncompleteReason = manifest.Complete ? null : manifest.IncompleteReason ?? "the run did not finish (manifest not marked complete)",
                FailedRequests = failed.Count,
                MeasuredRequests = measured.Count,
                WindowS = windows.Overall?.Seconds,
                Energy = EnergyStatus(manifest),
                Notes = notes,
            },
            Overall = overall,
            Points = points,
        };
        summary = ServingAnalysis.Apply(summary, record, windows.Points);
        // Energy first: an owned system's hourly cost includes its measured power.
        var withEnergy = EnergySummary.Apply(summary, record);
        return options?.Cost is { } sheet ? Costs.CostAnalysis.Apply(withEnergy, sheet, manifest.Accelerators.Count) : withEnergy;
    }

    /// <summary><c>not measured: …</c> without sensors; with sensors, pending until <see cref="Summary.WithEnergy"/> replaces it.</summary>
    public static string EnergyStatus(RunManifest manifest) =>
        manifest.Sensors.Count == 0
            ? "not measured: " + (string.IsNullOrWhiteSpace(manifest.SensorNote) ? "no sensor" : manifest.SensorNote)
            : "not analysed: sensors were recorded but no energy analysis was applied";

    /// <summary>
    /// The overall window is the <c>measured</c> window of windows.jsonl, else first measured submit → last
    /// measured completion. Each point's window is its <c>point</c> window, else derived the same way from its
    /// measured requests (steps when it has none). Points come in the order of their windows, then of first appearance.
    /// </summary>
    public static AnalysisWindows ResolveWindows(RunRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var measured = record.Requests.Where(r => !r.Warmup).ToList();
        var measuredSteps = record.Steps.Where(s => !s.Warmup).ToList();
        var overall = Span(record.Windows.Where(w => w.Kind == WindowKind.Measured)) ?? Derive(measured, measuredSteps);

        var order = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in record.Windows.Where(w => w.Kind == WindowKind.Point && w.Point is not null).Select(w => w.Point!)
            .Concat(measured.Select(r => r.Point)).Concat(measuredSteps.Select(s => s.Point)))
        {
            if (seen.Add(id))
                order.Add(id);
        }
        var points = order.Select(p => (p, Span(record.Windows.Where(w => w.Kind == WindowKind.Point && w.Point == p))
            ?? Derive([.. measured.Where(r => r.Point == p)], [.. measuredSteps.Where(s => s.Point == p)]))).ToList();
        return new AnalysisWindows(overall, points);
    }

    /// <summary>
    /// Tokens the rates count, overall (<paramref name="point"/> null) or for one point: ok measured requests'
    /// input and output tokens, and measured steps' tokens per phase. Energy and cost divide by these.
    /// </summary>
    public static TokenTotals CountTokens(RunRecord record, string? point = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        var ok = record.Requests.Where(r => !r.Warmup && r.Status == RequestStatus.Ok && (point is null || r.Point == point)).ToList();
        var steps = record.Steps.Where(s => !s.Warmup && (point is null || s.Point == point)).ToList();
        return new TokenTotals(
            ok.Count,
            ok.Sum(r => (long)(r.InputTokens ?? 0)),
            ok.Sum(r => (long)r.OutputTokens),
            steps.Where(s => s.Phase == Phase.Prefill).Sum(s => (long)s.Tokens),
            steps.Where(s => s.Phase == Phase.Decode).Sum(s => (long)s.Tokens));
    }

    private static MeasurementWindow? Span(IEnumerable<WindowRecord> windows)
    {
        var list = windows.ToList();
        return list.Count == 0 ? null : new MeasurementWindow(list.Min(w => w.TStart), list.Max(w => w.TEnd));
    }

    private static MeasurementWindow? Derive(List<RequestRecord> requests, List<StepRecord> steps)
    {
        if (requests.Count > 0)
            return new MeasurementWindow(requests.Min(r => r.TSubmit), requests.Max(RequestTiming.Completion));
        return steps.Count > 0 ? new MeasurementWindow(steps.Min(s => s.TStart), steps.Max(s => s.TEnd)) : null;
    }

    /// <summary>The batch size the point ran at: from its steps, else the <c>b&lt;n&gt;</c> part of its id, else unknown.</summary>
    private static int? BatchOf(string point, List<StepRecord> steps)
    {
        if (steps.Count > 0)
            return steps.Max(s => s.Batch);
        var first = point.Split('-')[0];
        return first.Length > 1 && first[0] == 'b' && int.TryParse(first.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : null;
    }

    private sealed record ScopeContext(RunManifest Manifest, SloSet Slo, bool EngineMode);

    private static MetricSet ComputeScope(ScopeContext context, string scope, List<RequestRecord> requests, List<StepRecord> steps, MeasurementWindow? window, List<string> notes)
    {
        var metrics = new MetricSet();
        void Null(MetricDescriptor metric, string reason)
        {
            metrics.Set(metric, (MetricValue?)null);
            notes.Add($"{scope}: {metric.Id}: {reason}");
        }
        void SetDistribution(MetricDescriptor metric, IEnumerable<double> values, string whyEmpty)
        {
            if (Statistics.Describe(values) is { } d)
                metrics.Set(metric, d);
            else
                Null(metric, whyEmpty);
        }

        var ok = requests.Where(r => r.Status == RequestStatus.Ok).ToList();
        const string noOk = "no successful measured request";
        SetDistribution(MetricCatalog.TtftMs, ok.Select(RequestTiming.TimeToFirstToken).OfType<double>().Select(s => s * 1000), noOk);
        var tpots = ok.Select(RequestTiming.TimePerOutputToken).OfType<double>().Select(s => s * 1000).ToList();
        SetDistribution(MetricCatalog.TpotMs, tpots, "no successful measured request with 2 or more output tokens");
        SetDistribution(MetricCatalog.ItlMs, ok.SelectMany(RequestTiming.InterTokenGaps).Select(s => s * 1000), "no successful measured request with 2 or more output chunks");
        SetDistribution(MetricCatalog.E2eMs, ok.Select(RequestTiming.EndToEnd).OfType<double>().Select(s => s * 1000), noOk);
        if (tpots.Count > 0 && tpots.Average() > 0)
            metrics.Set(MetricCatalog.InteractivityTokSUser, 1000 / tpots.Average());
        else
            Null(MetricCatalog.InteractivityTokSUser, tpots.Count == 0 ? "no TPOT measured" : "mean TPOT is zero");

        // Rates over the window; failed requests count neither as requests nor as tokens served.
        var seconds = window?.Seconds;
        var windowProblem = window is null ? "no measurement window (no measured request or step)" : seconds <= 0 ? "the measurement window has zero length" : null;
        var outputTokens = ok.Sum(r => (double)r.OutputTokens);
        var totalTokens = ok.Sum(r => (double)(r.InputTokens ?? 0) + r.OutputTokens);
        var rates = new (MetricDescriptor Metric, MetricDescriptor PerAccelerator, double Count)[]
        {
            (MetricCatalog.RequestsPerS, MetricCatalog.RequestsPerSPerAccelerator, ok.Count),
            (MetricCatalog.OutputTokensPerS, MetricCatalog.OutputTokensPerSPerAccelerator, outputTokens),
            (MetricCatalog.TotalTokensPerS, MetricCatalog.TotalTokensPerSPerAccelerator, totalTokens),
        };
        foreach (var (metric, _, count) in rates)
        {
            if (windowProblem is null)
                metrics.Set(metric, count / seconds!.Value);
            else
                Null(metric, windowProblem);
        }
        var accelerators = context.Manifest.Accelerators.Count;
        if (accelerators > 0)
        {
            foreach (var (metric, perAccelerator, _) in rates)
            {
                if (metrics.Scalar(metric) is { } rate)
                    metrics.Set(perAccelerator, rate / accelerators);
                else
                    Null(perAccelerator, windowProblem ?? "the rate is not measured");
            }
        }

        if (context.Slo.IsEmpty)
        {
            // One run-wide note says why (added by Analyze); repeating it per scope adds nothing.
            metrics.Set(MetricCatalog.GoodputRequestsPerS, (MetricValue?)null);
            metrics.Set(MetricCatalog.GoodputOutputTokensPerS, (MetricValue?)null);
        }
        else if (windowProblem is not null)
        {
            Null(MetricCatalog.GoodputRequestsPerS, windowProblem);
            Null(MetricCatalog.GoodputOutputTokensPerS, windowProblem);
        }
        else
        {
            var good = ok.Where(r => RequestTiming.MeetsSlo(r, context.Slo)).ToList();
            metrics.Set(MetricCatalog.GoodputRequestsPerS, good.Count / seconds!.Value);
            metrics.Set(MetricCatalog.GoodputOutputTokensPerS, good.Sum(r => (double)r.OutputTokens) / seconds.Value);
        }

        if (context.EngineMode)
            AddEngineMetrics(context.Manifest, steps, metrics, Null, (metric, text) => notes.Add($"{scope}: {metric.Id}: {text}"));
        return metrics;
    }

    /// <summary>
    /// Phase throughput (phase tokens ÷ summed wall time of that phase's steps), step-time distributions and,
    /// with the model's sizes, realized bandwidth and FLOP rate against the machine's roofline:
    /// a decode step reads the weights once plus the KV cache of every sequence in the batch, approximated as
    /// kv_bytes_per_token × step.context × step.batch (context is the longest sequence, so this is an upper
    /// bound for ragged batches); bandwidth is the mean over decode steps of bytes ÷ step time.
    /// A prefill step of b sequences and t tokens does 2·parameters·t FLOPs in the matmuls plus causal attention
    /// (QKᵀ and AV) of 2·layers·heads·head_dim·L·(L+1) per sequence with L = t/b; prefill_gflops is summed FLOPs ÷
    /// summed prefill time.
    /// </summary>
    private static void AddEngineMetrics(RunManifest manifest, List<StepRecord> steps, MetricSet metrics, Action<MetricDescriptor, string> setNull, Action<MetricDescriptor, string> qualify)
    {
        var prefill = steps.Where(s => s.Phase == Phase.Prefill).ToList();
        var decode = steps.Where(s => s.Phase == Phase.Decode).ToList();
        static double Duration(StepRecord s) => s.TEnd - s.TStart;

        foreach (var (metric, phaseSteps, phase) in new[] { (MetricCatalog.PrefillTokensPerS, prefill, Phase.Prefill), (MetricCatalog.DecodeTokensPerS, decode, Phase.Decode) })
        {
            var time = phaseSteps.Sum(Duration);
            if (phaseSteps.Count == 0)
                setNull(metric, $"no measured {phase} step");
            else if (time <= 0)
                setNull(metric, $"measured {phase} steps took no time");
            else
                metrics.Set(metric, phaseSteps.Sum(s => (double)s.Tokens) / time);
        }
        if (Statistics.Describe(prefill.Select(s => Duration(s) * 1000)) is { } prefillSteps)
            metrics.Set(MetricCatalog.PrefillStepMs, prefillSteps);
        else
            setNull(MetricCatalog.PrefillStepMs, "no measured prefill step");
        if (Statistics.Describe(decode.Select(s => Duration(s) * 1000)) is { } decodeSteps)
            metrics.Set(MetricCatalog.DecodeStepMs, decodeSteps);
        else
            setNull(MetricCatalog.DecodeStepMs, "no measured decode step");

        var model = manifest.Model;
        var roofline = manifest.Roofline;
        var timedDecode = decode.Where(s => Duration(s) > 0).ToList();
        double? bandwidth = null;
        if (model.WeightBytes <= 0)
            setNull(MetricCatalog.DecodeBandwidthGBs, "manifest.model.weight_bytes is not known");
        else if (timedDecode.Count == 0)
            setNull(MetricCatalog.DecodeBandwidthGBs, "no timed measured decode step");
        else
        {
            bandwidth = timedDecode.Average(s => (model.WeightBytes + ((double)model.KvBytesPerToken * s.Context * s.Batch)) / Duration(s) / 1e9);
            metrics.Set(MetricCatalog.DecodeBandwidthGBs, bandwidth);
        }
        if (roofline is not null)
        {
            if (bandwidth is not { } gbs)
                setNull(MetricCatalog.DecodeRooflineFraction, "decode bandwidth is not measured");
            else if (roofline.MemoryBandwidthGBs <= 0)
                setNull(MetricCatalog.DecodeRooflineFraction, "manifest.roofline.memory_bandwidth_gbs is not positive");
            else
                SetFraction(MetricCatalog.DecodeRooflineFraction, gbs / roofline.MemoryBandwidthGBs);
        }

        var prefillTime = prefill.Sum(Duration);
        double? gflops = null;
        if (model.Parameters <= 0)
            setNull(MetricCatalog.PrefillGflops, "manifest.model.parameters is not known");
        else if (prefill.Count == 0 || prefillTime <= 0)
            setNull(MetricCatalog.PrefillGflops, "no timed measured prefill step");
        else
        {
            var attentionPerToken = 2.0 * model.Layers * model.Heads * model.HeadDim;
            var flops = prefill.Sum(s =>
            {
                var length = s.Batch > 0 ? (double)s.Tokens / s.Batch : 0;
                return (2.0 * model.Parameters * s.Tokens) + (s.Batch * attentionPerToken * length * (length + 1));
            });
            gflops = flops / prefillTime / 1e9;
            metrics.Set(MetricCatalog.PrefillGflops, gflops);
        }
        if (roofline is not null)
        {
            if (gflops is not { } g)
                setNull(MetricCatalog.PrefillRooflineFraction, "prefill GFLOP/s is not measured");
            else if (roofline.GemmGflops <= 0)
                setNull(MetricCatalog.PrefillRooflineFraction, "manifest.roofline.gemm_gflops is not positive");
            else
                SetFraction(MetricCatalog.PrefillRooflineFraction, g / roofline.GemmGflops);
        }

        void SetFraction(MetricDescriptor metric, double fraction)
        {
            metrics.Set(metric, fraction);
            // Beating a ceiling measured on the same machine means the ceiling was measured low (a busy or throttled
            // machine while the probe ran): the fraction is kept, and flagged.
            if (fraction > 1)
                qualify(metric, $"{fraction.ToString("0.###", CultureInfo.InvariantCulture)} > 1: the run beat the roofline measured before it, so the probe most likely measured low (machine busy or throttled then); compare fractions with care");
        }
    }
}
