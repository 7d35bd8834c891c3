namespace SiliconBench.TorchSharp;

/// <summary>
/// Shapes of grouped-query attention as the engine computes it. Query head <c>h</c> reads KV head
/// <c>h / Groups</c> (Hugging Face's <c>repeat_kv</c>), so the query [B, H, T, D] regrouped as
/// [B, KvHeads, Groups·T, D] attends to the cached [B, KvHeads, S, D] directly: no repeated copy of the cache.
/// </summary>
public sealed record AttentionLayout(int Heads, int KvHeads, int HeadDim)
{
    public int Groups => Heads / KvHeads;

    /// <summary>[batch, kv_heads, groups·steps, head_dim]: the query as scaled-dot-product attention sees it.</summary>
    public long[] FoldedQueryShape(int batch, int steps) => [batch, KvHeads, (long)Groups * steps, HeadDim];

    /// <summary>[batch, kv_heads, groups, steps, head_dim]: the query split by group before folding.</summary>
    public long[] GroupedQueryShape(int batch, int steps) => [batch, KvHeads, Groups, steps, HeadDim];

    /// <summary>[batch, 1, groups·steps, keys]: the mask, broadcast over KV heads.</summary>
    public long[] FoldedMaskShape(int batch, int steps, int keys) => [batch, 1, (long)Groups * steps, keys];

    /// <summary>
    /// The attention mask (true = attend) for queries at cache slots <paramref name="queryStart"/>..+<paramref name="steps"/>
    /// over keys 0..<paramref name="keys"/>-1 of a left-padded batch, repeated for each query group so it matches
    /// <see cref="FoldedQueryShape"/>. A real token attends causally to the real tokens of its row; a padding slot
    /// attends only to itself, which keeps its (unused) output finite: an all-false row would give NaN, and NaN
    /// values in the cache poison later steps even where their weight is zero.
    /// </summary>
    public bool[] FoldedMask(IReadOnlyList<int> pads, int queryStart, int steps, int keys)
    {
        var batch = pads.Count;
        var mask = new bool[(long)batch * Groups * steps * keys];
        for (var b = 0; b < batch; b++)
        {
            for (var g = 0; g < Groups; g++)
            {
                for (var t = 0; t < steps; t++)
                {
                    var slot = queryStart + t;
                    var row = (((long)b * Groups + g) * steps + t) * keys;
                    for (var j = 0; j < keys; j++)
                        mask[row + j] = j <= slot && (j >= pads[b] || j == slot);
                }
            }
        }
        return mask;
    }
}
