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
public sealed class MonotonicClock : ITimeSource
{
    private readonly long _origin = Stopwatch.GetTimestamp();

    public DateTimeOffset StartedUtc { get; } = DateTimeOffset.UtcNow;

    public double Now => Stopwatch.GetElapsedTime(_origin).TotalSeconds;
}
