using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SiliconBench.Analysis;
using SiliconBench.Comparing;

namespace SiliconBench.Gating;

/// <summary>
/// Writes decision.json (schema <see cref="Decision.Schema"/>) and decision.md. Every figure names the run
/// directory it came from; the policy and every summary are identified by SHA-256.
/// </summary>
public static class DecisionWriter
{
    public const string JsonFile = "decision.json";
    public const string MarkdownFile = "decision.md";

    public static void Write(Decision decision, string directory)
    {
        ArgumentNullException.ThrowIfNull(decision);
        Directory.CreateDirectory(directory);
        var utf8 = new UTF8Encoding(false);
        // Paths relative to the decision's own folder, so the decision and its runs can be published together.
        File.WriteAllText(Path.Combine(directory, JsonFile), ToJson(decision, directory), utf8);
        File.WriteAllText(Path.Combine(directory, MarkdownFile), ToMarkdown(decision, directory), utf8);
    }

    public static string VerdictText(Verdict v) => v switch
    {
        Verdict.Pass => "pass",
        Verdict.Fail => "fail",
        _ => "insufficient_evidence",
    };

    private static string PathFrom(string? baseDirectory, string path) =>
        baseDirectory is null ? path : Path.GetRelativePath(Path.GetFullPath(baseDirectory), Path.GetFullPath(path)).Replace('\\', '/');

    public static string ToJson(Decision decision, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(decision);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("schema", Decision.Schema);
            w.WriteString("verdict", VerdictText(decision.Verdict));
            w.WriteNumber("exit_code", decision.ExitCode);
            Str(w, "winner", decision.Winner);
            w.WriteStartObject("policy");
            w.WriteString("name", decision.Policy.Name);
            Str(w, "file", decision.Policy.File);
            Str(w, "sha256", decision.Policy.ContentSha256);
            w.WriteNumber("confidence", decision.Policy.Confidence);
            w.WriteEndObject();
            w.WriteStartArray("inputs");
            foreach (var i in decision.Inputs)
            {
                w.WriteStartObject();
                w.WriteString("candidate", i.Candidate);
                w.WriteString("run_dir", PathFrom(baseDirectory, i.RunDir));
                w.WriteString("summary_sha256", i.Sha256);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("candidates");
            foreach (var c in decision.Candidates)
            {
                w.WriteStartObject();
                w.WriteString("name", c.Name);
                Str(w, "workload", c.Workload);
                w.WriteBoolean("passed", c.Passed);
                w.WriteBoolean("sufficient_evidence", c.Sufficient);
                Num(w, "ranking_value", c.RankingValue);
                if (c.Rank is { } rank)
                    w.WriteNumber("rank", rank);
                else
                    w.WriteNull("rank");
                w.WriteStartArray("evidence_problems");
                foreach (var p in c.EvidenceProblems)
                    w.WriteStringValue(p);
                w.WriteEndArray();
                w.WriteStartArray("requirements");
                foreach (var r in c.Requirements)
                {
                    w.WriteStartObject();
                    w.WriteString("workload", r.Workload);
                    w.WriteString("point", r.Point);
                    w.WriteString("metric", r.Requirement.Metric);
                    w.WriteString("statistic", r.Requirement.Statistic);
                    w.WriteString("comparator", r.Requirement.Comparator);
                    w.WriteNumber("threshold", r.Requirement.Threshold);
                    w.WriteNumber("policy_line", r.Requirement.Line);
                    w.WriteStartArray("values");
                    foreach (var (dir, value) in r.Values)
                    {
                        w.WriteStartObject();
                        w.WriteString("run_dir", dir);
                        w.WriteNumber("value", SummaryWriter.Round(value));
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    Num(w, "mean", r.Mean);
                    Num(w, "bound", r.Bound);
                    if (r.Passed is { } passed)
                        w.WriteBoolean("passed", passed);
                    else
                        w.WriteNull("passed");
                    w.WriteString("explanation", r.Explanation);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("problems");
            foreach (var p in decision.Problems)
                w.WriteStringValue(p);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    public static string ToMarkdown(Decision decision, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(decision);
        var p = decision.Policy;
        var sb = new StringBuilder();
        var verdict = decision.Verdict switch
        {
            Verdict.Pass => $"PASS — winner: `{decision.Winner}`",
            Verdict.Fail => "FAIL — no candidate meets every requirement",
            _ => "INSUFFICIENT EVIDENCE — the runs cannot settle the policy",
        };
        sb.Append(CultureInfo.InvariantCulture, $"# Gate decision: {p.Name}\n\n**{verdict}** (exit {decision.ExitCode})\n\n");
        sb.Append(CultureInfo.InvariantCulture, $"Policy `{(p.File is null ? "(inline)" : PathFrom(baseDirectory, p.File))}` (SHA-256 `{p.ContentSha256}`). Requirements are tested on the one-sided {p.Confidence * 100:0.#}% Student-t bound of the mean over repetitions.\n\n");
        if (decision.Problems.Count > 0)
        {
            sb.Append("## Why\n\n");
            foreach (var line in decision.Problems)
                sb.Append(CultureInfo.InvariantCulture, $"- {line}\n");
            sb.Append('\n');
        }
        foreach (var c in decision.Candidates)
        {
            var status = c.Passed ? "passed" : c.Sufficient ? "failed" : "insufficient evidence";
            sb.Append(CultureInfo.InvariantCulture, $"## {c.Name}: {status}{(c.Rank is { } r ? $", rank {r}" : "")}\n\n");
            if (c.RankingValue is { } rv && p.Ranking is { } ranking)
                sb.Append(CultureInfo.InvariantCulture, $"Ranking value ({ranking.Metric}, mean over repetitions): {Comparison.Format(rv)}\n\n");
            sb.Append("| workload | point | requirement | mean | bound | result | runs |\n|---|---|---|---|---|---|---|\n");
            foreach (var req in c.Requirements)
            {
                var result = req.Passed switch { true => "pass", false => "FAIL", null => "not tested" };
                var runs = string.Join("<br>", req.Values.Select(v => $"[{Path.GetFileName(Path.TrimEndingDirectorySeparator(v.RunDir))}]({PathFrom(baseDirectory, v.RunDir)}): {Comparison.Format(v.Value)}"));
                sb.Append(CultureInfo.InvariantCulture, $"| {req.Workload} | {req.Point} | `{req.Requirement.Text}` | {Fmt(req.Mean)} | {Fmt(req.Bound)} | {result} | {runs} |\n");
            }
            sb.Append('\n');
        }
        sb.Append("## Inputs\n\n| candidate | run | summary.json SHA-256 |\n|---|---|---|\n");
        foreach (var i in decision.Inputs)
            sb.Append(CultureInfo.InvariantCulture, $"| {i.Candidate} | [{PathFrom(baseDirectory, i.RunDir)}]({PathFrom(baseDirectory, i.RunDir)}) | `{i.Sha256}` |\n");
        return sb.ToString();
    }

    private static string Fmt(double? v) => v is { } x ? Comparison.Format(x) : "—";

    private static void Str(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
            w.WriteNull(name);
        else
            w.WriteString(name, value);
    }

    private static void Num(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
            w.WriteNumber(name, SummaryWriter.Round(v));
        else
            w.WriteNull(name);
    }
}
