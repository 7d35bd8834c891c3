using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SiliconBench.Analysis;
using SiliconBench.Metrics;

namespace SiliconBench.Comparing;

/// <summary>A metric compare shows, at one statistic; its label and which way is better come from the catalog.</summary>
public sealed record HeadlineMetric(MetricDescriptor Metric, string Statistic)
{
    /// <summary>"out tok/s", "TTFT p99 ms": the catalog's short name, the statistic of a distribution, and its unit.</summary>
    public string Label => Metric.Shape == MetricShape.Distribution ? $"{Metric.Short} {Statistic} {Metric.Unit}" : Metric.Short;

    public bool HigherIsBetter => Metric.Better == Better.Higher;
}

/// <summary>
/// One candidate's value of one metric at one point: the per-repetition values, their estimate (interval when
/// n ≥ 2) and, for candidates after the first, the difference from the first and Welch's test of it.
/// </summary>
public sealed record ComparisonCell
{
    public required string Candidate { get; init; }
    /// <summary>The run directories the values came from, in order (one per repetition that had the value).</summary>
    public IReadOnlyList<string> RunDirs { get; init; } = [];
    public IReadOnlyList<double> Values { get; init; } = [];
    public RepeatEstimate? Estimate { get; init; }
    /// <summary>Why there is no value (not measured, not priced, no such point).</summary>
    public string? Missing { get; init; }
    /// <summary>(mean − first candidate's mean) ÷ first candidate's mean × 100.</summary>
    public double? DifferencePct { get; init; }
    public WelchTest? Test { get; init; }
}

public sealed record ComparisonRow(string Point, HeadlineMetric Metric, IReadOnlyList<ComparisonCell> Cells);

/// <summary>
/// Side-by-side comparison of candidates per operating point and headline metric (overall first, then the points
/// in order of first appearance). The first candidate is the baseline the others are tested against.
/// </summary>
public sealed record Comparison(IReadOnlyList<string> Candidates, IReadOnlyList<ComparisonRow> Rows, double Confidence)
{
    public const string OverallPoint = "overall";

    public static readonly IReadOnlyList<HeadlineMetric> Headlines =
    [
        new(MetricCatalog.OutputTokensPerS, MetricStatistics.Value),
        new(MetricCatalog.TtftMs, "p50"),
        new(MetricCatalog.TtftMs, "p99"),
        new(MetricCatalog.TpotMs, "p50"),
        new(MetricCatalog.OutputTokensPerJ, MetricStatistics.Value),
        new(MetricCatalog.UsdPerMillionOutputTokens, MetricStatistics.Value),
    ];

    /// <summary>Each run is its own candidate, named by its directory.</summary>
    public static Comparison Build(IReadOnlyList<(string RunDir, Summary Summary)> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return Build([.. runs.Select(r => new Candidate(Path.GetFileName(Path.TrimEndingDirectorySeparator(r.RunDir)), [new RunSummary(r.RunDir, r.Summary)]))]);
    }

