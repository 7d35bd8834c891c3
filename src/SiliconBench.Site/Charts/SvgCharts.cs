using System.Text;
using SiliconBench.Site.Text;

namespace SiliconBench.Site.Charts;

/// <summary>One mark on a scatter chart; <see cref="Label"/> is user text and is escaped when drawn.</summary>
internal sealed record ScatterPoint(double X, double Y, string Label, bool Frontier);

/// <summary>A series of marks; <see cref="Colour"/> picks the palette slot, so one silicon keeps its colour on every chart.</summary>
internal sealed record ScatterSeries(string Name, IReadOnlyList<ScatterPoint> Points, int Colour);

internal sealed record ScatterSpec(string Id, string Title, string XLabel, string YLabel, IReadOnlyList<ScatterSeries> Series)
{
    public string? Note { get; init; }
    public string EmptyText { get; init; } = "No data for this chart.";
}

internal sealed record LineSeries(string Name, IReadOnlyList<(double X, double Y)> Points);

/// <summary>A shaded time span behind a line chart; <see cref="Kind"/> is a CSS class (prefill, decode).</summary>
internal sealed record Span(double Start, double End, string Kind);

internal sealed record LineSpec(string Id, string Title, string XLabel, string YLabel, IReadOnlyList<LineSeries> Series)
{
    public IReadOnlyList<Span> Spans { get; init; } = [];
    /// <summary>Vertical markers (e.g. the measured window's edges) with a label each.</summary>
    public IReadOnlyList<(double X, string Label)> Markers { get; init; } = [];
    public bool IncludeZero { get; init; }
    public double? XMin { get; init; }
    public double? XMax { get; init; }
    public double? YMax { get; init; }
    public string? Note { get; init; }
    public string EmptyText { get; init; } = "No data for this chart.";
}

/// <summary>
/// Inline SVG charts: labelled axes with units, a legend, a &lt;title&gt; tooltip per mark, colours from
/// CSS classes (s0…s7, an Okabe–Ito palette with light and dark variants). No script.
/// </summary>
internal static class SvgCharts
{
    public const int PaletteSize = 8;
    private const double W = 640, H = 360, L = 72, R = 16, T = 14, B = 48;

    public static string Scatter(ScatterSpec spec)
    {
        var all = spec.Series.SelectMany(s => s.Points).ToList();
        var sb = new StringBuilder(1024 + all.Count * 160);
        sb.Append("<figure class=\"chart\" id=\"").Append(spec.Id).Append("\"><figcaption>").Append(Html.Escape(spec.Title)).Append("</figcaption>");
        if (all.Count == 0)
        {
            sb.Append("<p class=\"empty\">").Append(Html.Escape(spec.EmptyText)).Append("</p></figure>");
            return sb.ToString();
        }
        var x = new Axis(all.Min(p => p.X), all.Max(p => p.X), includeZero: true);
        var y = new Axis(all.Min(p => p.Y), all.Max(p => p.Y), includeZero: true);
        OpenSvg(sb, spec.Title, "scatter", all.Count);
        AxesAndGrid(sb, x, y, spec.XLabel, spec.YLabel);

        var frontier = all.Where(p => p.Frontier).OrderBy(p => p.X).ThenBy(p => p.Y).ToList();
        if (frontier.Count > 1)
        {
            sb.Append("<polyline class=\"frontier-line\" points=\"");
            AppendPoints(sb, frontier.Select(p => (p.X, p.Y)), x, y);
            sb.Append("\"><title>Pareto frontier</title></polyline>");
        }
        for (var i = 0; i < spec.Series.Count; i++)
        {
            var s = spec.Series[i];
            sb.Append("<g class=\"series s").Append(s.Colour % PaletteSize).Append("\" data-series=\"").Append(Html.Escape(s.Name))
              .Append("\" data-count=\"").Append(s.Points.Count).Append("\">");
            foreach (var p in s.Points)
            {
                sb.Append("<circle class=\"pt").Append(p.Frontier ? " frontier" : "").Append("\" cx=\"").Append(Format.Coord(x.Map(p.X, L, W - R)))
                  .Append("\" cy=\"").Append(Format.Coord(y.Map(p.Y, H - B, T))).Append("\" r=\"").Append(p.Frontier ? "5.5" : "4")
                  .Append('"').Append(p.Frontier ? " data-frontier=\"true\"" : "").Append("><title>")
                  .Append(Html.Escape(s.Name)).Append(" · ").Append(Html.Escape(p.Label)).Append(": ")
                  .Append(Html.Escape(spec.XLabel)).Append(" = ").Append(Format.Number(p.X)).Append(", ")
                  .Append(Html.Escape(spec.YLabel)).Append(" = ").Append(Format.Number(p.Y))
                  .Append(p.Frontier ? " (Pareto frontier)" : "").Append("</title></circle>");
            }
            sb.Append("</g>");
        }
        sb.Append("</svg>");
        Legend(sb, spec.Series.Select(s => (s.Name, s.Colour)).ToList(), frontier.Count > 0 ? "Pareto frontier (ringed marks)" : null);
        Note(sb, spec.Note);
        sb.Append("</figure>");
        return sb.ToString();
    }

