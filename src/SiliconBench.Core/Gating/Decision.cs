namespace SiliconBench.Gating;

/// <summary>The gate's verdict; the CLI exits with <see cref="Decision.ExitCode"/>.</summary>
public enum Verdict
{
    Pass,
    Fail,
    InsufficientEvidence,
}

/// <summary>One requirement tested on one candidate.</summary>
public sealed record RequirementResult
{
    public required string Workload { get; init; }
    /// <summary>Operating point, or <c>overall</c>.</summary>
    public required string Point { get; init; }
    public required Requirement Requirement { get; init; }
    /// <summary>Per-repetition values and the run directory of each.</summary>
    public IReadOnlyList<(string RunDir, double Value)> Values { get; init; } = [];
    public double? Mean { get; init; }
    /// <summary>The one-sided confidence bound tested against the threshold (upper for ≤/&lt;, lower for ≥/&gt;).</summary>
    public double? Bound { get; init; }
    /// <summary>Null when the requirement could not be tested (missing value, too few repetitions).</summary>
    public bool? Passed { get; init; }
    /// <summary>One line: what was tested, the numbers, and why it passed, failed or could not be tested.</summary>
    public required string Explanation { get; init; }
}

/// <summary>A candidate's evidence, requirements and ranking.</summary>
public sealed record CandidateResult
{
    public required string Name { get; init; }
    public required IReadOnlyList<string> RunDirs { get; init; }
    public string? Workload { get; init; }
    /// <summary>Evidence the policy requires that the runs lack (each one line); any makes the gate exit 2.</summary>
    public IReadOnlyList<string> EvidenceProblems { get; init; } = [];
    public IReadOnlyList<RequirementResult> Requirements { get; init; } = [];
    public double? RankingValue { get; init; }
    /// <summary>1 = best among candidates that passed; null when it did not pass or could not be ranked.</summary>
    public int? Rank { get; init; }

    public bool Sufficient => EvidenceProblems.Count == 0 && Requirements.All(r => r.Passed is not null);

    public bool Passed => Sufficient && Requirements.All(r => r.Passed == true);
}

/// <summary>A hashed input: which file (or in-memory summary) of which candidate.</summary>
public sealed record HashedInput(string Candidate, string RunDir, string Sha256);

/// <summary>The gate's decision: verdict, the winner, every candidate's results, and the inputs it rests on.</summary>
public sealed record Decision
{
    public const string Schema = "siliconbench.decision/1";

    public required Policy Policy { get; init; }
    public required Verdict Verdict { get; init; }
    /// <summary>The best-ranked passing candidate; null unless the verdict is pass.</summary>
    public string? Winner { get; init; }
    public required IReadOnlyList<CandidateResult> Candidates { get; init; }
    public required IReadOnlyList<HashedInput> Inputs { get; init; }

    public int ExitCode => Verdict switch
    {
        Verdict.Pass => Diagnostics.ExitCodes.Ok,
        Verdict.Fail => Diagnostics.ExitCodes.Failed,
        _ => Diagnostics.ExitCodes.BadInput,
    };

    /// <summary>One line per evidence problem and per requirement that did not pass, in candidate order.</summary>
    public IReadOnlyList<string> Problems =>
    [
        .. Candidates.SelectMany(c => c.EvidenceProblems.Select(p => $"{c.Name}: insufficient evidence: {p}")
            .Concat(c.Requirements.Where(r => r.Passed != true).Select(r => $"{c.Name}: {r.Explanation}"))),
    ];
}
