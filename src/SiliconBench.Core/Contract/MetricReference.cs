using System.Text;
using SiliconBench.Metrics;

namespace SiliconBench.Contract;

/// <summary>
/// docs/metrics.md, written from <see cref="MetricCatalog"/>: every metric summary.json can hold, where it lives,
/// its unit, which way is better and its definition. A test fails when the committed file drifts from this.
/// </summary>
public static class MetricReference
{
    public const string RelativePath = "docs/metrics.md";

    public static string Render()
    {
        var sb = new StringBuilder();
        sb.Append("# Metric reference\n\n");
        sb.Append("<!-- Generated from src/SiliconBench.Core/Metrics/MetricCatalog.cs by scripts/update-contract.sh; edit the catalog, not this file. -->\n\n");
        sb.Append("Every metric `summary.json` can hold, as the analyzer computes it. The same catalog labels the site, the CLI tables and\n");
        sb.Append("`compare`, tells `gate` where to look, and lets `validate` refuse a policy naming a metric that does not exist.\n");
        sb.Append("Times in the raw record are seconds on the run clock; latencies here are milliseconds. A metric that could not be\n");
        sb.Append("measured is `null`, with the reason in `validity.notes`. Only measured (non-warm-up) work counts, and failed requests\n");
        sb.Append("count in `validity` only. The measurement window is the `measured` window of windows.jsonl, else first measured\n");
        sb.Append("submit → last measured completion; each operating point has its own window the same way.\n\n");
        sb.Append("A distribution is `{mean, p50, p90, p95, p99, min, max, n}`, percentiles by linear interpolation between closest ranks\n");
        sb.Append("(numpy's default); a policy or comparison names one of these statistics, or `value` for a single number.\n\n");
        sb.Append("## Provenance\n\n");
        sb.Append("| provenance | meaning |\n|---|---|\n");
        sb.Append("| `measured` | read on this run: its own timestamps, or sensors sampled beside it |\n");
        sb.Append("| `imported` | taken from outside the record with a named source: a cost sheet's prices, a replayed telemetry trace |\n");
        sb.Append("| `estimated` | from a model (e.g. TDP × utilization), not a sensor; badged wherever shown |\n");
        sb.Append("| `projected` | carried to hardware it was not measured on (`siliconbench project`); never in a run's summary |\n\n");
        sb.Append("Latency, throughput, goodput, engine and serving metrics are always measured. Each energy scope and the cost object\n");
        sb.Append("carry a `provenance` field: a scope takes the weakest of its sensors (a method starting with `estimate` is estimated,\n");
        sb.Append("a replayed trace imported); the cost object is imported, or weaker when its energy line priced imported or estimated power.\n");
        foreach (var section in Enum.GetValues<MetricSection>())
        {
            var metrics = MetricCatalog.All.Where(m => m.Section == section).ToList();
            if (metrics.Count == 0)
                continue;
            sb.Append("\n## ").Append(MetricSections.Title(section)).Append("\n\n");
            sb.Append("In ").Append(string.Join(" and ", MetricSections.Where(section).Split(", ").Select(w => $"`{w}`"))).Append(".\n\n");
            sb.Append("| id | metric | unit | better | shape | definition |\n|---|---|---|---|---|---|\n");
            foreach (var m in metrics)
            {
                sb.Append("| `").Append(m.Id).Append("` | ").Append(Cell(m.Label)).Append(" | ").Append(m.Unit.Length > 0 ? Cell(m.Unit) : m.Style == NumberStyle.Bitmask ? "—" : "ratio")
                    .Append(" | ").Append(m.Better switch { Better.Higher => "higher", Better.Lower => "lower", _ => "—" })
                    .Append(" | ").Append(m.Shape == MetricShape.Distribution ? "distribution" : m.Style == NumberStyle.Bitmask ? "bitmask" : m.Style == NumberStyle.Integer ? "count" : "number")
                    .Append(" | ").Append(Cell(m.Definition)).Append(" |\n");
            }
        }
        return sb.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
