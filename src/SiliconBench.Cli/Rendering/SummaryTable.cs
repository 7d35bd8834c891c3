using SiliconBench.Analysis;
using SiliconBench.Metrics;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SiliconBench.Cli.Rendering;

/// <summary>The terminal view of a summary: headline metrics per operating point, then validity and energy status.</summary>
internal static class SummaryTable
{
    /// <summary>Columns of the table; a distribution shows its median.</summary>
    private static readonly MetricDescriptor[] Columns =
    [
        MetricCatalog.TtftMs, MetricCatalog.TpotMs, MetricCatalog.OutputTokensPerS, MetricCatalog.PrefillTokensPerS,
        MetricCatalog.DecodeTokensPerS, MetricCatalog.DecodeRooflineFraction, MetricCatalog.PrefillRooflineFraction,
    ];

    private static readonly MetricDescriptor[] EnergyLine = [MetricCatalog.EnergyJ, MetricCatalog.AvgPowerW, MetricCatalog.OutputTokensPerJ];

    public static IRenderable Render(Summary summary)
    {
        var table = new Table().Border(TableBorder.Simple).Title($"run {Markup.Escape(summary.RunId)}")
            .Caption("latencies in ms; dec/BW and pre/GEMM: realized ÷ measured roofline (decode vs memory bandwidth, prefill vs GEMM)");
        table.AddColumn(new TableColumn("point").NoWrap().PadLeft(0).PadRight(1));
        foreach (var metric in Columns)
            table.AddColumn(new TableColumn(metric.Shape == MetricShape.Distribution ? metric.Short + " p50" : metric.Short).RightAligned().NoWrap().PadLeft(1).PadRight(0));
        foreach (var point in summary.Points)
            table.AddRow(new IRenderable[] { new Text(point.Point) }.Concat(Columns.Select(c => Cell(point.Metrics, c))));
        table.AddRow(new IRenderable[] { new Markup("[bold]overall[/]") }.Concat(Columns.Select(c => Cell(summary.Overall, c))));

        var v = summary.Validity;
        var lines = new List<IRenderable>
        {
            table,
            new Markup(v.Valid ? "[green]valid[/]" : $"[red]not valid[/]{(v.IncompleteReason is { } r ? ": " + Markup.Escape(r) : "")}"),
            new Markup($"measured requests {v.MeasuredRequests}, failed {v.FailedRequests}, window {NumberFormat.Display(v.WindowS)} s"),
            new Markup($"energy: {Markup.Escape(v.Energy)}"),
        };
        foreach (var (scope, metrics) in summary.Energy)
            lines.Add(new Markup(Markup.Escape($"  {scope}: " + string.Join(", ", EnergyLine.Select(m => $"{m.Format(metrics.Scalar(m))} {m.Unit}")))));
        if (summary.Serving is { } serving)
            lines.Add(new Markup(Markup.Escape($"serving sweep: knee at {serving.KneePoint ?? "none reached"}, stable envelope up to {serving.StableEnvelopePoint ?? "—"}, most goodput at {serving.MaxGoodputPoint ?? "— (no SLO)"}, most throughput at {serving.MaxThroughputPoint ?? "—"} ({serving.KneeRule})")));
        if (summary.Overall.Scalar(MetricCatalog.PrefixCacheHitFraction) is { } hit)
            lines.Add(new Markup(Markup.Escape($"prefix cache: {MetricCatalog.PrefixCacheHitFraction.Format(hit)} of prompt tokens served from the server's cache; the workload shares {MetricCatalog.PrefixCacheIntendedFraction.Format(summary.Overall.Scalar(MetricCatalog.PrefixCacheIntendedFraction))}; requests cached beyond that: {MetricCatalog.PrefixCacheUnintendedRequests.Format(summary.Overall.Scalar(MetricCatalog.PrefixCacheUnintendedRequests))}")));
        if (summary.Cost is { } cost)
        {
            var figures = new[] { (MetricCatalog.UsdPerHour, cost.UsdPerHour), (MetricCatalog.UsdPerMillionOutputTokens, cost.UsdPerMillionOutputTokens), (MetricCatalog.OutputTokensPerUsd, cost.OutputTokensPerUsd) };
            lines.Add(new Markup(Markup.Escape($"cost ({cost.Sheet}, {cost.Basis}): " + string.Join(", ", figures.Select(f => $"{f.Item1.Format(f.Item2)} {f.Item1.Unit}")))));
        }
        foreach (var note in v.Notes)
            lines.Add(new Markup($"[grey]note: {Markup.Escape(note)}[/]"));
        return new Rows(lines);
    }

    private static Markup Cell(MetricSet metrics, MetricDescriptor metric)
    {
        var value = metrics[metric] switch
        {
            ScalarMetric s => s.Value,
            Distribution d => d.P50,
            _ => (double?)null,
        };
        return new Markup(Markup.Escape(metric.Format(value)));
    }
}
