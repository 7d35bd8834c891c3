using System.Globalization;
using System.Text;
using SiliconBench.Analysis;
using SiliconBench.Costs;
using SiliconBench.Metrics;
using SiliconBench.Site.Loading;

namespace SiliconBench.Site.Pages;

/// <summary>Flat CSV views of summaries for spreadsheets: one file per run, one row per run for all runs.</summary>
internal static class SummaryCsv
{
    public static string ForRun(SiteRun run)
    {
        var sb = new StringBuilder("section,point,scope,metric,stat,value\n");
        var s = run.Summary;
        AppendSet(sb, "overall", "", "", s.Overall);
        foreach (var (scope, metrics) in s.Energy)
            AppendSet(sb, "energy", "", scope, metrics);
        AppendCost(sb, "cost", "", s.Cost);
        foreach (var p in s.Points)
        {
            AppendSet(sb, "point", p.Point, "", p.Metrics);
            foreach (var (scope, metrics) in p.Energy)
                AppendSet(sb, "point_energy", p.Point, scope, metrics);
            AppendCost(sb, "point_cost", p.Point, p.Cost);
        }
        return sb.ToString();
    }

    public static string AllRuns(IEnumerable<SiteRun> runs)
    {
        var sb = new StringBuilder("run_id,workload,profile,silicon,model,backend,device,complete,valid,output_tokens_per_s,interactivity_tok_s_user,goodput_requests_per_s,ttft_p99_ms,energy_scope,output_tokens_per_j,output_tokens_per_usd,usd_per_million_output_tokens\n");
        foreach (var r in runs)
        {
            var o = r.Summary.Overall;
            var e = r.PrimaryEnergy;
            string[] cells =
            [
                r.RunId, r.Manifest.Workload.Name, r.Manifest.Workload.Profile, r.SiliconKey, r.Manifest.Model.Name, r.Manifest.Backend.Id, r.Manifest.Backend.Device,
                r.Complete ? "true" : "false", r.Summary.Validity.Valid ? "true" : "false",
                Num(o.Scalar(MetricCatalog.OutputTokensPerS)), Num(o.Scalar(MetricCatalog.InteractivityTokSUser)), Num(o.Scalar(MetricCatalog.GoodputRequestsPerS)),
                Num(o.DistributionOf(MetricCatalog.TtftMs)?.P99), e?.Scope ?? "", Num(e?.Metrics.Scalar(MetricCatalog.OutputTokensPerJ)),
                Num(r.Summary.Cost?.OutputTokensPerUsd), Num(r.Summary.Cost?.UsdPerMillionOutputTokens),
            ];
            sb.AppendJoin(',', cells.Select(Cell)).Append('\n');
        }
        return sb.ToString();
    }

    private static void AppendSet(StringBuilder sb, string section, string point, string scope, MetricSet set)
    {
        if (set.Provenance is { } provenance)
            Row(sb, section, point, scope, "provenance", "", ProvenanceText.Of(provenance));
        foreach (var (id, v) in set.Entries)
        {
            if (v is Distribution d)
            {
                foreach (var (stat, value) in new[] { ("mean", d.Mean), ("p50", d.P50), ("p90", d.P90), ("p95", d.P95), ("p99", d.P99), ("min", d.Min), ("max", d.Max), ("n", (double?)d.N) })
                    Row(sb, section, point, scope, id, stat, Num(value));
            }
            else
            {
                Row(sb, section, point, scope, id, "", Num((v as ScalarMetric)?.Value));
            }
        }
    }

    /// <summary>The cost section: which sheet, on what basis, from where, then its figures.</summary>
    private static void AppendCost(StringBuilder sb, string section, string point, CostSection? cost)
    {
        if (cost is null)
            return;
        Row(sb, section, point, "", "sheet", "", cost.Sheet);
        Row(sb, section, point, "", "basis", "", cost.Basis);
        Row(sb, section, point, "", "provenance", "", ProvenanceText.Of(cost.Provenance));
        foreach (var (metric, value) in cost.Figures)
            Row(sb, section, point, "", metric.Id, "", Num(value));
    }

    private static void Row(StringBuilder sb, params string[] cells) => sb.AppendJoin(',', cells.Select(Cell)).Append('\n');

    private static string Num(double? v) => v is { } x ? x.ToString("R", CultureInfo.InvariantCulture) : "";

    /// <summary>RFC 4180 quoting; a leading formula character is defused so a spreadsheet shows the text, not runs it.</summary>
    private static string Cell(string text)
    {
        if (text.Length > 0 && text[0] is '=' or '+' or '@' && !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            text = "'" + text;
        return text.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
    }
}
