using System.Text.RegularExpressions;
using SiliconBench.Analysis;
using SiliconBench.Metrics;
using SiliconBench.Records;
using SiliconBench.Testing;
using Xunit;

namespace SiliconBench.Tests.Metrics;

public sealed partial class MetricCatalogTests
{
    [GeneratedRegex("^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
    private static partial Regex SnakeCase();

    [Fact]
    public void Every_descriptor_is_complete_and_its_id_unique()
    {
        Assert.NotEmpty(MetricCatalog.All);
        Assert.All(MetricCatalog.All, d =>
        {
            Assert.Matches(SnakeCase(), d.Id);
            Assert.False(string.IsNullOrWhiteSpace(d.Label), d.Id);
            Assert.False(string.IsNullOrWhiteSpace(d.Short), d.Id);
            Assert.True(d.Definition.Length > 20, d.Id);
            Assert.Same(d, MetricCatalog.Find(d.Id));
        });
        Assert.Equal(MetricCatalog.All.Count, MetricCatalog.All.Select(d => d.Id).Distinct(StringComparer.Ordinal).Count());
    }

    /// <summary>The other direction of "the analyzer writes only through descriptors": nothing in a summary is unknown, or in the wrong place.</summary>
    [Theory]
    [MemberData(nameof(Summaries))]
    public void Every_metric_of_an_analyzed_summary_is_in_the_catalog_in_its_section(string path)
    {
        var summary = SummaryReader.Read(path);

        foreach (var set in summary.Points.Select(p => p.Metrics).Append(summary.Overall))
            Assert.All(set.Ids, id => Assert.False(MetricSections.InEnergyScopes(Section(id)) || Section(id) == MetricSection.Cost, id));
        foreach (var set in summary.Points.SelectMany(p => p.Energy.Values).Concat(summary.Energy.Values))
            Assert.All(set.Ids, id => Assert.True(MetricSections.InEnergyScopes(Section(id)), id));
    }

    public static TheoryData<string> Summaries()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepoPaths.Results, RunFiles.Summary, SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(file);
        return data;
    }

    private static MetricSection Section(string id) => (MetricCatalog.Find(id) ?? throw new Xunit.Sdk.XunitException($"{id} is not in the catalog")).Section;

    [Fact]
    public void Every_metric_the_analyzer_writes_for_the_data_cases_is_in_the_catalog()
    {
        foreach (var dir in Directory.GetDirectories(DataCases.Root("Analysis")))
        {
            var summary = Analyzer.Analyze(RunRecordReader.Read(dir));
            Assert.All(summary.Points.SelectMany(p => p.Metrics.Ids).Concat(summary.Overall.Ids), id => Assert.NotNull(MetricCatalog.Find(id)));
        }
    }

    [Theory]
    [InlineData("ttft", "ttft_ms")]
    [InlineData("output_token_per_s", "output_tokens_per_s")]
    [InlineData("tokens_per_joule", null)]
    public void A_misspelt_id_suggests_the_nearest_known_one(string id, string? expected) => Assert.Equal(expected, MetricCatalog.Suggest(id));

    [Fact]
    public void Numbers_are_shown_in_each_metrics_style()
    {
        Assert.Equal("0x4", MetricCatalog.ThrottleReasons.Format(4));
        Assert.Equal("12", MetricCatalog.SampleCount.Format(11.6));
        Assert.Equal("123.5", MetricCatalog.OutputTokensPerS.Format(123.456));
        Assert.Equal(NumberFormat.None, MetricCatalog.OutputTokensPerS.Format(null));
        Assert.Equal("Time to first token (ms)", MetricCatalog.TtftMs.Title);
        Assert.Equal("Decode ÷ memory-bandwidth roofline", MetricCatalog.DecodeRooflineFraction.Title);
    }

    [Theory]
    [InlineData(null, "—")]
    [InlineData(double.NaN, "—")]
    [InlineData(0.0, "0")]
    [InlineData(1234567.8, "1,234,568")]
    [InlineData(123.456, "123.5")]
    [InlineData(12.3456, "12.346")]
    [InlineData(0.0123456, "0.01235")]
    [InlineData(0.00001234, "1.234e-5")]
    public void Numbers_format_the_same_everywhere(double? value, string expected) => Assert.Equal(expected, NumberFormat.Display(value));

    [Fact]
    public void A_statistic_applies_by_shape()
    {
        Assert.Contains("p99", MetricCatalog.TtftMs.Statistics);
        Assert.DoesNotContain("value", MetricCatalog.TtftMs.Statistics);
        Assert.Equal(["value", "mean"], MetricCatalog.OutputTokensPerS.Statistics);
    }
}
