using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SiliconBench.Benchmarks.Serving;

/// <summary>
/// Sleeps until a <see cref="Stopwatch"/> timestamp with microsecond precision where the OS allows it:
/// <see cref="Thread.Sleep(int)"/> rounds to whole milliseconds, which would send a pacing tick's chunks in bursts.
/// </summary>
internal static partial class PreciseSleep
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsolute = 1;
    private const int PrSetTimerSlack = 29;

    /// <summary>Linux with nanosecond Stopwatch ticks: the timestamp is CLOCK_MONOTONIC itself, so it can be slept to directly.</summary>
    public static bool IsPrecise { get; } = OperatingSystem.IsLinux() && Stopwatch.Frequency == 1_000_000_000;

    /// <summary>Asks the kernel to wake this thread within 1 µs of its deadlines (the default slack is 50 µs).</summary>
    public static void TightenTimerSlack()
    {
        if (IsPrecise)
            _ = Prctl(PrSetTimerSlack, 1, 0, 0, 0);
    }

    public static void Until(long stopwatchTimestamp)
    {
        if (IsPrecise)
        {
            var deadline = new TimeSpec { Seconds = stopwatchTimestamp / 1_000_000_000, Nanoseconds = stopwatchTimestamp % 1_000_000_000 };
            // EINTR only cuts the sleep short; the caller's loop re-checks the time anyway.
            _ = ClockNanosleep(ClockMonotonic, TimerAbsolute, in deadline, IntPtr.Zero);
            return;
        }
        var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), stopwatchTimestamp);
        if (remaining > TimeSpan.FromMilliseconds(1))
            Thread.Sleep(remaining);
        else if (remaining > TimeSpan.Zero)
            Thread.Yield();
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clock, int flags, in TimeSpec deadline, IntPtr remaining);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);
}
