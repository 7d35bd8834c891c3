using SiliconBench.Running;
using SiliconBench.Workloads;

namespace SiliconBench.Planning;

/// <summary>
/// Builds the batches of one operating point. Sequence i of repetition r belongs to conversation r / turns and is
/// at turn r mod turns: its prompt is the shared prefix, then the first part of that conversation's body, growing
/// turn by turn up to the drawn context length at the last turn (with one turn: the whole body, a new conversation
/// every repetition). Warm-up batches draw from their own streams, so they never repeat a measured batch.
/// </summary>
internal sealed class PointSampler(
    ResolvedProfile profile, int batch, MixPair nominal, int vocabSize, int? maxContext, ulong pointKey, int[] prefix)
{
    private readonly int _contextLow = Math.Max(profile.Context.LowerBound(nominal.Context), prefix.Length + 1);

    public IReadOnlyList<SequenceSpec> CreateBatch(int repetition, bool warmup)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(repetition);
        var turns = profile.Turns;
        var (conversation, turn) = Math.DivRem(repetition, turns);
        var batchKey = StreamKey.Mix(StreamKey.Mix(pointKey, warmup ? 1UL : 0UL), (ulong)conversation);
        var sequences = new SequenceSpec[batch];
        for (var i = 0; i < batch; i++)
        {
            var conversationKey = StreamKey.Mix(batchKey, (ulong)i);
            var body = StableRandom.FromKey(conversationKey);
            var length = Math.Max(LengthSampler.Draw(profile.Context, nominal.Context, ref body), _contextLow);

            var turnRandom = StableRandom.FromKey(StreamKey.Mix(StreamKey.Mix(conversationKey, "turn"), (ulong)turn));
            var output = LengthSampler.Draw(profile.Output, nominal.Output, ref turnRandom);

            var bodyLength = length - prefix.Length;
            var promptLength = prefix.Length + (int)(((long)bodyLength * (turn + 1) + turns - 1) / turns);
            if (maxContext is { } window)
            {
                output = Math.Min(output, window - _contextLow);
                promptLength = Math.Min(promptLength, window - output);
            }

            var prompt = new int[promptLength];
            prefix.CopyTo(prompt, 0);
            Planner.FillTokens(prompt, prefix.Length, promptLength, vocabSize, ref body);
            sequences[i] = new SequenceSpec(prompt, output);
        }
        return sequences;
    }
}

/// <summary>Draws one length from a distribution around a nominal; always within its lower and upper bound.</summary>
internal static class LengthSampler
{
    public static int Draw(LengthDistribution d, int nominal, ref StableRandom random)
    {
        switch (d.Kind)
        {
            case LengthDistributionKind.Fixed:
                return nominal;
            case LengthDistributionKind.Uniform:
                return random.NextInt(d.LowerBound(nominal), d.UpperBound(nominal));
            case LengthDistributionKind.Lognormal:
                var value = Math.Round(nominal * Math.Exp(d.Sigma!.Value * random.NextGaussian()));
                return (int)Math.Clamp(value, d.LowerBound(nominal), d.UpperBound(nominal));
            case LengthDistributionKind.Trace:
                var samples = d.Trace!.Values;
                return d.Clamp(samples[random.NextInt(samples.Count)]);
            default:
                throw new InvalidOperationException($"unknown distribution kind {d.Kind}");
        }
    }
}
