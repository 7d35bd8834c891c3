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
        var type = _dtype == WeightDtype.Fp16 ? OnnxType.Float16 : OnnxType.Float;
        var elementType = _dtype == WeightDtype.Fp16 ? TensorElementType.Float16 : TensorElementType.Float;
        var size = WeightDtypes.SizeOf(_dtype);
        var g = new OnnxGraph("gemm_probe");
        var a = g.Input("a", type, _n, _n);
        var bValues = new float[(long)_n * _n];
        SyntheticValues(bValues, 2);
        var b = g.Initializer("b", type, [_n, _n], (long)_n * _n * size, s => WeightWriter.WriteFloats(s, bValues, _dtype));
        g.Output("c", type, _n, _n);
        g.OpNamed("c", "MatMul", [a, b]);
        var model = OnnxModelWriter.ToBytes(g);

        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            IntraOpNumThreads = _threads,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        OnnxDevices.Append(options, _device);
        using var session = new InferenceSession(model, options);
        using var run = new RunOptions();
        using var input = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, elementType, [_n, _n]);
        var aValues = new float[(long)_n * _n];
        SyntheticValues(aValues, 1);
        if (_dtype == WeightDtype.Fp16)
        {
            var dst = input.GetTensorMutableDataAsSpan<ushort>();
            for (var i = 0; i < aValues.Length; i++)
                dst[i] = BitConverter.HalfToUInt16Bits((Half)aValues[i]);
        }
        else
        {
            aValues.CopyTo(input.GetTensorMutableDataAsSpan<float>());
        }

        string[] inputNames = ["a"], outputNames = ["c"];
        OrtValue[] inputs = [input];
        var best = double.MaxValue;
        for (var r = 0; r <= _repetitions; r++)
        {
            cancel.ThrowIfCancellationRequested();
            var start = Stopwatch.GetTimestamp();
            using (var outputs = session.Run(run, inputNames, inputs, outputNames))
            {
                // Output values are host-readable for cpu; for GPU providers Run returns after the device finished.
            }
            var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (r > 0)
                best = Math.Min(best, seconds);
        }
        BestSeconds = best;
        return 2.0 * _n * _n * (double)_n / best / 1e9;
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
