using System.Globalization;
using SiliconBench.Analysis;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace SiliconBench.Cli.Rendering;

/// <summary>The terminal view of a summary: headline metrics per operating point, then validity and energy status.</summary>
internal static class SummaryTable
{
    private static readonly (string Id, string Header)[] Columns =
    [
        (MetricIds.TtftMs, "TTFT p50"),
        (MetricIds.TpotMs, "TPOT p50"),
        (MetricIds.OutputTokensPerS, "out tok/s"),
        (MetricIds.PrefillTokensPerS, "prefill tok/s"),
        (MetricIds.DecodeTokensPerS, "decode tok/s"),
        (MetricIds.DecodeRooflineFraction, "dec/BW"),
        (MetricIds.PrefillRooflineFraction, "pre/GEMM"),
    ];

    public static IRenderable Render(Summary summary)
    {
        var table = new Table().Border(TableBorder.Simple).Title($"run {Markup.Escape(summary.RunId)}")
            .Caption("latencies in ms; dec/BW and pre/GEMM: realized ÷ measured roofline (decode vs memory bandwidth, prefill vs GEMM)");
        table.AddColumn(new TableColumn("point").NoWrap().PadLeft(0).PadRight(1));
        foreach (var (_, header) in Columns)
            table.AddColumn(new TableColumn(header).RightAligned().NoWrap().PadLeft(1).PadRight(0));
        foreach (var point in summary.Points)
            table.AddRow(new IRenderable[] { new Text(point.Point) }.Concat(Columns.Select(c => Cell(point.Metrics, c.Id))));
        table.AddRow(new IRenderable[] { new Markup("[bold]overall[/]") }.Concat(Columns.Select(c => Cell(summary.Overall, c.Id))));

        var v = summary.Validity;
        var lines = new List<IRenderable>
        {
            table,
            new Markup(v.Valid ? "[green]valid[/]" : $"[red]not valid[/]{(v.IncompleteReason is { } r ? ": " + Markup.Escape(r) : "")}"),
            new Markup($"measured requests {v.MeasuredRequests}, failed {v.FailedRequests}, window {Format(v.WindowS)} s"),
            new Markup($"energy: {Markup.Escape(v.Energy)}"),
        };
        foreach (var (scope, metrics) in summary.Energy)
            lines.Add(new Markup($"  {Markup.Escape(scope)}: {Format(metrics.Scalar("energy_j"))} J, {Format(metrics.Scalar("avg_power_w"))} W, {Format(metrics.Scalar("output_tokens_per_j"))} output tok/J"));
        if (summary.Serving is { } serving)
            lines.Add(new Markup(Markup.Escape($"serving sweep: knee at {serving.KneePoint ?? "none reached"}, stable envelope up to {serving.StableEnvelopePoint ?? "—"}, most goodput at {serving.MaxGoodputPoint ?? "— (no SLO)"}, most throughput at {serving.MaxThroughputPoint ?? "—"} ({serving.KneeRule})")));
        if (summary.Overall.Scalar(MetricIds.PrefixCacheHitFraction) is { } hit)
            lines.Add(new Markup(Markup.Escape($"prefix cache: {Format(hit)} of prompt tokens served from the server's cache; the workload shares {Format(summary.Overall.Scalar(MetricIds.PrefixCacheIntendedFraction))}; requests cached beyond that: {Format(summary.Overall.Scalar(MetricIds.PrefixCacheUnintendedRequests))}")));
        if (summary.Cost is { } cost)
            lines.Add(new Markup(Markup.Escape($"cost ({cost.Sheet}, {cost.Basis}): {Format(cost.UsdPerHour)} $/h, {Format(cost.UsdPerMillionOutputTokens)} $/M output tokens, {Format(cost.OutputTokensPerUsd)} output tokens/$")));
        foreach (var note in v.Notes)
            lines.Add(new Markup($"[grey]note: {Markup.Escape(note)}[/]"));
        return new Rows(lines);
    }

    private static IRenderable Cell(MetricSet metrics, string id)
    {
        var value = metrics[id] switch
        {
            ScalarMetric s => s.Value,
            Distribution d => d.P50,
            _ => (double?)null,
        };
        return new Markup(Format(value));
    }

    private static string Format(double? value) => value switch
    {
        null => "—",
        < 10 => value.Value.ToString("0.###", CultureInfo.InvariantCulture),
        < 1000 => value.Value.ToString("0.#", CultureInfo.InvariantCulture),
        _ => value.Value.ToString("N0", CultureInfo.InvariantCulture),
    };
}
