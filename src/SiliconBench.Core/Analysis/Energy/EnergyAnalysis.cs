using System.Globalization;
using SiliconBench.Records;
using SiliconBench.Telemetry;

namespace SiliconBench.Analysis.Energy;

/// <summary>
/// Energy per window and per sensor scope, as a pure function of the sensors, the samples and the windows
/// (measurement.md, "Method"). Counter deltas where a counter exists, else trapezoid-integrated power, both
/// clipped at the window edges by linear interpolation. Sensors of one scope are summed (a multi-GPU
/// serving group); different scopes never are. Nothing is invented: no sensor, no energy.
/// </summary>
public static class EnergyAnalysis
{
    /// <summary>Shortest window whose energy is not flagged (measurement.md: at least 5 s).</summary>
    public const double MinimumWindowS = 5.0;
    /// <summary>A window must also span this many sensor intervals to be resolved.</summary>
    public const int MinimumIntervals = 10;
    /// <summary>Counter and integrated power further apart than this (relative) are flagged.</summary>
    public const double DisagreementTolerance = 0.05;
    public const string NoSensors = "not measured: no power sensor was read on this run";

    public static EnergyReport Compute(IReadOnlyList<SensorInfo> sensors, IReadOnlyList<TelemetrySample> samples, EnergyInputs inputs)
    {
        if (sensors.Count == 0)
            return new EnergyReport { Measured = false, NotMeasuredReason = NoSensors };
        var scopes = sensors
            .GroupBy(s => s.Scope, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => ComputeScope(g.Key, [.. g.Select(s => new SensorSeries(s, samples))], inputs))
            .ToList();
        var measured = scopes.Any(s => s.Overall.EnergyJ is not null);
        return new EnergyReport
        {
            Measured = measured,
            NotMeasuredReason = measured ? null : "not measured: " + string.Join("; ", scopes.SelectMany(s => s.Overall.Notes)),
            Scopes = scopes,
        };
    }

    private static ScopeEnergy ComputeScope(string scope, SensorSeries[] series, EnergyInputs inputs)
    {
        var (a, b) = (inputs.TStart, inputs.TEnd);
        var idle = IdlePower(series, inputs.IdleWindows, out var idleNotes);
        var overall = Metrics(series, a, b, inputs.InputTokens, inputs.OutputTokens, inputs.Steps.Where(s => !s.Warmup), idle);
        if (idleNotes.Count > 0)
            overall = overall with { Notes = [.. overall.Notes, .. idleNotes] };
        var points = inputs.Points
            .Select(p => new PointEnergy(p.Point, Metrics(series, p.TStart, p.TEnd, p.InputTokens, p.OutputTokens,
                inputs.Steps.Where(s => !s.Warmup && s.Point == p.Point), idle)))
            .ToList();
        var fromCounter = series.Select(s => s.Energy(a, b).FromCounter).Distinct().ToList();
        return new ScopeEnergy
        {
            Scope = scope,
            Sensors = [.. series.Select(s => s.Sensor.Id)],
            Method = fromCounter.Count == 2 ? "counter + integrated power" : fromCounter[0] ? "counter" : "integrated power",
            IdlePowerW = idle,
            Overall = overall,
            Points = points,
            Validity = Validity(series, a, b, inputs.Faults),
        };
    }

    /// <summary>Sum over the scope's sensors; null (with every sensor's reason) when any one cannot be measured.</summary>
    private static (double? J, List<string> Notes) ScopeEnergyIn(SensorSeries[] series, double a, double b)
    {
        var notes = new List<string>();
        var total = 0.0;
        var complete = true;
        foreach (var s in series)
        {
            var (j, why, _) = s.Energy(a, b);
            if (why is not null)
                notes.Add(why);
            if (j is { } v)
                total += v;
            else
                complete = false;
        }
        return (complete ? total : null, notes);
    }

    private static double? IdlePower(SensorSeries[] series, IReadOnlyList<TimeWindow> idle, out List<string> notes)
    {
        notes = [];
        if (idle.Count == 0)
            return null;
        var energy = 0.0;
        foreach (var w in idle)
        {
            var (j, why) = ScopeEnergyIn(series, w.TStart, w.TEnd);
            if (j is null)
            {
                notes.Add($"idle baseline not measured ({string.Join("; ", why)})");
                return null;
            }
            energy += j.Value;
        }
        var duration = idle.Sum(w => w.Duration);
        return duration > 0 ? energy / duration : null;
    }

    private static EnergyMetrics Metrics(SensorSeries[] series, double a, double b, long inputTokens, long outputTokens,
        IEnumerable<StepRecord> steps, double? idlePowerW)
    {
        var (energy, notes) = ScopeEnergyIn(series, a, b);
        var (prefillJ, prefillTokens) = PhaseEnergy(series, steps, Phase.Prefill, a, b, notes);
        var (decodeJ, decodeTokens) = PhaseEnergy(series, steps, Phase.Decode, a, b, notes);
        var duration = b - a;
        return new EnergyMetrics
        {
            EnergyJ = energy,
            AvgPowerW = energy / duration,
            OutputTokensPerJ = energy > 0 ? outputTokens / energy : null,
            TotalTokensPerJ = energy > 0 ? (inputTokens + outputTokens) / energy : null,
            JPerOutputToken = outputTokens > 0 ? energy / outputTokens : null,
            PrefillEnergyJ = prefillJ,
            DecodeEnergyJ = decodeJ,
            PrefillJPerToken = prefillTokens > 0 ? prefillJ / prefillTokens : null,
            DecodeJPerToken = decodeTokens > 0 ? decodeJ / decodeTokens : null,
            ActiveEnergyJ = energy - idlePowerW * duration,
            Notes = notes,
        };
    }

