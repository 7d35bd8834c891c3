using System.Globalization;
using SiliconBench.Records;
using SiliconBench.Telemetry;

namespace SiliconBench.Analysis;

/// <summary>
/// The "clock changes" validity flag: a device's SM or memory clock (telemetry.csv, <c>sm_clock_mhz</c>,
/// <c>mem_clock_mhz</c>) moving during the measured window means the figures describe a changing machine (thermal
/// or power capping, a P-state change, boost behaviour), not one operating state. A spread above
/// <see cref="Tolerance"/> of the window's peak is flagged in the validity notes, with the range, so the reader can
/// judge it; the run stays valid. Without clock samples (CPU runs, RAPL, command samplers) nothing is said.
/// </summary>
public static class ClockStability
{
    /// <summary>
    /// Largest spread (max − min) ÷ max not flagged. Boost clocks step in bins of about 15 MHz, under 1 % of a
    /// 1.5–2 GHz clock, so one bin of jitter passes while a real step down (capping, P-state) does not.
    /// </summary>
    public const double Tolerance = 0.02;

    private static readonly string[] Clocks = [Quantities.SmClockMhz, Quantities.MemClockMhz];

    /// <summary>One note per sensor and clock whose samples inside <paramref name="window"/> spread beyond the tolerance, by sensor then clock.</summary>
    public static IEnumerable<string> Notes(IReadOnlyList<TelemetrySample> telemetry, MeasurementWindow? window)
    {
        ArgumentNullException.ThrowIfNull(telemetry);
        if (window is null)
            return [];
        return telemetry
            .Where(s => Array.IndexOf(Clocks, s.Quantity) >= 0 && s.T >= window.TStart && s.T <= window.TEnd && double.IsFinite(s.Value))
            .GroupBy(s => (s.Sensor, s.Quantity))
            .OrderBy(g => g.Key.Sensor, StringComparer.Ordinal).ThenBy(g => Array.IndexOf(Clocks, g.Key.Quantity))
            .Select(g => (g.Key.Sensor, g.Key.Quantity, Min: g.Min(s => s.Value), Max: g.Max(s => s.Value), N: g.Count()))
            .Where(c => c.Max > 0 && (c.Max - c.Min) / c.Max > Tolerance)
            .Select(c => string.Create(CultureInfo.InvariantCulture,
                $"clock changes: {c.Sensor} {c.Quantity} ranged {c.Min:0.#}–{c.Max:0.#} MHz over the measured window ({(c.Max - c.Min) / c.Max:0.#%} below its peak, {c.N} samples); the figures describe a changing clock, not one operating state"))
            .ToList();
    }
}
