using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;

namespace SiliconBench.Probing;

/// <summary>How the bandwidth probe runs: buffer size (far above the last-level cache), threads, repetitions.</summary>
public sealed record MemoryBandwidthOptions
{
    /// <summary>512 MiB: far larger than any current LLC, so every pass streams from DRAM.</summary>
    public const long DefaultBufferBytes = 512L * 1024 * 1024;

    public long BufferBytes { get; init; } = DefaultBufferBytes;
    /// <summary>Reader threads; default one per logical core, since one core cannot saturate a memory controller.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>Timed passes after one untimed warm-up pass.</summary>
    public int Repetitions { get; init; } = 7;
}

/// <summary>Best and median streaming-read bandwidth (GB/s = 10⁹ bytes/s) over the timed passes, and how it was read.</summary>
public sealed record MemoryBandwidthResult(double BestGBs, double MedianGBs, long BufferBytes, int Threads, string Method);

/// <summary>
/// Measures host memory streaming-read bandwidth, the ceiling of the decode phase on CPU: every thread sums
/// its own slice of a large buffer with SIMD adds, which cost far less than the loads, so the loop is
/// read-bound. Pages are written before timing (first touch also places them near the thread that reads them),
/// because untouched pages all map one shared zero page and would read from cache.
/// </summary>
public static class MemoryBandwidthProbe
{
    /// <summary>Keeps the sums observable so the JIT cannot drop the reads.</summary>
    private static long s_sink;

    public static MemoryBandwidthResult Measure(MemoryBandwidthOptions? options = null, CancellationToken cancel = default)
    {
        options ??= new MemoryBandwidthOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Threads, 1, nameof(options.Threads));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Repetitions, 1, nameof(options.Repetitions));

        // Each slice is a whole number of unrolled kernel blocks, so the kernel never needs a scalar tail.
        var blockBytes = (long)ReadKernel.BlockElements * sizeof(long);
        var sliceBytes = options.BufferBytes / options.Threads / blockBytes * blockBytes;
        ArgumentOutOfRangeException.ThrowIfLessThan(sliceBytes, blockBytes, nameof(options.BufferBytes));
        var threads = options.Threads;
        var totalBytes = sliceBytes * threads;
        var sliceElements = sliceBytes / sizeof(long);

        using var buffer = new AlignedBuffer(totalBytes);
        var slices = new ParallelOptions { MaxDegreeOfParallelism = threads };
        Parallel.For(0, threads, slices, t => buffer.Fill(t * sliceElements, sliceElements, t + 1));

        var gbs = new double[options.Repetitions];
        var sums = new long[threads];
        for (var rep = -1; rep < options.Repetitions; rep++)
        {
            cancel.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            Parallel.For(0, threads, slices, t => sums[t] = buffer.Sum(t * sliceElements, sliceElements));
            var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            s_sink += sums.Sum();
            if (rep >= 0)
                gbs[rep] = totalBytes / seconds / 1e9;
        }

        Array.Sort(gbs);
        var median = gbs.Length % 2 == 1 ? gbs[gbs.Length / 2] : (gbs[gbs.Length / 2 - 1] + gbs[gbs.Length / 2]) / 2;
        var method = $"streaming read, {ReadKernel.Description}, {threads} thread{(threads == 1 ? "" : "s")}, {FormatMiB(totalBytes)} buffer, best of {options.Repetitions} passes";
        return new MemoryBandwidthResult(gbs[^1], median, totalBytes, threads, method);
    }

    private static string FormatMiB(long bytes) =>
        bytes >= 1024 * 1024 ? $"{bytes / (1024.0 * 1024):0.#} MiB" : $"{bytes / 1024.0:0.#} KiB";

    /// <summary>Native memory aligned to a page (and so to any vector width), freed on dispose.</summary>
    internal sealed unsafe class AlignedBuffer : IDisposable
    {
        private long* _data;

        public AlignedBuffer(long bytes)
        {
            Bytes = bytes;
            _data = (long*)NativeMemory.AlignedAlloc((nuint)bytes, 4096);
        }

        public long Bytes { get; }

        public void Fill(long start, long count, long value)
        {
            ObjectDisposedException.ThrowIf(_data is null, this);
            for (long i = start, end = start + count; i < end; i++)
                _data[i] = value;
        }

        public long Sum(long start, long count)
        {
            ObjectDisposedException.ThrowIf(_data is null, this);
            return ReadKernel.Sum(_data + start, count);
        }

        public void Dispose()
        {
            if (_data is null)
                return;
            NativeMemory.AlignedFree(_data);
            _data = null;
        }
    }
}

/// <summary>The timed loop: a SIMD sum with four independent accumulators, so add latency never limits the loads.</summary>
internal static unsafe class ReadKernel
{
    /// <summary>Elements consumed per unrolled iteration; slices are multiples of it.</summary>
    public static int BlockElements => 4 * Vector<long>.Count;

    public static string Description =>
        $"Vector<long> sum ({Vector<long>.Count * 64}-bit{(Vector.IsHardwareAccelerated ? "" : ", not accelerated")})";

    /// <summary>Sums <paramref name="count"/> longs (a multiple of <see cref="BlockElements"/>) starting at an aligned address.</summary>
    public static long Sum(long* data, long count)
    {
        var width = Vector<long>.Count;
        Vector<long> a0 = default, a1 = default, a2 = default, a3 = default;
        var p = data;
        var end = data + count;
        while (p < end)
        {
            a0 += Vector.Load(p);
            a1 += Vector.Load(p + width);
            a2 += Vector.Load(p + 2 * width);
            a3 += Vector.Load(p + 3 * width);
            p += 4 * width;
        }
        return Vector.Sum(a0 + a1 + a2 + a3);
    }
}
