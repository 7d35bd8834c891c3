using SiliconBench.Comparing;
using SiliconBench.Costs;
using SiliconBench.Diagnostics;
using SiliconBench.Metrics;
using SiliconBench.Yaml;

namespace SiliconBench.Gating;

/// <summary>
/// Reads a gate policy strictly:
/// <code>
/// name: chat-procurement
/// confidence: 0.95
/// evidence: {energy_measured: true, min_window_s: 60, min_repetitions: 3, no_throttling: true, complete: true}
/// workloads:
///   interactive-chat:          # the manifest's workload name; '*' for any
///     point: overall           # or an operating point id, e.g. b8-c1024-o128
///     requirements:
///       - {metric: ttft_ms, statistic: p99, comparator: "&lt;=", threshold: 2000}
/// ranking: {metric: usd_per_million_output_tokens, statistic: value, order: ascending, point: overall}
/// </code>
/// Every metric must be in <see cref="MetricCatalog"/> and every statistic must apply to it (p99 of a distribution,
/// value of a number): a policy that could never be tested is bad input at its line, not insufficient evidence later.
/// A ranking without <c>order</c> follows the metric's better direction.
/// </summary>
public static class PolicyLoader
{
    internal static readonly string[] RootFields = ["name", "description", "confidence", "evidence", "workloads", "ranking"];
    internal static readonly string[] EvidenceFields = ["energy_measured", "min_window_s", "min_repetitions", "no_throttling", "complete"];
    internal static readonly string[] WorkloadFields = ["point", "requirements"];
    internal static readonly string[] RequirementFields = ["metric", "statistic", "comparator", "threshold"];
    internal static readonly string[] RankingFields = ["metric", "statistic", "order", "point"];
    internal static readonly string[] Orders = ["ascending", "descending"];

    public static Policy Load(string path) => Parse(YamlFields.ReadFile(path, "policy"), path);

    public static Policy Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var y = new YamlFields(source);
        var root = y.Mapping(y.LoadDocument(text, "a gate policy (name, evidence, workloads, ranking)"), "a gate policy: a mapping with name, evidence, workloads");
        y.CheckKeys(root, RootFields);
        var confidence = root["confidence"] is { } c ? y.Number(c.Value, 0, inclusive: false, below: 1) : 0.95;

        var evidence = new EvidenceRequirements();
        if (root["evidence"] is { } ev)
        {
            var b = y.Mapping(ev.Value, "a mapping of " + string.Join(", ", EvidenceFields), ev.KeyLine);
            y.CheckKeys(b, EvidenceFields);
            evidence = new EvidenceRequirements
            {
                EnergyMeasured = b["energy_measured"] is { } e && y.Bool(e.Value),
                MinWindowS = b["min_window_s"] is { } w ? y.Number(w.Value, 0, inclusive: true) : 0,
                // A confidence bound needs a spread estimate, which needs two repetitions.
                MinRepetitions = b["min_repetitions"] is { } r ? y.Int(r.Value, 2) : 2,
                NoThrottling = b["no_throttling"] is { } t && y.Bool(t.Value),
                Complete = b["complete"] is not { } cp || y.Bool(cp.Value),
            };
        }

        var workloadsField = y.Require(root, "workloads");
        var workloadsBlock = y.Mapping(workloadsField.Value, "a mapping from workload name ('*' for any) to its requirements", workloadsField.KeyLine);
        if (workloadsBlock.Fields.Count == 0)
            throw y.Error(workloadsField.Value, "expected at least one workload with requirements");
        var workloads = new List<WorkloadRequirements>();
        foreach (var wf in workloadsBlock.Fields)
        {
            var b = y.Mapping(wf.Value, "a mapping with point and requirements", wf.KeyLine);
            y.CheckKeys(b, WorkloadFields);
            var point = Point(y, b["point"]);
            var reqs = y.Sequence(y.Require(b, "requirements").Value, "a list of requirements {metric, statistic, comparator, threshold}")
                .Select(n => Requirement(y, n)).ToList();
            workloads.Add(new WorkloadRequirements(wf.Key, point, reqs));
        }

        Ranking? ranking = null;
        if (root["ranking"] is { } rk)
        {
            var b = y.Mapping(rk.Value, "a mapping with metric, statistic, order, point", rk.KeyLine);
            y.CheckKeys(b, RankingFields);
            var (metric, statistic) = MetricAndStatistic(y, b, "value");
            bool ascending;
            if (b["order"] is { } o)
                ascending = y.Choice(o.Value, Orders) == "ascending";
            else if (metric.Better != Better.Neither)
                ascending = metric.Better == Better.Lower;
            else
                throw y.Missing(b, "order");
            ranking = new Ranking(metric.Id, statistic, ascending, Point(y, b["point"]));
        }

        return new Policy
        {
            Name = y.Text(y.Require(root, "name").Value, "a policy name"),
            Confidence = confidence,
            Evidence = evidence,
            Workloads = workloads,
            Ranking = ranking,
            File = source,
            ContentSha256 = CostSheetLoader.Sha256Hex(text),
        };
    }

    private static string? Point(YamlFields y, Field? field)
    {
        if (field is null)
            return null;
        var p = y.Text(field.Value, "an operating point id or 'overall'");
        return p == Comparison.OverallPoint ? null : p;
    }

    private static Requirement Requirement(YamlFields y, YNode node)
    {
        var b = y.Mapping(node, "a requirement {metric, statistic, comparator, threshold}");
        y.CheckKeys(b, RequirementFields);
        var (metric, statistic) = MetricAndStatistic(y, b, defaultStatistic: null);
        return new Requirement(
            metric.Id,
            statistic,
            y.Choice(y.Require(b, "comparator").Value, Comparators.All),
            y.Number(y.Require(b, "threshold").Value, 0, inclusive: true),
            node.Line);
    }

    /// <summary>A metric of the catalog and a statistic that applies to it (<paramref name="defaultStatistic"/> when absent and allowed).</summary>
    private static (MetricDescriptor Metric, string Statistic) MetricAndStatistic(YamlFields y, Block b, string? defaultStatistic)
    {
        var field = y.Require(b, "metric");
        var id = y.Text(field.Value, "a metric id, e.g. ttft_ms");
        var metric = MetricCatalog.Find(id) ?? throw y.Error(field.Value, MetricLookup.UnknownMetric(id));
        var statisticField = b["statistic"];
        if (statisticField is null)
            return defaultStatistic is not null && metric.Statistics.Contains(defaultStatistic) ? (metric, defaultStatistic) : throw y.Missing(b, "statistic");
        var statistic = y.Choice(statisticField.Value, MetricStatistics.All);
        if (!metric.Statistics.Contains(statistic))
            throw y.Error(statisticField.Value, $"'{statistic}' does not apply to {metric.Id}, a {(metric.Shape == MetricShape.Distribution ? "distribution" : "single number")}; use {string.Join(", ", metric.Statistics)}");
        return (metric, statistic);
    }
}
