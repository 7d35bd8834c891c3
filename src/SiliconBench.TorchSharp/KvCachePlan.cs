namespace SiliconBench.TorchSharp;

/// <summary>
/// How many cache slots (token positions) the preallocated KV cache of a batch has. Slots are shared by the
/// rows of a left-padded batch, so the longest prompt sets the start and each decode step takes one slot.
/// </summary>
public static class KvCachePlan
{
    /// <summary>Slots for a new batch: the padded prompt plus <paramref name="reserve"/> decode steps, at most the model's context.</summary>
    public static int InitialCapacity(int longestPrompt, int reserve, int maxPositions)
    {
        EnsureFits(longestPrompt, maxPositions);
        return (int)Math.Min((long)longestPrompt + reserve, maxPositions);
    }

    /// <summary>Slots after growing to hold <paramref name="needed"/>: doubled (so growth is rare), at most the model's context.</summary>
    public static int GrownCapacity(int current, int needed, int maxPositions)
    {
        EnsureFits(needed, maxPositions);
        return needed <= current ? current : (int)Math.Min(Math.Max(2L * current, needed), maxPositions);
    }

    private static void EnsureFits(int slots, int maxPositions)
    {
        if (slots > maxPositions)
            throw new InvalidOperationException($"context of {slots} tokens exceeds the model's max_position_embeddings ({maxPositions})");
    }
}
