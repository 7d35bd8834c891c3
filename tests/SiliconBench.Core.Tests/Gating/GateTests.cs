using System.Text.Json;
using SiliconBench.Comparing;
using SiliconBench.Diagnostics;
using SiliconBench.Gating;
using Xunit;

namespace SiliconBench.Tests.Gating;

/// <summary>Gate decisions over the hand-written summaries of Data/Gating (README.md there has the numbers).</summary>
public sealed class GateTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "Data", "Gating");

    private const string PolicyText = """
        name: test-chat
        confidence: 0.95
        evidence:
          energy_measured: true
          min_window_s: 60
          min_repetitions: 3
          no_throttling: true
        workloads:
          '*':
            point: overall
            requirements:
              - {metric: ttft_ms, statistic: p99, comparator: "<=", threshold: 2000}
              - {metric: output_tokens_per_s, statistic: value, comparator: ">=", threshold: 500}
        ranking: {metric: usd_per_million_output_tokens, order: ascending}
        """;

    private static Policy TestPolicy => PolicyLoader.Parse(PolicyText, "policy.yaml");

    private static Decision Evaluate(params string[] names) => Gate.Evaluate(TestPolicy, [.. names.Select(n => Candidate.Load(Path.Combine(Root, n)))]);

    [Fact]
    public void Passing_candidates_pass_and_the_cheapest_wins()
    {
        var d = Evaluate("fast", "cheap");

        Assert.Equal(Verdict.Pass, d.Verdict);
        Assert.Equal(ExitCodes.Ok, d.ExitCode);
        Assert.Equal("cheap", d.Winner);
        Assert.Equal([2, 1], d.Candidates.Select(c => c.Rank));
        Assert.Empty(d.Problems);
    }

    [Fact]
    public void Failing_on_the_mean_fails()
    {
        var d = Evaluate("slow");

        Assert.Equal(Verdict.Fail, d.Verdict);
        Assert.Equal(ExitCodes.Failed, d.ExitCode);
        var line = Assert.Single(d.Problems);
        Assert.StartsWith("slow: FAIL: ttft_ms p99 at overall must be <= 2000", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Failing_on_the_confidence_bound_fails_although_the_mean_passes()
    {
        var d = Evaluate("noisy");

        Assert.Equal(Verdict.Fail, d.Verdict);
        var ttft = d.Candidates[0].Requirements.Single(r => r.Requirement.Metric == "ttft_ms");
        Assert.Equal(1900, ttft.Mean!.Value, 9);
        Assert.Equal(2574.34, ttft.Bound!.Value, 2);
        Assert.False(ttft.Passed);
        Assert.Contains("the mean alone would pass", ttft.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void One_passing_candidate_is_enough_and_wins()
    {
        var d = Evaluate("slow", "fast");

        Assert.Equal((Verdict.Pass, "fast"), (d.Verdict, d.Winner));
    }

    [Fact]
    public void Energy_required_but_not_measured_is_insufficient_evidence()
    {
        var d = Evaluate("fast", "no-energy");

        Assert.Equal(Verdict.InsufficientEvidence, d.Verdict);
        Assert.Equal(ExitCodes.BadInput, d.ExitCode);
        Assert.Contains(d.Problems, p => p.StartsWith("no-energy: insufficient evidence:", StringComparison.Ordinal) && p.Contains("energy required but not measured", StringComparison.Ordinal));
    }

    [Fact]
    public void Too_few_repetitions_is_insufficient_evidence()
    {
        var fast = Candidate.Load(Path.Combine(Root, "fast"));
        var d = Gate.Evaluate(TestPolicy, [fast with { Runs = [fast.Runs[0]] }]);

        Assert.Equal(Verdict.InsufficientEvidence, d.Verdict);
        Assert.Contains(d.Problems, p => p.Contains("1 repetition(s), the policy requires at least 3", StringComparison.Ordinal));
    }

    [Fact]
    public void Shipped_example_policy_picks_the_cheapest_passing_system()
    {
        var policy = PolicyLoader.Load(Path.Combine(SiliconBench.Tests.Planning.ShippedWorkloadsTests.WorkloadsFolder(), "policies", "example.yaml"));

        var d = Gate.Evaluate(policy, [.. new[] { "fast", "cheap" }.Select(n => Candidate.Load(Path.Combine(Root, n)))]);

        Assert.Equal((Verdict.Pass, "cheap"), (d.Verdict, d.Winner));
    }

    [Fact]
    public void Throttling_seen_is_insufficient_evidence_when_the_policy_forbids_it()
    {
        var fast = Candidate.Load(Path.Combine(Root, "fast"));
        var throttled = fast with
        {
            Runs = [.. fast.Runs.Select(r => r with { Summary = r.Summary with { Validity = r.Summary.Validity with { Notes = ["nvml:0: throttle reasons seen: sw_thermal_slowdown"] } } })],
        };

        var d = Gate.Evaluate(TestPolicy, [throttled]);

        Assert.Equal(Verdict.InsufficientEvidence, d.Verdict);
        Assert.Contains(d.Problems, p => p.Contains("throttling seen", StringComparison.Ordinal));
    }

    [Fact]
    public void A_metric_missing_from_a_run_cannot_be_tested()
    {
        var policy = PolicyLoader.Parse(PolicyText.Replace("metric: ttft_ms", "metric: e2e_ms", StringComparison.Ordinal), "policy.yaml");

        var d = Gate.Evaluate(policy, [Candidate.Load(Path.Combine(Root, "fast"))]);

        Assert.Equal(Verdict.InsufficientEvidence, d.Verdict);
        Assert.Contains(d.Problems, p => p.Contains("cannot test e2e_ms p99 <= 2000 (policy line 12)", StringComparison.Ordinal));
    }

    [Fact]
    public void Decision_files_hash_the_inputs_and_link_every_figure_to_its_run()
    {
        var d = Evaluate("fast", "cheap");
        var dir = Path.Combine(Path.GetTempPath(), "siliconbench-gate-" + Guid.NewGuid().ToString("N"));
        try
        {
            DecisionWriter.Write(d, dir);

            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, DecisionWriter.JsonFile)));
            var root = json.RootElement;
            Assert.Equal("pass", root.GetProperty("verdict").GetString());
            Assert.Equal(CostSheetHash(PolicyText), root.GetProperty("policy").GetProperty("sha256").GetString());
            var inputs = root.GetProperty("inputs").EnumerateArray().ToList();
            Assert.Equal(6, inputs.Count);
            var first = inputs[0];
            var expectedHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(dir, first.GetProperty("run_dir").GetString()!, "summary.json"))));
            Assert.Equal(expectedHash, first.GetProperty("summary_sha256").GetString());
            var values = root.GetProperty("candidates")[0].GetProperty("requirements")[0].GetProperty("values").EnumerateArray().ToList();
            // Run links are relative to the decision's folder, so they resolve wherever the two are published together.
            Assert.All(values, v => Assert.True(Directory.Exists(Path.Combine(dir, v.GetProperty("run_dir").GetString()!))));
            var md = File.ReadAllText(Path.Combine(dir, DecisionWriter.MarkdownFile));
            Assert.Contains("**PASS — winner: `cheap`**", md, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string CostSheetHash(string text) => SiliconBench.Costs.CostSheetLoader.Sha256Hex(text);
}
