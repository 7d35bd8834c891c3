using System.Text.Json;
using SiliconBench.Analysis;
using SiliconBench.Costs;
using SiliconBench.Metrics;
using Xunit;

namespace SiliconBench.Tests.Costs;

/// <summary>
/// Each folder under Data/Costs holds a cost sheet, the measured inputs (throughput, power per scope) and the cost
/// section worked out by hand in notes.md; <see cref="CostAnalysis.Price"/> must reproduce it.
/// </summary>
public sealed class CostDataCaseTests
{
    private static readonly string CasesRoot = DataCases.Root("Costs");

    public static TheoryData<string> Cases() => DataCases.In("Costs");

    [Fact]
    public void Every_required_case_is_present()
    {
        var cases = Cases().Select(row => row.Data).Order(StringComparer.Ordinal);
        Assert.Equal(["cloud-rental", "no-measured-power", "owned-annuity", "owned-straight-line", "pue-broadest-scope"], cases);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Cost_section_matches_the_hand_worked_expectation(string name)
    {
        var dir = Path.Combine(CasesRoot, name);
        var sheet = CostSheetLoader.Load(Path.Combine(dir, "sheet.yaml"));
        using var inputs = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "inputs.json")));
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "expected.json")));
        var metrics = new MetricSet();
        metrics.Set(MetricCatalog.OutputTokensPerS, inputs.RootElement.GetProperty("output_tokens_per_s").GetDouble());
        metrics.Set(MetricCatalog.TotalTokensPerS, inputs.RootElement.GetProperty("total_tokens_per_s").GetDouble());
        var energy = new Dictionary<string, MetricSet>();
        foreach (var scope in inputs.RootElement.GetProperty("energy").EnumerateObject())
        {
            var m = new MetricSet();
            m.Set(MetricCatalog.AvgPowerW, scope.Value.GetDouble());
            energy[scope.Name] = m;
        }

        var cost = CostAnalysis.Price(sheet, inputs.RootElement.GetProperty("run_accelerators").GetInt32(), metrics, energy);

        var e = expected.RootElement;
        Assert.Equal(e.GetProperty("basis").GetString(), cost.Basis);
        Assert.Equal(e.GetProperty("power_scope").ValueKind == JsonValueKind.Null ? null : e.GetProperty("power_scope").GetString(), cost.PowerScope);
        foreach (var (metric, actual) in cost.Figures)
        {
            var id = metric.Id;
            var want = e.GetProperty(id);
            if (want.ValueKind == JsonValueKind.Null)
                Assert.Null(actual);
            else
                AssertClose(want.GetDouble(), actual, $"{name}: {id}");
        }
        Assert.Equal(64, cost.SheetSha256.Length);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_case_documents_its_hand_calculation(string name) =>
        Assert.True(File.Exists(Path.Combine(CasesRoot, name, "notes.md")), $"{name}/notes.md is missing");

    private static void AssertClose(double expected, double? actual, string what)
    {
        Assert.True(actual is { } a && Math.Abs(a - expected) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"{what}: expected {expected}, got {actual}");
    }
}
