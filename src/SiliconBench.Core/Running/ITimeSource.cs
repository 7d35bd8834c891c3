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
    private readonly long _origin = Stopwatch.GetTimestamp();

    public DateTimeOffset StartedUtc { get; } = DateTimeOffset.UtcNow;

    public double Now => ToRunSeconds(Stopwatch.GetTimestamp());

    /// <summary>The <see cref="Stopwatch"/> timestamp of t = 0.</summary>
    public long OriginTimestamp => _origin;

    /// <summary>A <see cref="Stopwatch.GetTimestamp"/> value as seconds on this run's clock.</summary>
    public double ToRunSeconds(long stopwatchTimestamp) => Stopwatch.GetElapsedTime(_origin, stopwatchTimestamp).TotalSeconds;
}
