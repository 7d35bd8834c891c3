using System.Globalization;
using SiliconBench.Metrics;
using SiliconBench.Records;

namespace SiliconBench.Analysis.Energy;

/// <summary>
/// Puts the energy analysis into the summary: per sensor scope, overall and per operating point, with the
/// metrics of <see cref="MetricCatalog"/> (section Energy and Sensor coverage). Runs inside <see cref="Analyzer.Analyze"/>, so <c>analyze</c> re-derives energy from
/// telemetry.csv like every other figure. Without sensors the summary keeps "not measured".
/// </summary>
public static class EnergySummary
{
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
            set.Set(MetricCatalog.IdlePowerW, scope.IdlePowerW);
            set.Set(MetricCatalog.SampleCount, scope.Validity.SampleCount);
            set.Set(MetricCatalog.LargestGapS, scope.Validity.LargestGapS);
            set.Set(MetricCatalog.ResolutionS, scope.Validity.ResolutionS);
            set.Set(MetricCatalog.ThrottleReasons, scope.Validity.ThrottleReasons);
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
                notes.Add($"{label}: {MetricCatalog.ActiveEnergyJ.Id} is a secondary figure: energy above the idle baseline of {MetricCatalog.IdlePowerW.Id}");
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
        set.Set(MetricCatalog.EnergyJ, m.EnergyJ);
        set.Set(MetricCatalog.AvgPowerW, m.AvgPowerW);
        set.Set(MetricCatalog.OutputTokensPerJ, m.OutputTokensPerJ);
        set.Set(MetricCatalog.TotalTokensPerJ, m.TotalTokensPerJ);
        set.Set(MetricCatalog.JPerOutputToken, m.JPerOutputToken);
        set.Set(MetricCatalog.PrefillEnergyJ, m.PrefillEnergyJ);
        set.Set(MetricCatalog.DecodeEnergyJ, m.DecodeEnergyJ);
        set.Set(MetricCatalog.PrefillJPerToken, m.PrefillJPerToken);
        set.Set(MetricCatalog.DecodeJPerToken, m.DecodeJPerToken);
        set.Set(MetricCatalog.ActiveEnergyJ, m.ActiveEnergyJ);
        return set;
    }
}
