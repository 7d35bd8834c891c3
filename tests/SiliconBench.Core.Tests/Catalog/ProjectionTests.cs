using SiliconBench.Catalog;
using Xunit;

namespace SiliconBench.Tests.Catalog;

public sealed class ProjectionTests
{
    private static readonly CatalogEntry H100 = SiliconCatalog.Load(Path.Combine(SiliconBench.Tests.Planning.ShippedWorkloadsTests.WorkloadsFolder(), "silicon.yaml")).ById("h100-sxm5-80gb")!;

    /// <summary>Llama-3.1-8B-like in bf16: 8e9 parameters, 16 GB of weights, 32 layers × 8 KV heads × 128 × (K,V) × 2 B = 131 072 B/token.</summary>
    private static readonly ModelShape Model = new(8_000_000_000, 16_000_000_000, 131_072);

    [Fact]
    public void Decode_ceiling_is_batch_over_bytes_per_step_over_bandwidth()
    {
        var p = Projection.For(H100, Model, batch: 8, context: 1024, dtype: "bf16");

        // bytes per step = 16e9 + 8 × 1024 × 131072 = 17 073 741 824; ÷ 3.35e12 B/s = 5.0966 ms; 8 ÷ that = 1569.66 tok/s.
        Assert.Equal(8 / (17_073_741_824 / 3.35e12), p.DecodeTokensPerS!.Value, 6);
        Assert.Equal("projected", p.Label);
    }

    [Fact]
    public void Prefill_ceiling_is_flops_over_two_flops_per_parameter()
    {
        Assert.Equal(989e12 / 16e9, Projection.For(H100, Model, 1, 0, "bf16").PrefillTokensPerS!.Value, 6);
        Assert.Equal(1979e12 / 16e9, Projection.For(H100, Model, 1, 0, "fp8").PrefillTokensPerS!.Value, 6);
    }

    [Fact]
    public void A_missing_figure_gives_no_ceiling_and_says_why()
    {
        var p = Projection.For(H100, Model, 1, 0, "fp4");

        Assert.Null(p.PrefillTokensPerS);
        Assert.Contains(p.Notes, n => n.Contains("fp4_dense_tflops", StringComparison.Ordinal));
    }

    [Fact]
    public void Longer_context_lowers_the_decode_ceiling()
    {
        Assert.True(Projection.For(H100, Model, 8, 8192, "bf16").DecodeTokensPerS < Projection.For(H100, Model, 8, 1024, "bf16").DecodeTokensPerS);
    }
}