    /// <summary>Energy of the phase's steps inside [a, b] (the gaps between steps belong to neither phase).</summary>
    private static (double? J, long Tokens) PhaseEnergy(SensorSeries[] series, IEnumerable<StepRecord> steps, string phase,
        double a, double b, List<string> notes)
    {
        var mine = steps.Where(s => s.Phase == phase && s.TStart >= a && s.TEnd <= b && s.TEnd > s.TStart).ToList();
        if (mine.Count == 0)
            return (null, 0);
        var total = 0.0;
        foreach (var s in mine)
        {
            var (j, why) = ScopeEnergyIn(series, s.TStart, s.TEnd);
            if (j is null)
            {
                notes.Add($"{phase} energy not measured: {string.Join("; ", why)}");
                return (null, mine.Sum(x => (long)x.Tokens));
            }
            total += j.Value;
        }
        return (total, mine.Sum(x => (long)x.Tokens));
    }

    private static EnergyValidity Validity(SensorSeries[] series, double a, double b, IReadOnlyList<SamplerFault> faults)
    {
        var reasons = new List<string>();
        var count = series.Sum(s => s.SampleTimes.Count(t => t >= a && t <= b));
        double? gap = null;
        double? resolution = null;
        foreach (var s in series)
        {
            var times = s.SampleTimes;
            if (times.Length == 0)
                continue;
            // Edges count as gaps too: a window that starts before the first sample is not covered there.
            var g = Math.Max(Math.Max(0, Math.Min(times[0], b) - a), Math.Max(0, b - Math.Max(times[^1], a)));
            for (var i = 1; i < times.Length; i++)
                if (times[i] > a && times[i - 1] < b)
                    g = Math.Max(g, Math.Min(times[i], b) - Math.Max(times[i - 1], a));
            gap = Math.Max(gap ?? 0, g);
            var r = s.Sensor.IntervalS ?? Median(times);
            if (r is { } rr)
                resolution = Math.Max(resolution ?? 0, rr);
        }
        var duration = b - a;
        var below = duration < Math.Max(MinimumWindowS, MinimumIntervals * (resolution ?? 0));
        if (below)
            reasons.Add(string.Create(CultureInfo.InvariantCulture,
                $"window of {duration:0.###} s is shorter than the sensors resolve (≥ {MinimumWindowS} s and ≥ {MinimumIntervals} sensor intervals)"));
        long mask = 0;
        foreach (var s in series)
            foreach (var (t, m) in s.Throttle)
                if (t >= a && t <= b)
                    mask |= m;
        var throttled = Quantities.IsThrottling(mask);
        if (throttled)
            reasons.Add($"clock-event (throttle) reasons seen: 0x{mask:x}");
        var disagreements = new List<string>();
        foreach (var s in series.Where(s => s.HasCounter && s.HasPower))
        {
            if (s.Counter(a, b).J is { } c && s.IntegratedPower(a, b).J is { } p && c > 0 && Math.Abs(c - p) / c > DisagreementTolerance)
                disagreements.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{s.Sensor.Id}: counter {c:0.###} J vs integrated power {p:0.###} J ({(p - c) / c:+0.0%;-0.0%})"));
        }
        reasons.AddRange(disagreements);
        var resets = series.SelectMany(s => s.ResetsIn(a, b)).ToList();
        reasons.AddRange(resets);
        var samplers = series.Select(s => s.Sensor.Id.Split(':')[0]).ToHashSet(StringComparer.Ordinal);
        var lost = faults.Where(f => f.T < b && samplers.Contains(f.Sampler)).ToList();
        foreach (var f in lost)
            reasons.Add(string.Create(CultureInfo.InvariantCulture, $"coverage lost: sampler {f.Sampler} failed at t={f.T:0.###} s ({f.Message})"));
        if (count == 0)
            reasons.Add("no samples inside the window");
        return new EnergyValidity
        {
            SampleCount = count,
            LargestGapS = gap,
            ResolutionS = resolution,
            BelowResolution = below,
            ThrottleReasons = mask,
            Throttled = throttled,
            CounterPowerDisagreements = disagreements,
            CounterResets = resets,
            CounterWraps = series.Sum(s => s.WrapsIn(a, b)),
            CoverageLost = lost.Count > 0,
            Reasons = reasons,
        };
    }

    private static double? Median(double[] times)
    {
        if (times.Length < 2)
            return null;
        var gaps = new double[times.Length - 1];
        for (var i = 1; i < times.Length; i++)
            gaps[i - 1] = times[i] - times[i - 1];
        Array.Sort(gaps);
        return gaps[gaps.Length / 2];
    }
}
