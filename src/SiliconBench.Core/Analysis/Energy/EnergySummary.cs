using System.Globalization;
using SiliconBench.Metrics;
using SiliconBench.Records;
using SiliconBench.Telemetry;

namespace SiliconBench.Analysis.Energy;

/// <summary>
/// Puts the energy analysis into the summary: per sensor scope, overall and per operating point, with the
/// metrics of <see cref="MetricCatalog"/> (sections Energy and Sensor coverage) and each scope's provenance. Runs
/// inside <see cref="Analyzer.Analyze"/>, so <c>analyze</c> re-derives energy from telemetry.csv like every other
/// figure. Without sensors the summary keeps "not measured".
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
        var provenance = report.Scopes.ToDictionary(s => s.Scope, s => ScopeProvenance(manifest.Sensors, s.Scope), StringComparer.Ordinal);
        foreach (var scope in report.Scopes)
        {
            var set = ToMetrics(scope.Overall, provenance[scope.Scope]);
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
                scopes[scope.Scope] = ToMetrics(point.Metrics, provenance[scope.Scope]);
            }
            var label = $"energy {scope.Scope} ({string.Join(", ", scope.Sensors)}; {scope.Method})";
            notes.AddRange(scope.Overall.Notes.Select(n => $"{label}: {n}"));
            notes.AddRange(scope.Validity.Reasons.Select(r => $"{label}: {r}"));
            if (scope.Validity.Throttled)
                notes.Add($"{label}: throttle reasons seen (bitmask 0x{scope.Validity.ThrottleReasons.ToString("x", CultureInfo.InvariantCulture)})");
            if (scope.Overall.ActiveEnergyJ is not null)
                notes.Add($"{label}: {MetricCatalog.ActiveEnergyJ.Id} is a secondary figure: energy above the idle baseline of {MetricCatalog.IdlePowerW.Id}");
        }

        // The status leads with the weakest provenance, so "measured" is said only when every scope was.
        var withEnergy = report.Scopes.Where(s => s.Overall.EnergyJ is not null).ToList();
        var status = report.Measured
            ? ProvenanceText.Of(withEnergy.Select(s => provenance[s.Scope]).Aggregate(ProvenanceText.Weaker)) + ": "
                + string.Join("; ", withEnergy.Select(s => $"{s.Scope} by {s.Method}"))
            : report.NotMeasuredReason ?? EnergyAnalysis.NoSensors;
        return summary.WithEnergy(status, byScope,
            byPoint.ToDictionary(p => p.Key, p => (IReadOnlyDictionary<string, MetricSet>)p.Value, StringComparer.Ordinal), notes);
    }

    /// <summary>
    /// Where a scope's energy comes from: a sensor whose method is a model (<c>estimate…</c>) makes it estimated, a
    /// replayed trace imported (not sampled beside this run); the weakest sensor of the scope decides.
    /// </summary>
    public static Provenance ScopeProvenance(IReadOnlyList<SensorInfo> sensors, string scope)
    {
        ArgumentNullException.ThrowIfNull(sensors);
        return sensors.Where(s => s.Scope == scope).Select(s =>
                s.Method.StartsWith("estimate", StringComparison.OrdinalIgnoreCase) ? Provenance.Estimated
                : s.Method.EndsWith(ReplaySampler.MethodSuffix, StringComparison.Ordinal) ? Provenance.Imported
                : Provenance.Measured)
            .Aggregate(Provenance.Measured, ProvenanceText.Weaker);
    }

    private static MetricSet ToMetrics(EnergyMetrics m, Provenance provenance)
    {
        var set = new MetricSet { Provenance = provenance };
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
