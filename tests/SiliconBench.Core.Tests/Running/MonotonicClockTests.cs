using System.Diagnostics;
using SiliconBench.Running;
using Xunit;

namespace SiliconBench.Tests.Running;

public class MonotonicClockTests
{
    [Fact]
    public void A_stopwatch_timestamp_converts_onto_the_run_clock_between_the_readings_around_it()
    {
        var clock = new MonotonicClock();
        var before = clock.Now;
        var stamp = Stopwatch.GetTimestamp();
        var after = clock.Now;

        var t = clock.ToRunSeconds(stamp);

        Assert.InRange(t, before, after);
    }

    [Fact]
    public void The_origin_timestamp_is_time_zero_and_later_stamps_count_up_from_it()
    {
        var clock = new MonotonicClock();

        Assert.Equal(0.0, clock.ToRunSeconds(clock.OriginTimestamp));
        Assert.Equal(1.5, clock.ToRunSeconds(clock.OriginTimestamp + (long)(1.5 * Stopwatch.Frequency)), 7);
        Assert.True(clock.ToRunSeconds(clock.OriginTimestamp - Stopwatch.Frequency) < 0);
    }

    [Fact]
    public void The_manifest_gets_the_origin_with_the_utc_time_read_on_both_sides_of_it()
    {
        var utcBefore = DateTimeOffset.UtcNow;
        var clock = new MonotonicClock();
        var utcAfter = DateTimeOffset.UtcNow;

        var info = clock.Describe();

        Assert.Equal(clock.OriginTimestamp, info.OriginTimestamp);
        Assert.Equal(Stopwatch.Frequency, info.TimestampsPerSecond);
        Assert.Equal(OperatingSystem.IsLinux() ? "CLOCK_MONOTONIC" : "Stopwatch", info.Source);
        Assert.InRange(info.UtcBefore, utcBefore, info.UtcAfter);
        Assert.InRange(info.UtcAfter, info.UtcBefore, utcAfter);
        Assert.InRange(clock.StartedUtc, info.UtcBefore, info.UtcAfter);
    }
}
