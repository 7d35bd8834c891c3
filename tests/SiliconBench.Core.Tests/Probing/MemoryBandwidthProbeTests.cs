using System.Numerics;
using SiliconBench.Probing;
using Xunit;

namespace SiliconBench.Tests.Probing;

public sealed class MemoryBandwidthProbeTests
{
    [Fact]
    public void Tiny_buffer_gives_positive_finite_figures_and_names_the_method()
    {
        var result = MemoryBandwidthProbe.Measure(new MemoryBandwidthOptions { BufferBytes = 1 << 20, Threads = 2, Repetitions = 3 }, TestContext.Current.CancellationToken);

        Assert.True(double.IsFinite(result.BestGBs) && result.BestGBs > 0);
        Assert.True(double.IsFinite(result.MedianGBs) && result.MedianGBs > 0);
        Assert.True(result.BestGBs >= result.MedianGBs);
        Assert.Equal(2, result.Threads);
        Assert.True(result.BufferBytes is > 0 and <= 1 << 20);
        Assert.Contains("streaming read", result.Method);
        Assert.Contains("2 threads", result.Method);
        Assert.Contains("best of 3", result.Method);
    }

    [Fact]
    public void Buffer_is_rounded_down_to_whole_blocks_per_thread()
    {
        var block = 4 * Vector<long>.Count * sizeof(long);
        var result = MemoryBandwidthProbe.Measure(new MemoryBandwidthOptions { BufferBytes = 3 * 10 * block + 17, Threads = 3, Repetitions = 1 }, TestContext.Current.CancellationToken);

        Assert.Equal(3 * 10 * block, result.BufferBytes);
    }

    [Fact]
    public void Buffer_smaller_than_one_block_per_thread_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MemoryBandwidthProbe.Measure(new MemoryBandwidthOptions { BufferBytes = 64, Threads = 4 }, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Cancelled_token_stops_before_measuring()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => MemoryBandwidthProbe.Measure(new MemoryBandwidthOptions { BufferBytes = 1 << 16, Threads = 1 }, cts.Token));
    }

    [Fact]
    public void Read_kernel_sums_every_element_of_its_slice()
    {
        var block = ReadKernel.BlockElements;
        using var buffer = new MemoryBandwidthProbe.AlignedBuffer(3L * block * sizeof(long));
        buffer.Fill(0, block, 1);
        buffer.Fill(block, block, 5);
        buffer.Fill(2 * block, block, 1000);

        Assert.Equal(6L * block, buffer.Sum(0, 2 * block));
        Assert.Equal(1005L * block, buffer.Sum(block, 2 * block));
    }
}
