using System.Diagnostics;

namespace SiliconBench.Running;

/// <summary>
/// The one monotonic clock of a run: seconds since the run started. Steps, requests, windows and
/// telemetry samples all read it, so their times can be compared directly.
/// </summary>
public interface ITimeSource
{
    double Now { get; }
}

/// <summary>Stopwatch-based clock; t = 0 at construction, with the UTC wall time of that instant kept for the manifest.</summary>
/// <remarks>
/// On Linux <see cref="Stopwatch.GetTimestamp"/> reads CLOCK_MONOTONIC, which every process on the machine shares,
/// so a timestamp taken in another process (a loopback test server) converts onto this run's clock with
/// <see cref="ToRunSeconds"/>, truncated to 100 ns exactly as <see cref="Now"/> is.
/// </remarks>
public sealed class MonotonicClock : ITimeSource
{
    private readonly long _origin;

    public MonotonicClock()
    {
        // UTC read on both sides of the origin: the wall time of t = 0 is known to within their difference (tens of µs).
        UtcBefore = DateTimeOffset.UtcNow;
        _origin = Stopwatch.GetTimestamp();
        UtcAfter = DateTimeOffset.UtcNow;
        StartedUtc = UtcBefore + ((UtcAfter - UtcBefore) / 2);
    }

    /// <summary>UTC wall time of t = 0: the midpoint of <see cref="UtcBefore"/> and <see cref="UtcAfter"/>.</summary>
    public DateTimeOffset StartedUtc { get; }

    public DateTimeOffset UtcBefore { get; }

    public DateTimeOffset UtcAfter { get; }

    /// <summary>The origin as the manifest records it, so another process's monotonic timestamps (a server's log) can be put on this clock.</summary>
    public Records.ClockInfo Describe() => new()
    {
        Source = OperatingSystem.IsLinux() ? "CLOCK_MONOTONIC" : "Stopwatch",
        OriginTimestamp = _origin,
        TimestampsPerSecond = Stopwatch.Frequency,
        UtcBefore = UtcBefore,
        UtcAfter = UtcAfter,
    };

    public double Now => ToRunSeconds(Stopwatch.GetTimestamp());

    /// <summary>The <see cref="Stopwatch"/> timestamp of t = 0.</summary>
    public long OriginTimestamp => _origin;

    /// <summary>A <see cref="Stopwatch.GetTimestamp"/> value as seconds on this run's clock.</summary>
    public double ToRunSeconds(long stopwatchTimestamp) => Stopwatch.GetElapsedTime(_origin, stopwatchTimestamp).TotalSeconds;
}
