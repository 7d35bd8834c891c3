using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SiliconBench.Models;
using SiliconBench.OnnxRuntime.Onnx;
using SiliconBench.Probing;

namespace SiliconBench.OnnxRuntime;

/// <summary>
/// Dense GEMM throughput through ONNX Runtime: a one-MatMul model C = A·B (A an input, B a constant so the
/// CPU provider pre-packs it, as it does for model weights), run repeatedly; reports the best GFLOP/s (2n³ per run).
/// </summary>
public sealed class OnnxGemmProbe : IGemmProbe
{
    private readonly OnnxDevice _device;
    private readonly int _n;
    private readonly int _repetitions;
    private readonly int _threads;
    private readonly WeightDtype _dtype;

    /// <param name="device">cpu, cuda[:N], …; resolved against the loaded library's providers.</param>
    /// <param name="n">Matrix size (n × n × n).</param>
    /// <param name="dtype">fp32, or fp16 on GPU providers.</param>
    /// <param name="repetitions">Timed runs after one warm-up; the best counts.</param>
    /// <param name="threads">Intra-op threads; default one per physical core.</param>
    public OnnxGemmProbe(string device = "cpu", int n = 2048, string dtype = "fp32", int repetitions = 10, int? threads = null)
    {
        _device = OnnxDevices.Resolve(device, OnnxDevices.AvailableProviders());
        _dtype = LlamaOnnxBuilder.ParseComputeDtype(dtype, "dtype");
        _n = n > 0 ? n : throw new ArgumentOutOfRangeException(nameof(n));
        _repetitions = Math.Max(1, repetitions);
        _threads = threads ?? OnnxDevices.PhysicalCores();
    }

    public string Device => $"onnxruntime {_device.Name} {WeightDtypes.Name(_dtype)}";

    public string Method =>
        $"ONNX MatMul {_n}x{_n}x{_n} ({WeightDtypes.Name(_dtype)}, constant B), best of {_repetitions} runs after 1 warm-up, " +
        $"{_threads.ToString(CultureInfo.InvariantCulture)} intra-op threads, ONNX Runtime {OrtEnv.Instance().GetVersionString()}";

    /// <summary>The best time of one run, in seconds, from the last <see cref="MeasureGflops"/>.</summary>
    public double BestSeconds { get; private set; }

    public double MeasureGflops(CancellationToken cancel = default)
    {
        using var run = Prepare();
        var best = double.MaxValue;
        for (var r = 0; r <= _repetitions; r++)
        {
            cancel.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            run.RunOnce();
            var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (r > 0)
                best = Math.Min(best, seconds);
        }
        BestSeconds = best;
        return run.Flops / best / 1e9;
    }

    /// <summary>Builds the one-MatMul session and its input, ready to run (benchmarks time <see cref="Run.RunOnce"/> themselves).</summary>
    internal Run Prepare() => new(this);

    /// <summary>A loaded GEMM session; <see cref="RunOnce"/> computes C = A·B once (2n³ flops).</summary>
    internal sealed class Run : IDisposable
    {
        private readonly SessionOptions _options;
        private readonly InferenceSession _session;
        private readonly RunOptions _run = new();
        private readonly OrtValue _input;
        private readonly string[] _inputNames = ["a"];
        private readonly string[] _outputNames = ["c"];
        private readonly OrtValue[] _inputs;

        public Run(OnnxGemmProbe p)
        {
            var n = p._n;
            var type = p._dtype == WeightDtype.Fp16 ? OnnxType.Float16 : OnnxType.Float;
            var elementType = p._dtype == WeightDtype.Fp16 ? TensorElementType.Float16 : TensorElementType.Float;
            var size = WeightDtypes.SizeOf(p._dtype);
            var g = new OnnxGraph("gemm_probe");
            var a = g.Input("a", type, n, n);
            var bValues = new float[(long)n * n];
            SyntheticValues(bValues, 2);
            var b = g.Initializer("b", type, [n, n], (long)n * n * size, s => WeightWriter.WriteFloats(s, bValues, p._dtype));
            g.Output("c", type, n, n);
            g.OpNamed("c", "MatMul", [a, b]);
            var model = OnnxModelWriter.ToBytes(g);

            _options = new SessionOptions
            {
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
                IntraOpNumThreads = p._threads,
                LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
            };
            OnnxDevices.Append(_options, p._device);
            _session = new InferenceSession(model, _options);
            _input = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, elementType, [n, n]);
            var aValues = new float[(long)n * n];
            SyntheticValues(aValues, 1);
            if (p._dtype == WeightDtype.Fp16)
            {
                var dst = _input.GetTensorMutableDataAsSpan<ushort>();
                for (var i = 0; i < aValues.Length; i++)
                    dst[i] = BitConverter.HalfToUInt16Bits((Half)aValues[i]);
            }
            else
            {
                aValues.CopyTo(_input.GetTensorMutableDataAsSpan<float>());
            }
            _inputs = [_input];
            Flops = 2.0 * n * n * (double)n;
        }

        public double Flops { get; }

        /// <summary>One MatMul; returns once the result is computed (GPU providers synchronize before Run returns outputs).</summary>
        public void RunOnce()
        {
            using var outputs = _session.Run(_run, _inputNames, _inputs, _outputNames);
        }

        public void Dispose()
        {
            _input.Dispose();
            _session.Dispose();
            _run.Dispose();
            _options.Dispose();
        }
    }

    private static void SyntheticValues(Span<float> values, int salt)
    {
        var x = (uint)(2463534242 + salt);
        for (var i = 0; i < values.Length; i++)
        {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            values[i] = (x >> 8) * (1f / (1 << 24)) - 0.5f;
        }
    }
}
