using System.Globalization;
using SiliconBench.Comparing;
using SiliconBench.Costs;
using SiliconBench.Records;

namespace SiliconBench.Gating;

/// <summary>
/// The procurement gate. A candidate passes when its runs carry the evidence the policy asks for and every
/// requirement that applies to its workload holds on the one-sided confidence bound of the mean over repetitions
/// (upper bound for ≤ and &lt;, lower bound for ≥ and &gt;), not just on the mean: a system has to be shown to meet
/// the threshold, not merely to have met it on average.
/// Verdict: insufficient evidence when any candidate lacks evidence or a requirement cannot be tested (missing value,
/// fewer than 2 repetitions) or a passing candidate cannot be ranked; otherwise pass when at least one candidate
/// passes (the best-ranked one wins), else fail.
/// </summary>
public static class Gate
{
    public static Decision Evaluate(Policy policy, IReadOnlyList<Candidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count == 0)
            throw new ArgumentException("no candidates", nameof(candidates));

        var results = candidates.Select(c => EvaluateCandidate(policy, c)).ToList();
        var rankingProblem = false;
        if (policy.Ranking is { } ranking)
        {
            for (var i = 0; i < results.Count; i++)
            {
                if (!results[i].Passed)
                    continue;
                var found = candidates[i].Runs.Select(r => MetricLookup.Find(r.Summary, ranking.Point, ranking.Metric, ranking.Statistic)).ToList();
                if (found.Any(f => f.Value is null))
                {
                    rankingProblem = true;
                    results[i] = results[i] with
                    {
                        EvidenceProblems = [.. results[i].EvidenceProblems, $"cannot rank by {ranking.Metric}: {found.First(f => f.Value is null).Missing}"],
                    };
                }
                else
                {
                    results[i] = results[i] with { RankingValue = found.Average(f => f.Value!.Value) };
                }
            }
            var ranked = results.Where(r => r.Passed && r.RankingValue is not null)
                .OrderBy(r => ranking.Ascending ? r.RankingValue : -r.RankingValue).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
            for (var k = 0; k < ranked.Count; k++)
            {
                var index = results.IndexOf(ranked[k]);
                results[index] = results[index] with { Rank = k + 1 };
            }
        }
        else
        {
            var rank = 1;
            for (var i = 0; i < results.Count; i++)
            {
                if (results[i].Passed)
                    results[i] = results[i] with { Rank = rank++ };
            }
        }