    public static Comparison Build(IReadOnlyList<Candidate> candidates, double confidence = RepeatStatistics.DefaultConfidence)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count == 0)
            throw new ArgumentException("nothing to compare", nameof(candidates));
        var points = new List<string> { OverallPoint };
        foreach (var p in candidates.SelectMany(c => c.Runs).SelectMany(r => r.Summary.Points).Select(p => p.Point))
        {
            if (!points.Contains(p))
                points.Add(p);
        }

        var rows = new List<ComparisonRow>();
        foreach (var point in points)
        {
            foreach (var metric in Headlines)
            {
                var cells = new List<ComparisonCell>();
                foreach (var c in candidates)
                    cells.Add(Cell(c, point, metric, confidence, cells.Count == 0 ? null : cells[0]));
                rows.Add(new ComparisonRow(point, metric, cells));
            }
        }
        return new Comparison([.. candidates.Select(c => c.Name)], rows, confidence);
    }

    private static ComparisonCell Cell(Candidate c, string point, HeadlineMetric metric, double confidence, ComparisonCell? baseline)
    {
        var dirs = new List<string>();
        var values = new List<double>();
        string? missing = null;
        foreach (var run in c.Runs)
        {
            var found = MetricLookup.Find(run.Summary, point == OverallPoint ? null : point, metric.Metric, metric.Statistic);
            if (found.Value is { } v)
            {
                dirs.Add(run.RunDir);
                values.Add(v);
            }
            else
            {
                missing ??= found.Missing;
            }
        }
        if (values.Count == 0)
            return new ComparisonCell { Candidate = c.Name, Missing = missing ?? "no value" };
        var estimate = RepeatStatistics.Of(values, confidence);
        double? diff = null;
        WelchTest? test = null;
        if (baseline?.Estimate is { } b)
        {
            diff = b.Mean != 0 ? (estimate.Mean - b.Mean) / b.Mean * 100 : null;
            test = RepeatStatistics.Welch(baseline.Values, values);
        }
        return new ComparisonCell { Candidate = c.Name, RunDirs = dirs, Values = values, Estimate = estimate, DifferencePct = diff, Test = test };
    }

    /// <summary>A number for people: 4 significant digits, invariant culture.</summary>
    public static string Format(double value) =>
        double.IsFinite(value) ? value.ToString(Math.Abs(value) >= 1e5 ? "0.###e0" : "G4", CultureInfo.InvariantCulture) : value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A cell as text: mean, "± half-width (n)" when there is an interval, "n/a" with the reason otherwise.</summary>
    public static string Describe(ComparisonCell cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        if (cell.Estimate is not { } e)
            return "n/a";
        var text = Format(e.Mean);
        if (e.HasInterval)
            text += $" ± {Format((e.High!.Value - e.Low!.Value) / 2)} (n={e.N})";
        if (cell.DifferencePct is { } d)
            text += $" [{(d >= 0 ? "+" : "")}{d.ToString("0.0", CultureInfo.InvariantCulture)}%";
        if (cell.Test is { } t)
            text += $", p={t.PValue.ToString("0.###", CultureInfo.InvariantCulture)}";
        if (cell.DifferencePct is not null)
            text += "]";
        return text;
    }

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("# Comparison\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"Baseline: `{Candidates[0]}`. Intervals are {Confidence * 100:0.#}% Student-t over repetitions (shown when n ≥ 2); ");
        sb.Append("[Δ%, p] is the difference from the baseline and Welch's t-test p-value.\n\n");
        foreach (var group in Rows.GroupBy(r => r.Point))
        {
            sb.Append(CultureInfo.InvariantCulture, $"## {group.Key}\n\n| metric | {string.Join(" | ", Candidates)} |\n|---|{string.Concat(Candidates.Select(_ => "---|"))}\n");
            foreach (var row in group)
                sb.Append(CultureInfo.InvariantCulture, $"| {row.Metric.Label} | {string.Join(" | ", row.Cells.Select(Describe))} |\n");
            sb.Append('\n');
        }
        return sb.ToString();
    }

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("confidence", Confidence);
            w.WriteStartArray("candidates");
            foreach (var c in Candidates)
                w.WriteStringValue(c);
            w.WriteEndArray();
            w.WriteStartArray("rows");
            foreach (var row in Rows)
            {
                w.WriteStartObject();
                w.WriteString("point", row.Point);
                w.WriteString("metric", row.Metric.Metric.Id);
                w.WriteString("statistic", row.Metric.Statistic);
                w.WriteBoolean("higher_is_better", row.Metric.HigherIsBetter);
                w.WriteStartArray("cells");
                foreach (var cell in row.Cells)
                {
                    w.WriteStartObject();
                    w.WriteString("candidate", cell.Candidate);
                    WriteNumbers(w, "values", cell.Values);
                    w.WriteStartArray("run_dirs");
                    foreach (var d in cell.RunDirs)
                        w.WriteStringValue(d);
                    w.WriteEndArray();
                    Number(w, "mean", cell.Estimate?.Mean);
                    Number(w, "low", cell.Estimate?.Low);
                    Number(w, "high", cell.Estimate?.High);
                    w.WriteNumber("n", cell.Values.Count);
                    Number(w, "difference_pct", cell.DifferencePct);
                    Number(w, "p_value", cell.Test?.PValue);
                    if (cell.Missing is null)
                        w.WriteNull("missing");
                    else
                        w.WriteString("missing", cell.Missing);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WriteNumbers(Utf8JsonWriter w, string name, IReadOnlyList<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
            w.WriteNumberValue(SummaryWriter.Round(v));
        w.WriteEndArray();
    }

    private static void Number(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
            w.WriteNumber(name, SummaryWriter.Round(v));
        else
            w.WriteNull(name);
    }
}
