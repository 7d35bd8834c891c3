using System.Globalization;
using SiliconBench.Records;

namespace SiliconBench.Analysis.Energy;

/// <summary>
/// Puts the energy analysis into the summary: per sensor scope, overall and per operating point, with the
/// metric ids of DESIGN.md. Runs inside <see cref="Analyzer.Analyze"/>, so <c>analyze</c> re-derives energy from
/// telemetry.csv like every other figure. Without sensors the summary keeps "not measured".
/// </summary>
public static class EnergySummary
{
    public const string EnergyJ = "energy_j";
    public const string AvgPowerW = "avg_power_w";
    public const string OutputTokensPerJ = "output_tokens_per_j";
    public const string TotalTokensPerJ = "total_tokens_per_j";
    public const string JPerOutputToken = "j_per_output_token";
    public const string PrefillEnergyJ = "prefill_energy_j";
    public const string DecodeEnergyJ = "decode_energy_j";
    public const string PrefillJPerToken = "prefill_j_per_token";
    public const string DecodeJPerToken = "decode_j_per_token";
    /// <summary>Secondary, labelled: energy above the idle baseline.</summary>
    public const string ActiveEnergyJ = "active_energy_j";
    public const string IdlePowerW = "idle_power_w";
    public const string SampleCount = "sample_count";
    public const string LargestGapS = "largest_gap_s";
    public const string ResolutionS = "resolution_s";
    public const string ThrottleReasons = "throttle_reasons";

    public static Summary Apply(Summary summary, RunRecord record)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(record);
        var manifest = record.Manifest;
        if (manifest.Sensors.Count == 0)
            return summary;
        var windows = Analyzer.ResolveWindows(record);
        if (windows.Overall is not { } overall)
            return summary.WithEnergy("not measured: the run has no measured window", new Dictionary<string, MetricSet>(), new Dictionary<string, IReadOnlyDictionary<string, MetricSet>>(), []);

        var totals = Analyzer.CountTokens(record);
        var inputs = new EnergyInputs
        {
            TStart = overall.TStart,
            TEnd = overall.TEnd,
            InputTokens = totals.InputTokens,
            OutputTokens = totals.OutputTokens,
            Steps = record.Steps,
            IdleWindows = [.. record.Windows.Where(w => w.Kind == WindowKind.Idle).Select(w => new TimeWindow(w.TStart, w.TEnd))],
            Points = [.. windows.Points.Where(p => p.Window is not null).Select(p =>
            {
                var t = Analyzer.CountTokens(record, p.Point);
                return new PointWindow(p.Point, p.Window!.TStart, p.Window.TEnd, t.InputTokens, t.OutputTokens);
            })],
            Faults = manifest.SamplerFaults,
        };
        var report = EnergyAnalysis.Compute(manifest.Sensors, record.Telemetry, inputs);

        var byScope = new Dictionary<string, MetricSet>(StringComparer.Ordinal);
        var byPoint = new Dictionary<string, Dictionary<string, MetricSet>>(StringComparer.Ordinal);
        var notes = new List<string>();
        foreach (var scope in report.Scopes)
        {
            var set = ToMetrics(scope.Overall);
            set.Set(IdlePowerW, scope.IdlePowerW);
            set.Set(SampleCount, scope.Validity.SampleCount);
            set.Set(LargestGapS, scope.Validity.LargestGapS);
            set.Set(ResolutionS, scope.Validity.ResolutionS);
            set.Set(ThrottleReasons, scope.Validity.ThrottleReasons);
            byScope[scope.Scope] = set;
            foreach (var point in scope.Points)
            {
                if (!byPoint.TryGetValue(point.Point, out var scopes))
                    byPoint[point.Point] = scopes = new Dictionary<string, MetricSet>(StringComparer.Ordinal);
                scopes[scope.Scope] = ToMetrics(point.Metrics);
            }
            var label = $"energy {scope.Scope} ({string.Join(", ", scope.Sensors)}; {scope.Method})";
            notes.AddRange(scope.Overall.Notes.Select(n => $"{label}: {n}"));
            notes.AddRange(scope.Validity.Reasons.Select(r => $"{label}: {r}"));
            if (scope.Validity.Throttled)
                notes.Add($"{label}: throttle reasons seen (bitmask 0x{scope.Validity.ThrottleReasons.ToString("x", CultureInfo.InvariantCulture)})");
            if (scope.Overall.ActiveEnergyJ is not null)
                notes.Add($"{label}: {ActiveEnergyJ} is a secondary figure: energy above the idle baseline of {IdlePowerW}");
        }

        var status = report.Measured
            ? "measured: " + string.Join("; ", report.Scopes.Where(s => s.Overall.EnergyJ is not null).Select(s => $"{s.Scope} by {s.Method}"))
            : report.NotMeasuredReason ?? EnergyAnalysis.NoSensors;
        return summary.WithEnergy(status, byScope,
            byPoint.ToDictionary(p => p.Key, p => (IReadOnlyDictionary<string, MetricSet>)p.Value, StringComparer.Ordinal), notes);
    }

    private static MetricSet ToMetrics(EnergyMetrics m)
    {
        var set = new MetricSet();
        set.Set(EnergyJ, m.EnergyJ);
        set.Set(AvgPowerW, m.AvgPowerW);
        set.Set(OutputTokensPerJ, m.OutputTokensPerJ);
        set.Set(TotalTokensPerJ, m.TotalTokensPerJ);
        set.Set(JPerOutputToken, m.JPerOutputToken);
        set.Set(PrefillEnergyJ, m.PrefillEnergyJ);
        set.Set(DecodeEnergyJ, m.DecodeEnergyJ);
        set.Set(PrefillJPerToken, m.PrefillJPerToken);
        set.Set(DecodeJPerToken, m.DecodeJPerToken);
        set.Set(ActiveEnergyJ, m.ActiveEnergyJ);
        return set;
    }
}
