namespace SiliconBench.TorchSharp;

/// <summary>
/// A batch of prompts of unequal length, left-padded to the longest: token ids and position ids [batch, longest]
/// (padding slots hold token 0 and position 0; they are masked), and each row's padding.
/// </summary>
public sealed class PaddedBatch
{
    private PaddedBatch(int batch, int longest, long[] ids, long[] positions, int[] pads, int[] lengths)
    {
        Batch = batch;
        Longest = longest;
        Ids = ids;
        Positions = positions;
        Pads = pads;
        Lengths = lengths;
    }

    public int Batch { get; }
    public int Longest { get; }
    public long[] Ids { get; }
    public long[] Positions { get; }
    public int[] Pads { get; }
    public int[] Lengths { get; }

    /// <summary>Pads <paramref name="prompts"/>; an empty batch, empty prompt or token outside 0..vocab-1 is an <see cref="ArgumentException"/>.</summary>
    public static PaddedBatch Create(IReadOnlyList<int[]> prompts, int vocab)
    {
        if (prompts.Count == 0)
            throw new ArgumentException("a batch needs at least one prompt", nameof(prompts));
        var batch = prompts.Count;
        var longest = 0;
        for (var r = 0; r < batch; r++)
        {
            if (prompts[r].Length == 0)
                throw new ArgumentException($"prompt {r} is empty", nameof(prompts));
            longest = Math.Max(longest, prompts[r].Length);
        }
        var ids = new long[batch * longest];
        var positions = new long[batch * longest];
        var pads = new int[batch];
        var lengths = new int[batch];
        for (var r = 0; r < batch; r++)
        {
            var p = prompts[r];
            var pad = longest - p.Length;
            pads[r] = pad;
            lengths[r] = p.Length;
            for (var j = 0; j < p.Length; j++)
            {
                if ((uint)p[j] >= (uint)vocab)
                    throw new ArgumentException($"token {p[j]} of prompt {r} is outside the vocabulary (0..{vocab - 1})", nameof(prompts));
                ids[(r * longest) + pad + j] = p[j];
                positions[(r * longest) + pad + j] = j;
            }
        }
        return new PaddedBatch(batch, longest, ids, positions, pads, lengths);
    }
}
