namespace SiliconBench.Running;

/// <summary>What the engine runner executes: operating points in order and how often to repeat each.</summary>
public sealed record RunSchedule
{
    public required IReadOnlyList<ScheduledPoint> Points { get; init; }
    public int WarmupRepetitions { get; init; } = 1;
    public int Repetitions { get; init; } = 3;
    /// <summary>A point keeps repeating until it has run both <see cref="Repetitions"/> times and this long.</summary>
    public double MinDurationSeconds { get; init; }
    public int MaxRepetitions { get; init; } = 1000;
}

/// <summary>An operating point: its id (e.g. <c>b4-c1024-o128</c>), batch size, and the batch for a given repetition.</summary>
public sealed record ScheduledPoint(string Id, int Batch, Func<int, bool, IReadOnlyList<SequenceSpec>> CreateBatch);

/// <summary>One sequence of a batch: its prompt tokens and how many tokens to generate.</summary>
public readonly record struct SequenceSpec(int[] Prompt, int OutputTokens);
