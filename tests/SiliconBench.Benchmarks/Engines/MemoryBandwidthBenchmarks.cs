using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using SiliconBench.OnnxRuntime;

namespace SiliconBench.Benchmarks.Engines;

/// <summary>
/// The streaming-read ceiling a decode step is held against: a 1 GiB buffer (far past any cache) summed
/// with SIMD by one thread per core, and by one thread. GB/s = bytes read / time.
/// </summary>
[Config(typeof(Config))]
public class MemoryBandwidthBenchmarks
{
    private const long Bytes = 1L << 30;
    private float[] _buffer = [];
    private int _threads;

    [GlobalSetup]
    public void Setup()
    {
        _buffer = GC.AllocateUninitializedArray<float>((int)(Bytes / sizeof(float)));
        Array.Fill(_buffer, 1f);
        _threads = Environment.ProcessorCount;
    }

    [Benchmark(Description = "stream read 1 GiB, all cores")]
    public float StreamReadAllCores()
    {
        var partial = new float[_threads];
        var n = _buffer.Length;
        Parallel.For(0, _threads, new ParallelOptions { MaxDegreeOfParallelism = _threads }, t =>
        {
            var start = (int)((long)n * t / _threads);
            var end = (int)((long)n * (t + 1) / _threads);
            partial[t] = TensorPrimitives.Sum<float>(_buffer.AsSpan(start, end - start));
        });
        return TensorPrimitives.Sum<float>(partial);
    }

    [Benchmark(Description = "stream read 1 GiB, one thread")]
    public float StreamReadOneThread() => TensorPrimitives.Sum<float>(_buffer);

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithIterationCount(5));
            AddColumn(new RateColumn("GB/s", _ => Bytes, 1e9));
            AddColumn(StatisticColumn.Median, StatisticColumn.Min);
        }
    }
}

/// <summary>Dense GEMM through ONNX Runtime (the <see cref="OnnxGemmProbe"/> model): one 2048³ fp32 MatMul on cpu.</summary>
[Config(typeof(Config))]
public class OnnxGemmBenchmarks
{
    private const int N = 2048;
    private OnnxGemmProbe.Run _run = null!;

    [GlobalSetup]
    public void Setup()
    {
        var probe = new OnnxGemmProbe("cpu", N);
        Console.WriteLine($"// OnnxGemmProbe: {probe.MeasureGflops():F1} GFLOP/s best — {probe.Method}");
        _run = probe.Prepare();
    }

    [Benchmark(Description = "MatMul 2048^3 fp32 (cpu)")]
    public void MatMul() => _run.RunOnce();

    [GlobalCleanup]
    public void Cleanup() => _run.Dispose();

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithIterationCount(5));
            AddColumn(new RateColumn("GFLOP/s", _ => 2.0 * N * N * N, 1e9));
            AddColumn(StatisticColumn.Median, StatisticColumn.Min);
        }
    }
}
