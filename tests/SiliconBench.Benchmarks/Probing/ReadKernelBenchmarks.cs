using BenchmarkDotNet.Attributes;
using SiliconBench.Probing;

namespace SiliconBench.Benchmarks.Probing;

/// <summary>
/// The bandwidth probe's read kernel on one thread over a buffer far larger than the LLC (DRAM-bound) and
/// over one that fits in L2 (shows the kernel itself is not the limit). GB/s = BufferBytes ÷ mean time.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class ReadKernelBenchmarks
{
    private MemoryBandwidthProbe.AlignedBuffer? _buffer;
    private long _elements;

    [Params(256L * 1024, 256L * 1024 * 1024)]
    public long BufferBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var block = ReadKernel.BlockElements;
        _elements = BufferBytes / sizeof(long) / block * block;
        _buffer = new MemoryBandwidthProbe.AlignedBuffer(_elements * sizeof(long));
        _buffer.Fill(0, _elements, 3);
    }

    [GlobalCleanup]
    public void Cleanup() => _buffer?.Dispose();

    [Benchmark]
    public long SumOneThread() => _buffer!.Sum(0, _elements);
}
