using SiliconBench.Records;

namespace SiliconBench.Probing;

/// <summary>
/// Measures the two ceilings of the roofline: memory bandwidth (decode is bound by it) and dense GEMM
/// throughput (prefill is bound by it), and records how each was measured.
/// </summary>
/// <remarks>
/// The bandwidth figure is host DRAM. For an accelerator GEMM probe the method text says so, so nobody
/// mistakes it for device memory bandwidth.
/// </remarks>
public sealed class RooflineProbe(IGemmProbe gemm, MemoryBandwidthOptions? bandwidthOptions = null)
{
    public RooflineInfo Measure(CancellationToken cancel = default)
    {
        var bandwidth = MemoryBandwidthProbe.Measure(bandwidthOptions, cancel);
        cancel.ThrowIfCancellationRequested();
        var gflops = gemm.MeasureGflops(cancel);
        return new RooflineInfo
        {
            MemoryBandwidthGBs = bandwidth.BestGBs,
            GemmGflops = gflops,
            Device = gemm.Device,
            Method = $"memory (host): {bandwidth.Method}, median {bandwidth.MedianGBs:0.#} GB/s; gemm ({gemm.Device}): {gemm.Method}",
        };
    }
}
