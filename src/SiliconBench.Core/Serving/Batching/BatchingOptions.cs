namespace SiliconBench.Serving.Batching;

/// <summary>How the scheduler forms batches.</summary>
public enum BatchingMode
{
    /// <summary>Requests join the running batch between any two steps and leave as soon as they have their tokens.</summary>
    Continuous,
    /// <summary>A batch starts full (or after a timeout), runs until its last sequence is done, then the next is formed.</summary>
    Static,
}

/// <summary>Settings of a <see cref="BatchingScheduler"/>.</summary>
public sealed record BatchingOptions
{
    public BatchingMode Mode { get; init; } = BatchingMode.Continuous;

    /// <summary>Most sequences in the running batch.</summary>
    public int MaxBatch { get; init; } = 8;

    /// <summary>Most prompt tokens prefilled in one step, over all sequences (chunked prefill); null = whole prompts.</summary>
    public int? PrefillChunkTokens { get; init; }

    /// <summary>Static mode: how long the oldest waiting request waits for a full batch before a partial one starts (run-clock seconds).</summary>
    public double BatchTimeoutSeconds { get; init; } = 0.05;

    /// <summary>Throws <see cref="ArgumentException"/> for settings that could never run.</summary>
    public BatchingOptions Validate()
    {
        if (MaxBatch < 1)
            throw new ArgumentException($"max batch is at least 1, not {MaxBatch}", nameof(MaxBatch));
        if (PrefillChunkTokens is < 1)
            throw new ArgumentException($"the prefill chunk is at least 1 token, not {PrefillChunkTokens}", nameof(PrefillChunkTokens));
        if (!(BatchTimeoutSeconds >= 0) || double.IsInfinity(BatchTimeoutSeconds))
            throw new ArgumentException($"the batch timeout is a finite non-negative time, not {BatchTimeoutSeconds}", nameof(BatchTimeoutSeconds));
        return this;
    }
}
