using SiliconBench.Analysis;
using SiliconBench.Records;
using SiliconBench.Telemetry;
using Xunit;

namespace SiliconBench.Tests.Analysis;

public sealed class ClockStabilityTests
{
    private static readonly MeasurementWindow Window = new(1.0, 3.0);

    private static TelemetrySample[] Clock(string quantity, params (double T, double Mhz)[] samples) =>
        [.. samples.Select(s => new TelemetrySample(s.T, "nvml:0", quantity, s.Mhz))];

    [Fact]
    public void A_step_down_of_the_sm_clock_inside_the_window_is_flagged_with_its_range()
    {
        var telemetry = Clock(Quantities.SmClockMhz, (1.0, 1980), (2.0, 1980), (2.5, 1755), (3.0, 1755));

        var note = Assert.Single(ClockStability.Notes(telemetry, Window));

        Assert.Equal("clock changes: nvml:0 sm_clock_mhz ranged 1755–1980 MHz over the measured window (11.4% below its peak, 4 samples); the figures describe a changing clock, not one operating state", note);
    }

    [Fact]
    public void Boost_jitter_within_the_tolerance_and_changes_outside_the_window_are_not()
    {
        // 1980 → 1965 is one 15 MHz boost bin (0.76 %); the 810 MHz sample lies before the window.
        var telemetry = Clock(Quantities.SmClockMhz, (0.5, 810), (1.0, 1980), (2.0, 1965), (3.0, 1980));

        Assert.Empty(ClockStability.Notes(telemetry, Window));
        Assert.Empty(ClockStability.Notes(telemetry, null));
    }

    [Fact]
    public void Each_sensor_and_clock_is_judged_on_its_own_in_a_fixed_order()
    {
        TelemetrySample[] telemetry =
        [
            .. Clock(Quantities.MemClockMhz, (1.5, 2619), (2.5, 1593)),
            .. Clock(Quantities.SmClockMhz, (1.5, 1980), (2.5, 1410)),
            new(2.0, "nvml:1", Quantities.SmClockMhz, 1980), new(2.2, "nvml:1", Quantities.SmClockMhz, 1980),
            new(2.0, "nvml:0", Quantities.PowerW, 100), new(2.2, "nvml:0", Quantities.PowerW, 700),
        ];

        var notes = ClockStability.Notes(telemetry, Window).ToList();

        Assert.Equal(2, notes.Count);
        Assert.StartsWith("clock changes: nvml:0 sm_clock_mhz ranged 1410–1980 MHz", notes[0], StringComparison.Ordinal);
        Assert.StartsWith("clock changes: nvml:0 mem_clock_mhz ranged 1593–2619 MHz", notes[1], StringComparison.Ordinal);
    }

    [Fact]
    public void The_analyzer_puts_the_flag_in_the_validity_notes_and_the_run_stays_valid()
    {
        var record = RunRecordReader.Read(Path.Combine(DataCases.Root("Analysis"), "goodput-slo"));
        var window = Analyzer.ResolveWindows(record).Overall!;
        var withClocks = record with { Telemetry = Clock(Quantities.SmClockMhz, (window.TStart, 1980), (window.TEnd, 1500)) };

        var summary = Analyzer.Analyze(withClocks);

        Assert.Contains(summary.Validity.Notes, n => n.StartsWith("clock changes: nvml:0 sm_clock_mhz ranged 1500–1980 MHz", StringComparison.Ordinal));
        Assert.Equal(Analyzer.Analyze(record).Validity.Valid, summary.Validity.Valid);
    }
}
