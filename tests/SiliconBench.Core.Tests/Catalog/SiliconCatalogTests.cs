using SiliconBench.Catalog;
using SiliconBench.Diagnostics;
using Xunit;

namespace SiliconBench.Tests.Catalog;

public sealed class SiliconCatalogTests
{
    private static readonly SiliconCatalog Shipped = SiliconCatalog.Load(Path.Combine(SiliconBench.Tests.Planning.ShippedWorkloadsTests.WorkloadsFolder(), "silicon.yaml"));

    [Theory]
    [InlineData("NVIDIA H100 80GB HBM3", "h100-sxm5-80gb")]
    [InlineData("NVIDIA H100 PCIe", "h100-pcie-80gb")]
    [InlineData("NVIDIA H200", "h200-sxm-141gb")]
    [InlineData("NVIDIA B200", "b200-hgx")]
    [InlineData("NVIDIA GB200", "gb200-nvl72")]
    [InlineData("NVIDIA L4", "l4")]
    [InlineData("NVIDIA L40S", "l40s")]
    [InlineData("AMD Instinct MI300X", "mi300x")]
    [InlineData("AMD EPYC 9654 96-Core Processor", "epyc-9654")]
    public void Reported_names_map_to_their_entry(string reported, string id) =>
        Assert.Equal(id, Shipped.Find(reported)?.Id);

    [Fact]
    public void An_unknown_name_maps_to_nothing() => Assert.Null(Shipped.Find("Imaginary Accelerator 9000"));

    [Fact]
    public void Shipped_catalog_holds_the_reference_accelerators_with_sourced_figures()
    {
        Assert.Equal(22, Shipped.Entries.Count);
        var h100 = Shipped.ById("h100-sxm5-80gb")!;
        Assert.Equal(3.35, h100.BandwidthTbS.Value);
        Assert.Equal(989, h100.Bf16DenseTflops.Value);
        Assert.Equal(["S1"], h100.Bf16DenseTflops.Sources);
        Assert.Null(h100.Fp4DenseTflops.Value);
        Assert.All(Shipped.Entries.SelectMany(e => new[] { e.MemoryGb, e.BandwidthTbS, e.Bf16DenseTflops, e.Fp8DenseTflops, e.Fp4DenseTflops, e.TdpW }),
            f => Assert.True(f.Value is null ? f.Note is not null : f.Sources.Count > 0));
    }

    private const string Minimal = """
        sources:
          S1: "a datasheet"
        accelerators:
          - id: x1
            name: X1
            vendor: Acme
            match: ['X1']
            memory_gb: {value: 80, source: [S1]}
            bandwidth_tb_s: {value: 2, source: [S1]}
            bf16_dense_tflops: {value: 100, source: [S1]}
            fp8_dense_tflops: {value: null, note: none}
            fp4_dense_tflops: {value: null, note: none}
            tdp_w: {value: 300, source: [S1]}
        """;

    [Fact]
    public void Minimal_catalog_parses() => Assert.Equal("x1", SiliconCatalog.Parse(Minimal, "c.yaml").Find("acme x1")!.Id);

    [Theory]
    [InlineData("memory_gb: {value: 80, source: [S1]}", "memory_gb: {value: 80, source: [S9]}", 8, "accelerators[0].memory_gb.source[0]")]
    [InlineData("memory_gb: {value: 80, source: [S1]}", "memory_gb: {value: 80}", 8, "accelerators[0].memory_gb.value")]
    [InlineData("fp8_dense_tflops: {value: null, note: none}", "fp8_dense_tflops: {value: null}", 11, "accelerators[0].fp8_dense_tflops.value")]
    [InlineData("tdp_w: {value: 300, source: [S1]}", "tdp_w: {value: 300, source: [S1]}\n    colour: red", 14, "accelerators[0].colour")]
    public void Bad_catalog_entries_name_line_and_field(string from, string to, int line, string field)
    {
        var e = Assert.Throws<InputException>(() => SiliconCatalog.Parse(Minimal.Replace(from, to, StringComparison.Ordinal), "c.yaml"));

        Assert.Equal((line, field), (e.Line, e.Field));
    }
}