        var verdict = rankingProblem || results.Any(r => !r.Sufficient) ? Verdict.InsufficientEvidence
            : results.Any(r => r.Passed) ? Verdict.Pass
            : Verdict.Fail;
        return new Decision
        {
            Policy = policy,
            Verdict = verdict,
            Winner = verdict == Verdict.Pass ? results.Where(r => r.Rank is not null).OrderBy(r => r.Rank).First().Name : null,
            Candidates = results,
            Inputs = [.. candidates.SelectMany(c => c.Runs.Select(r => new HashedInput(c.Name, r.RunDir, SummaryHash(r))))],
        };
    }

    /// <summary>SHA-256 of the run's summary.json as it is on disk, or of its canonical serialization when it has no file.</summary>
    private static string SummaryHash(RunSummary run)
    {
        var path = Path.Combine(run.RunDir, RunFiles.Summary);
        return File.Exists(path)
            ? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)))
            : CostSheetLoader.Sha256Hex(Analysis.SummaryWriter.Serialize(run.Summary));
    }

    private static CandidateResult EvaluateCandidate(Policy policy, Candidate candidate)
    {
        var problems = EvidenceProblems(policy.Evidence, candidate);
        var applicable = policy.Workloads.Where(w => w.AppliesTo(candidate.Workload)).ToList();
        if (applicable.Count == 0)
            problems.Add($"no requirements in the policy apply to workload '{candidate.Workload}' (policy has: {string.Join(", ", policy.Workloads.Select(w => w.Workload))})");
        var requirements = applicable.SelectMany(w => w.Requirements.Select(r => Test(policy, candidate, w, r))).ToList();
        return new CandidateResult
        {
            Name = candidate.Name,
            RunDirs = [.. candidate.Runs.Select(r => r.RunDir)],
            Workload = candidate.Workload,
            EvidenceProblems = problems,
            Requirements = requirements,
        };
    }

    private static List<string> EvidenceProblems(EvidenceRequirements evidence, Candidate candidate)
    {
        var problems = new List<string>();
        if (candidate.Runs.Count < evidence.MinRepetitions)
            problems.Add($"{candidate.Runs.Count} repetition(s), the policy requires at least {evidence.MinRepetitions}");
        foreach (var run in candidate.Runs)
        {
            var s = run.Summary;
            if (evidence.Complete && !(s.Complete && s.Validity.Valid))
                problems.Add($"{run.RunDir}: run not complete and valid ({s.Validity.IncompleteReason ?? $"{s.Validity.FailedRequests} failed request(s)"})");
            if (evidence.EnergyMeasured && !s.Validity.Energy.StartsWith("measured", StringComparison.Ordinal))
                problems.Add($"{run.RunDir}: energy required but {s.Validity.Energy}");
            if (evidence.MinWindowS > 0 && !(s.Validity.WindowS >= evidence.MinWindowS))
                problems.Add($"{run.RunDir}: measurement window {Num(s.Validity.WindowS)} s, the policy requires at least {Num(evidence.MinWindowS)} s");
            if (evidence.NoThrottling && s.Validity.Notes.FirstOrDefault(IsThrottleNote) is { } note)
                problems.Add($"{run.RunDir}: throttling seen ({note})");
        }
        return problems;
    }

    /// <summary>A validity note reporting throttle events (the energy analysis writes them); "no throttling" notes do not count.</summary>
    private static bool IsThrottleNote(string note) =>
        note.Contains("throttl", StringComparison.OrdinalIgnoreCase) && !note.Contains("no throttl", StringComparison.OrdinalIgnoreCase);

    private static RequirementResult Test(Policy policy, Candidate candidate, WorkloadRequirements workload, Requirement req)
    {
        var point = workload.Point ?? Comparison.OverallPoint;
        var what = $"{req.Metric} {req.Statistic} at {point}";
        var values = new List<(string RunDir, double Value)>();
        foreach (var run in candidate.Runs)
        {
            var found = MetricLookup.Find(run.Summary, workload.Point, req.Metric, req.Statistic);
            if (found.Value is not { } v)
            {
                return new RequirementResult
                {
                    Workload = workload.Workload, Point = point, Requirement = req, Values = values,
                    Explanation = $"{what}: cannot test {req.Text} (policy line {req.Line}): {run.RunDir}: {found.Missing}",
                };
            }
            values.Add((run.RunDir, v));
        }
        var numbers = values.Select(v => v.Value).ToList();
        var mean = numbers.Average();
        var upper = Comparators.IsUpperLimit(req.Comparator);
        var bound = RepeatStatistics.OneSidedBound(numbers, policy.Confidence, upper);
        var runs = $"runs: {string.Join(", ", values.Select(v => v.RunDir))}";
        var level = (policy.Confidence * 100).ToString("0.#", CultureInfo.InvariantCulture);
        if (bound is not { } b)
        {
            return new RequirementResult
            {
                Workload = workload.Workload, Point = point, Requirement = req, Values = values, Mean = mean,
                Explanation = $"{what}: cannot test {req.Text} (policy line {req.Line}): {numbers.Count} repetition(s) give no {level}% bound; at least 2 are needed ({runs})",
            };
        }
        var passed = Comparators.Holds(b, req.Comparator, req.Threshold);
        var side = upper ? "upper" : "lower";
        var meanHolds = Comparators.Holds(mean, req.Comparator, req.Threshold);
        var verdictText = passed ? "PASS" : meanHolds ? "FAIL on the confidence bound (the mean alone would pass)" : "FAIL";
        return new RequirementResult
        {
            Workload = workload.Workload, Point = point, Requirement = req, Values = values, Mean = mean, Bound = b, Passed = passed,
            Explanation = $"{verdictText}: {what} must be {req.Comparator} {Num(req.Threshold)}; {side} {level}% bound {Num(b)}, mean {Num(mean)}, n={numbers.Count} ({runs})",
        };
    }

    private static string Num(double? v) => v is { } x ? Comparison.Format(x) : "none";
}
