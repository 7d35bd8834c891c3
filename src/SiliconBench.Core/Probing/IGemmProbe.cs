namespace SiliconBench.Probing;

/// <summary>
/// Measures dense matrix-multiply throughput on one device through a real engine (the prefill ceiling of
/// the roofline). Engines that can run a GEMM provide one; the probe stays engine-agnostic.
/// </summary>
public interface IGemmProbe
{
    /// <summary>Device and dtype measured, e.g. <c>onnxruntime cpu fp32</c>.</summary>
    string Device { get; }

    /// <summary>How it was measured, one line for the manifest.</summary>
    string Method { get; }

    /// <summary>Best sustained GFLOP/s over several timed repetitions.</summary>
    double MeasureGflops(CancellationToken cancel = default);
}
