using SiliconBench.Probing;
using Xunit;

namespace SiliconBench.Tests.Probing;

public sealed class RooflineProbeTests
{
    private sealed class FixedGemmProbe(double gflops) : IGemmProbe
    {
        public int Calls { get; private set; }

        public string Device => "fake-npu:0 bf16";

        public string Method => "fake 4096x4096x4096 matmul, best of 5";

        public double MeasureGflops(CancellationToken cancel = default)
        {
            Calls++;
            return gflops;
        }
    }

    [Fact]
    public void Carries_the_gemm_figure_and_names_both_methods()
    {
        var gemm = new FixedGemmProbe(1234.5);
        var probe = new RooflineProbe(gemm, new MemoryBandwidthOptions { BufferBytes = 1 << 20, Threads = 1, Repetitions = 2 });

        var roofline = probe.Measure(TestContext.Current.CancellationToken);

        Assert.Equal(1, gemm.Calls);
        Assert.Equal(1234.5, roofline.GemmGflops);
        Assert.True(double.IsFinite(roofline.MemoryBandwidthGBs) && roofline.MemoryBandwidthGBs > 0);
        Assert.Equal("fake-npu:0 bf16", roofline.Device);
        Assert.Contains("streaming read", roofline.Method);
        Assert.Contains("fake 4096x4096x4096 matmul", roofline.Method);
        Assert.Contains("host", roofline.Method);
    }
}
