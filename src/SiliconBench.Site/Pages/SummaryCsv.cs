using System.Globalization;
using System.Text;
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
        foreach (var scope in s.Energy)
            AppendSet(sb, "energy", "", scope.Scope, scope.Metrics);
        AppendSet(sb, "cost", "", "", s.Cost);
        foreach (var p in s.Points)
        {
            AppendSet(sb, "point", p.Name, "", p.Metrics);
            foreach (var scope in p.Energy)
                AppendSet(sb, "point_energy", p.Name, scope.Scope, scope.Metrics);
            AppendSet(sb, "point_cost", p.Name, "", p.Cost);
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
                r.Complete ? "true" : "false", r.Summary.Valid switch { true => "true", false => "false", null => "" },
                Num(o.Scalar("output_tokens_per_s")), Num(o.Scalar("interactivity_tok_s_user")), Num(o.Scalar("goodput_requests_per_s")),
                Num(o.Dist("ttft_ms")?.P99), e?.Scope ?? "", Num(e?.Metrics.Scalar("output_tokens_per_j")),
                Num(r.Summary.Cost.Scalar("output_tokens_per_usd")), Num(r.Summary.Cost.Scalar("usd_per_million_output_tokens")),
            ];
            sb.AppendJoin(',', cells.Select(Cell)).Append('\n');
        }
        return sb.ToString();
    }

    private static void AppendSet(StringBuilder sb, string section, string point, string scope, MetricSet set)
    {
        foreach (var (id, v) in set.Entries)
        {
            if (v.Distribution is { } d)
            {
                foreach (var (stat, value) in new[] { ("mean", d.Mean), ("p50", d.P50), ("p90", d.P90), ("p95", d.P95), ("p99", d.P99), ("min", d.Min), ("max", d.Max), ("n", (double?)d.N) })
                    Row(sb, section, point, scope, id, stat, Num(value));
            }
            else
            {
                Row(sb, section, point, scope, id, "", v.Text ?? Num(v.Scalar));
            }
        }
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
