using SiliconBench.Costs;
using SiliconBench.Diagnostics;
using Xunit;

namespace SiliconBench.Tests.Costs;

public sealed class CostSheetLoaderTests
{
    private const string Cloud = """
        name: test-cloud
        system: 1x test accelerator
        as_of: 2026-04-03
        cloud:
          usd_per_hour: {value: 2.5, source: "price page"}
        """;

    private const string Owned = """
        name: test-owned
        system: 8x test accelerator
        accelerators: 8
        as_of: 2026-04-03
        owned:
          capex_usd: {value: 300000, source: "quote"}
          amortization_years: {value: 5, source: "policy"}
          cost_of_capital: {value: 0.08, source: "treasury"}
          hosting_usd_per_kw_month: {value: 180, source: "colo contract"}
          provisioned_kw: {value: 10, source: "colo contract"}
          energy_usd_per_kwh: {value: 0.08, source: "utility bill"}
          pue: {value: 1.4, source: "facility"}
        """;

    [Fact]
    public void Reads_a_cloud_sheet_with_its_sources()
    {
        var sheet = CostSheetLoader.Parse(Cloud, "cloud.yaml");

        Assert.Equal("test-cloud", sheet.Name);
        Assert.Equal(1, sheet.Accelerators);
        Assert.Equal(new SourcedValue(2.5, "price page"), sheet.Cloud!.UsdPerHour);
        Assert.Null(sheet.Owned);
        Assert.Equal(CostSheetLoader.Sha256Hex(Cloud), sheet.ContentSha256);
    }

    [Fact]
    public void Reads_an_owned_sheet()
    {
        var sheet = CostSheetLoader.Parse(Owned, "owned.yaml");

        Assert.Equal(8, sheet.Accelerators);
        Assert.Equal(0.08, sheet.Owned!.CostOfCapital.Value);
        Assert.Equal("facility", sheet.Owned.Pue.Source);
    }

    [Fact]
    public void A_different_text_has_a_different_hash()
    {
        var a = CostSheetLoader.Parse(Cloud, "a.yaml");
        var b = CostSheetLoader.Parse(Cloud.Replace("2.5", "2.6", StringComparison.Ordinal), "b.yaml");

        Assert.NotEqual(a.ContentSha256, b.ContentSha256);
    }

    [Theory]
    [InlineData("usd_per_hour: {value: 2.5, source: \"price page\"}", "usd_per_hour: {value: 2.5, source: \"\"}", 5, "cloud.usd_per_hour.source")]
    [InlineData("usd_per_hour: {value: 2.5, source: \"price page\"}", "usd_per_hour: {value: 2.5}", 5, "cloud.usd_per_hour.source")]
    [InlineData("usd_per_hour: {value: 2.5, source: \"price page\"}", "usd_per_hour: {value: -1, source: x}", 5, "cloud.usd_per_hour.value")]
    [InlineData("usd_per_hour: {value: 2.5, source: \"price page\"}", "usd_per_hour: 2.5", 5, "cloud.usd_per_hour")]
    [InlineData("as_of: 2026-04-03", "as_of: 2026-04-03\ncolour: red", 4, "colour")]
    public void Bad_cloud_sheets_name_file_line_and_field(string from, string to, int line, string field)
    {
        var e = Assert.Throws<InputException>(() => CostSheetLoader.Parse(Cloud.Replace(from, to, StringComparison.Ordinal), "cloud.yaml"));

        Assert.Equal("cloud.yaml", e.File);
        Assert.Equal(line, e.Line);
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void Negative_owned_input_is_rejected()
    {
        var e = Assert.Throws<InputException>(() => CostSheetLoader.Parse(Owned.Replace("{value: 180,", "{value: -180,", StringComparison.Ordinal), "owned.yaml"));

        Assert.Equal(9, e.Line);
        Assert.Equal("owned.hosting_usd_per_kw_month.value", e.Field);
    }

    [Fact]
    public void Both_cloud_and_owned_is_rejected_at_owned()
    {
        var both = Cloud + "\nowned:\n  capex_usd: {value: 1, source: x}\n";

        var e = Assert.Throws<InputException>(() => CostSheetLoader.Parse(both, "both.yaml"));

        Assert.Equal(6, e.Line);
        Assert.Contains("not both", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Neither_cloud_nor_owned_is_rejected()
    {
        var neither = Cloud[..Cloud.IndexOf("cloud:", StringComparison.Ordinal)];

        var e = Assert.Throws<InputException>(() => CostSheetLoader.Parse(neither, "neither.yaml"));

        Assert.Contains("missing 'cloud'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_owned_input_is_named()
    {
        var e = Assert.Throws<InputException>(() => CostSheetLoader.Parse(Owned.Replace("  pue: {value: 1.4, source: \"facility\"}", "", StringComparison.Ordinal), "owned.yaml"));

        Assert.Equal("owned.pue", e.Field);
    }

    [Fact]
    public void Pue_below_one_is_rejected()
    {
        var e = Assert.Throws<InputException>(() => CostSheetLoader.Parse(Owned.Replace("value: 1.4", "value: 0.9", StringComparison.Ordinal), "owned.yaml"));

        Assert.Equal("owned.pue", e.Field);
    }

    [Fact]
    public void Malformed_yaml_names_the_line()
    {
        var e = Assert.Throws<InputException>(() => CostSheetLoader.Parse("name: x\ncloud: {usd_per_hour: [\n", "bad.yaml"));

        Assert.Equal("bad.yaml", e.File);
        Assert.NotNull(e.Line);
    }

    [Fact]
    public void Shipped_cost_sheets_load()
    {
        var dir = Path.Combine(SiliconBench.Tests.Planning.ShippedWorkloadsTests.WorkloadsFolder(), "costs");
        var files = Directory.GetFiles(dir, "*.yaml");

        Assert.NotEmpty(files);
        foreach (var file in files)
            Assert.NotNull(CostSheetLoader.Load(file));
    }
}