    public static string Line(LineSpec spec)
    {
        var series = spec.Series.Where(s => s.Points.Count > 0).ToList();
        var total = series.Sum(s => s.Points.Count);
        var sb = new StringBuilder(1024 + total * 14);
        sb.Append("<figure class=\"chart\" id=\"").Append(spec.Id).Append("\"><figcaption>").Append(Html.Escape(spec.Title)).Append("</figcaption>");
        if (total == 0)
        {
            sb.Append("<p class=\"empty\">").Append(Html.Escape(spec.EmptyText)).Append("</p></figure>");
            return sb.ToString();
        }
        var pts = series.SelectMany(s => s.Points).ToList();
        var x = new Axis(spec.XMin ?? pts.Min(p => p.X), spec.XMax ?? pts.Max(p => p.X), includeZero: false, targetTicks: 8);
        var y = new Axis(pts.Min(p => p.Y), spec.YMax ?? pts.Max(p => p.Y), spec.IncludeZero);
        OpenSvg(sb, spec.Title, "line", total);
        foreach (var span in spec.Spans)
        {
            var x0 = Math.Clamp(x.Map(span.Start, L, W - R), L, W - R);
            var x1 = Math.Clamp(x.Map(span.End, L, W - R), L, W - R);
            sb.Append("<rect class=\"span ").Append(span.Kind).Append("\" x=\"").Append(Format.Coord(x0)).Append("\" y=\"").Append(Format.Coord(T))
              .Append("\" width=\"").Append(Format.Coord(Math.Max(x1 - x0, 0.5))).Append("\" height=\"").Append(Format.Coord(H - B - T)).Append("\"/>");
        }
        AxesAndGrid(sb, x, y, spec.XLabel, spec.YLabel);
        foreach (var (mx, label) in spec.Markers)
        {
            var px = Format.Coord(Math.Clamp(x.Map(mx, L, W - R), L, W - R));
            sb.Append("<line class=\"marker\" x1=\"").Append(px).Append("\" x2=\"").Append(px).Append("\" y1=\"").Append(Format.Coord(T))
              .Append("\" y2=\"").Append(Format.Coord(H - B)).Append("\"><title>").Append(Html.Escape(label)).Append(" at ")
              .Append(Format.Number(mx)).Append("</title></line>");
        }
        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            sb.Append("<g class=\"series s").Append(i % PaletteSize).Append("\" data-series=\"").Append(Html.Escape(s.Name))
              .Append("\" data-count=\"").Append(s.Points.Count).Append("\"><polyline class=\"ln\" points=\"");
            AppendPoints(sb, s.Points, x, y);
            sb.Append("\"><title>").Append(Html.Escape(s.Name)).Append(" (").Append(s.Points.Count).Append(" points)</title></polyline></g>");
        }
        sb.Append("</svg>");
        var extras = spec.Spans.Select(s => s.Kind).Distinct().Order(StringComparer.Ordinal).ToList();
        Legend(sb, series.Select((s, i) => (s.Name, i)).ToList(), null, extras);
        Note(sb, spec.Note);
        sb.Append("</figure>");
        return sb.ToString();
    }

    private static void OpenSvg(StringBuilder sb, string title, string kind, int points)
    {
        sb.Append("<svg class=\"plot\" viewBox=\"0 0 ").Append(W).Append(' ').Append(H).Append("\" role=\"img\" data-chart=\"").Append(kind)
          .Append("\" data-points=\"").Append(points).Append("\"><title>").Append(Html.Escape(title)).Append("</title>");
    }

    private static void AxesAndGrid(StringBuilder sb, Axis x, Axis y, string xLabel, string yLabel)
    {
        sb.Append("<g class=\"axis\">");
        foreach (var t in x.Ticks)
        {
            var px = Format.Coord(x.Map(t, L, W - R));
            sb.Append("<line class=\"grid\" x1=\"").Append(px).Append("\" x2=\"").Append(px).Append("\" y1=\"").Append(T).Append("\" y2=\"").Append(H - B).Append("\"/>")
              .Append("<text x=\"").Append(px).Append("\" y=\"").Append(H - B + 16).Append("\" class=\"tx\">").Append(x.Label(t)).Append("</text>");
        }
        foreach (var t in y.Ticks)
        {
            var py = Format.Coord(y.Map(t, H - B, T));
            sb.Append("<line class=\"grid\" x1=\"").Append(L).Append("\" x2=\"").Append(W - R).Append("\" y1=\"").Append(py).Append("\" y2=\"").Append(py).Append("\"/>")
              .Append("<text x=\"").Append(L - 6).Append("\" y=\"").Append(py).Append("\" class=\"ty\">").Append(y.Label(t)).Append("</text>");
        }
        sb.Append("<line class=\"frame\" x1=\"").Append(L).Append("\" x2=\"").Append(W - R).Append("\" y1=\"").Append(H - B).Append("\" y2=\"").Append(H - B).Append("\"/>")
          .Append("<line class=\"frame\" x1=\"").Append(L).Append("\" x2=\"").Append(L).Append("\" y1=\"").Append(T).Append("\" y2=\"").Append(H - B).Append("\"/>")
          .Append("<text class=\"xl\" x=\"").Append((L + W - R) / 2).Append("\" y=\"").Append(H - 8).Append("\">").Append(Html.Escape(xLabel)).Append("</text>")
          .Append("<text class=\"yl\" transform=\"translate(16 ").Append((T + H - B) / 2).Append(") rotate(-90)\">").Append(Html.Escape(yLabel)).Append("</text></g>");
    }

    private static void AppendPoints(StringBuilder sb, IEnumerable<(double X, double Y)> points, Axis x, Axis y)
    {
        var first = true;
        foreach (var (px, py) in points)
        {
            if (!first)
                sb.Append(' ');
            first = false;
            sb.Append(Format.Coord(x.Map(px, L, W - R))).Append(',').Append(Format.Coord(y.Map(py, H - B, T)));
        }
    }

    private static void Legend(StringBuilder sb, List<(string Name, int Colour)> series, string? frontier, IReadOnlyList<string>? spans = null)
    {
        sb.Append("<ul class=\"legend\">");
        for (var i = 0; i < series.Count; i++)
            sb.Append("<li><span class=\"sw s").Append(series[i].Colour % PaletteSize).Append("\"></span>").Append(Html.Escape(series[i].Name)).Append("</li>");
        if (frontier is not null)
            sb.Append("<li><span class=\"sw frontier\"></span>").Append(frontier).Append("</li>");
        foreach (var kind in spans ?? [])
            sb.Append("<li><span class=\"sw span ").Append(kind).Append("\"></span>").Append(kind).Append(" steps (shaded)</li>");
        sb.Append("</ul>");
    }

    private static void Note(StringBuilder sb, string? note)
    {
        if (!string.IsNullOrEmpty(note))
            sb.Append("<p class=\"note\">").Append(Html.Escape(note)).Append("</p>");
    }
}
