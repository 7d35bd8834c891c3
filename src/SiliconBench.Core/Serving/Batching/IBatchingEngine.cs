using SiliconBench.Engines;

namespace SiliconBench.Serving.Batching;

/// <summary>A sequence an <see cref="IBatchingEngine"/> holds, from <see cref="IBatchingEngine.OpenSequence"/> to <see cref="IBatchingEngine.CloseSequence"/>.</summary>
public readonly record struct SequenceId(int Value);

/// <summary>
/// An engine whose sequences join and leave the running batch one by one (continuous batching), beside the
/// one-batch-at-a-time <see cref="IEngine"/> contract. Each sequence keeps its own KV cache; a decode step
/// runs any set of sequences together as one padded batch. Sampling is greedy, and a sequence's tokens do not
/// depend on which other sequences shared its steps.
/// </summary>
/// <remarks>Not thread-safe: one scheduler thread drives it.</remarks>
public interface IBatchingEngine : IEngine
{
    /// <summary>Registers a sequence with its prompt; computes nothing yet.</summary>
    SequenceId OpenSequence(int[] prompt);

    /// <summary>
    /// Runs up to <paramref name="maxTokens"/> more prompt tokens of the sequence (chunked prefill). Returns the
    /// first generated token once the whole prompt has been processed, else null.
    /// </summary>
    int? PrefillSequence(SequenceId sequence, int maxTokens);

    /// <summary>One decode step for the given sequences, all past their prompt: one new token each, in order.</summary>
    StepOutput DecodeSequences(IReadOnlyList<SequenceId> sequences);

    /// <summary>Frees the sequence's KV cache. Closing an unknown or closed sequence does nothing.</summary>
    void CloseSequence(SequenceId sequence);
}
