using SiliconBench.Site.Charts;
using SiliconBench.Site.Loading;
using SiliconBench.Site.Text;
using Xunit;

namespace SiliconBench.Tests.Site;

public class SiteBuildingBlocksTests
{
    [Fact]
    public void Frontier_keeps_undominated_points_for_each_direction_of_better()
    {
        (double, double)[] points = [(1, 1), (2, 3), (3, 2), (2, 3), (0.5, 0.5), (3, 1)];
        Assert.Equal([false, true, true, true, false, false], Pareto.Frontier(points, xHigherIsBetter: true, yHigherIsBetter: true));
        // Lower x better (latency), higher y better (tokens/J).
        Assert.Equal([true, true, false, true, true, false], Pareto.Frontier(points, xHigherIsBetter: false, yHigherIsBetter: true));
        Assert.Empty(Pareto.Frontier([], true, true));
    }

    [Fact]
    public void MinMax_downsampling_fits_the_budget_keeps_order_and_the_spike()
    {
        var series = Enumerable.Range(0, 100_000).Select(i => ((double)i, i == 54_321 ? 999.0 : Math.Sin(i / 100.0))).ToList();
        var cut = Downsample.MinMax(series, 2000);
        Assert.InRange(cut.Count, 1000, 2000);
        Assert.Contains(cut, p => p.Y == 999.0);
        Assert.True(cut.Zip(cut.Skip(1)).All(pair => pair.First.X < pair.Second.X));
        Assert.Same(series, Downsample.MinMax(series, 200_000));
    }

    [Fact]
    public void Slugs_are_safe_stable_and_keep_different_names_apart()
    {
        Assert.Equal("h100-energy", Slug.From("h100-energy"));
        var hostile = Slug.From("../<script>alert(1)</script>");
        Assert.Matches("^[a-z0-9-]+$", hostile);
        Assert.Equal(hostile, Slug.From("../<script>alert(1)</script>"));
        Assert.NotEqual(Slug.From("Run A"), Slug.From("run-a"));
        Assert.Matches("^[0-9a-f]{8}$", Slug.From("日本語"));
    }

    [Fact]
    public void Html_escape_covers_markup_and_attribute_quotes()
    {
        Assert.Equal("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;", Html.Escape("<a href=\"x\" title='y'>&</a>"));
        Assert.Equal("", Html.Escape(null));
        Assert.Equal("plain", Html.Escape("plain"));
    }

    [Fact]
    public void A_summary_the_analyzer_could_not_have_written_is_skipped_naming_file_line_and_field()
    {
        var results = RenderedSite.NewOutputDirectory();
        var run = Path.Combine(results, "old");
        Directory.CreateDirectory(run);
        foreach (var file in Directory.GetFiles(Path.Combine(RenderedSite.ResultsDirectory, "h100-energy")))
            File.Copy(file, Path.Combine(run, Path.GetFileName(file)));
        var summary = Path.Combine(run, "summary.json");
        File.WriteAllText(summary, File.ReadAllText(summary).Replace("\"provenance\": \"measured\",", "", StringComparison.Ordinal));

        var loaded = RunLoader.TryLoad(run, out var problem);

        Assert.Null(loaded);
        Assert.Matches(@"^old: skipped, summary\.json unreadable: .*summary\.json:\d+: points\[0\]\.energy: energy scope 'accelerator' has no provenance", problem);
    }

    [Fact]
    public void Axis_ticks_are_round_numbers_that_cover_the_data()
    {
        var axis = new Axis(3, 97, includeZero: true);
        Assert.Equal(0, axis.Min);
        Assert.True(axis.Max >= 97);
        Assert.Equal(["0", "20", "40", "60", "80", "100"], axis.Ticks.Select(axis.Label));
        var flat = new Axis(12, 12 + 1e-14, includeZero: false);
        Assert.True(flat.Max - flat.Min > 1);
    }
}
