using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using SiliconBench.Engines;
using SiliconBench.Models;
using SiliconBench.OnnxRuntime;

namespace SiliconBench.Benchmarks.Engines;

/// <summary>
/// The onnxruntime engine on the synthetic <c>small</c> Llama (~100M parameters, 400 MB of fp32 weights), cpu,
/// batch 1: one decode step at a context of 128–144 tokens, and a 128-token prefill. The GB/s column is the
/// bandwidth a step achieves: (weight bytes + KV-cache bytes read) / step time, to set against
/// <see cref="MemoryBandwidthBenchmarks"/>. Where the time goes (ONNX Runtime profile, 1 thread, 2-vCPU KVM guest):
/// MatMul on pre-packed weights is ~92% of a step and streams at ~14–16 GB/s; the ~600 small ops (RoPE, reshapes,
/// KV Concat, norms) ~8%. Weights in 4 KiB pages cost TLB walks in a VM: <c>GLIBC_TUNABLES=glibc.malloc.hugetlb=1</c>
/// (transparent huge pages for malloc) lifted the step from ~14 to ~15–17 GB/s there. Run: <c>dotnet run -c Release --project tests/SiliconBench.Benchmarks -- --filter '*Engines*'</c>.
/// </summary>
[Config(typeof(Config))]
public class OnnxRuntimeDecodeBenchmarks
{
    public const int PromptTokens = 128;
    public const int DecodeStepsPerIteration = 16;
    private const string Preset = "small";

    private IEngine _engine = null!;
    private int[] _prompt = [];

    /// <summary>Intra-op threads; 0 = the engine's default (one per physical core).</summary>
    [Params(0, 1)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new Dictionary<string, string>();
        if (Threads > 0)
            options["threads"] = Threads.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _engine = new OnnxRuntimeEngineFactory().Create(new EngineRequest
        {
            ModelSpec = $"synthetic:{Preset}",
            CacheDirectory = BenchCache.Directory,
            Options = options,
            Log = Console.WriteLine,
        });
        _prompt = [.. Enumerable.Range(0, PromptTokens).Select(i => i * 7919 % _engine.Model.VocabSize)];
        Console.WriteLine($"// engine: {_engine.Backend.Id} {_engine.Backend.Version} {_engine.Backend.Device}, " +
            string.Join(", ", _engine.Backend.Options.Where(o => o.Key != "onnx_model").Select(o => $"{o.Key}={o.Value}")));
        Console.WriteLine($"// model: {_engine.Model.Name}, {_engine.Model.Parameters / 1e6:F1}M parameters, weights read per step {_engine.Model.WeightBytes / 1e6:F1} MB, KV {_engine.Model.KvBytesPerToken} B/token");
    }

    [IterationSetup(Target = nameof(DecodeStep))]
    public void StartBatch() => _engine.Prefill([_prompt]);

    [Benchmark(Description = "decode step (b=1, ctx 128-144)")]
    public int DecodeStep() => _engine.Decode().Tokens[0];

    [Benchmark(Description = "prefill (b=1, 128 tokens)")]
    public int Prefill() => _engine.Prefill([_prompt]).Tokens[0];

    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    /// <summary>Bytes a decode step must read: the weights (as the engine reports them) and the KV cache at the mean context.</summary>
    public static double DecodeBytes()
    {
        var c = SyntheticPresets.Get(Preset, "benchmark");
        var meanContext = PromptTokens + (DecodeStepsPerIteration + 1) / 2.0;
        return (c.StreamedParameters * 4.0) + (c.KvElementsPerToken * 4.0 * meanContext);
    }

    /// <summary>Floating-point operations of a prefill: 2 per weight per token (matrix products) plus attention.</summary>
    public static double PrefillFlops()
    {
        var c = SyntheticPresets.Get(Preset, "benchmark");
        var attention = 2.0 * 2 * c.NumHiddenLayers * c.NumAttentionHeads * c.HeadDim * PromptTokens * (PromptTokens + 1) / 2.0;
        return (2.0 * c.StreamedParameters * PromptTokens) + attention;
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // In-process: the native library and the cached model load once; ShortRun keeps the whole suite to about a minute.
            AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance)
                .WithInvocationCount(DecodeStepsPerIteration).WithUnrollFactor(1).WithWarmupCount(3).WithIterationCount(5));
            AddColumn(new RateColumn("GB/s", b => b.Descriptor.WorkloadMethod.Name == nameof(DecodeStep) ? DecodeBytes() : null, 1e9));
            AddColumn(new RateColumn("GFLOP/s", b => b.Descriptor.WorkloadMethod.Name == nameof(Prefill) ? PrefillFlops() : null, 1e9));
            AddColumn(StatisticColumn.Median, StatisticColumn.Min);
        }
    }
}
