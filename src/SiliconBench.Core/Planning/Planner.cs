using SiliconBench.Running;
using SiliconBench.Workloads;

namespace SiliconBench.Planning;

/// <summary>
/// Turns a resolved profile into the engine runner's schedule: one operating point per batch size × (context,
/// output) pair, id <c>b{batch}-c{context}-o{output}</c> with the nominal lengths, batch sizes outermost, each
/// list in file order. Batches are built on demand and are a pure function of seed, point, repetition and
/// warm-up, so a re-run with the same seed feeds the engine the same tokens.
/// </summary>
public static class Planner
{
    /// <param name="vocabSize">The model's vocabulary; token ids are drawn from [1, vocabSize).</param>
    /// <param name="maxContext">
    /// The model's context window, if known: a point whose nominal context + output exceed it is an input error;
    /// draws around a point that fits are cut to fit, output first up to what the shortest prompt leaves, then the prompt.
    /// </param>
    public static RunSchedule Plan(ResolvedProfile profile, int vocabSize, int? maxContext = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabSize, 2);
        if (maxContext is { } mc)
            ArgumentOutOfRangeException.ThrowIfLessThan(mc, 2, nameof(maxContext));

        var pairs = profile.LengthPairs;
        for (var i = 0; i < pairs.Count; i++)
        {
            var (c, o) = (pairs[i].Context, pairs[i].Output);
            if (maxContext is { } window && (long)c + o > window)
            {
                var field = profile.Mix is not null ? $"mix[{i}]" : $"context.nominal[{IndexOf(profile.Context.Nominal, c)}]";
                throw profile.Locator.Error(field,
                    $"context {c} + output {o} = {c + o} tokens does not fit the model's context window of {window} tokens");
            }
        }

        var seedKey = StreamKey.Of(profile.Seed);
        var prefix = SharedPrefix(profile, vocabSize);

        var points = new List<ScheduledPoint>(profile.BatchSizes.Count * pairs.Count);
        foreach (var batch in profile.BatchSizes)
        {
            foreach (var pair in pairs)
            {
                var id = $"b{batch}-c{pair.Context}-o{pair.Output}";
                var sampler = new PointSampler(profile, batch, pair, vocabSize, maxContext, StreamKey.Mix(seedKey, id), prefix);
                points.Add(new ScheduledPoint(id, batch, sampler.CreateBatch));
            }
        }
        return new RunSchedule
        {
            Points = points,
            WarmupRepetitions = profile.WarmupRepetitions,
            Repetitions = profile.Repetitions,
            MinDurationSeconds = profile.MinDurationSeconds,
            MaxRepetitions = profile.MaxRepetitions,
        };
    }

    private static int IndexOf(IReadOnlyList<int> list, int value)
    {
        for (var i = 0; i < list.Count; i++)
            if (list[i] == value)
                return i;
        return 0;
    }

    /// <summary>The tokens every prompt of the run starts with (a system prompt, tool definitions), the same in both modes.</summary>
    internal static int[] SharedPrefix(ResolvedProfile profile, int vocabSize)
    {
        var prefix = new int[profile.SharedPrefixTokens];
        var random = StableRandom.FromKey(StreamKey.Mix(StreamKey.Of(profile.Seed), "shared-prefix"));
        FillTokens(prefix, 0, prefix.Length, vocabSize, ref random);
        return prefix;
    }

    internal static void FillTokens(int[] tokens, int from, int to, int vocabSize, ref StableRandom random)
    {
        for (var i = from; i < to; i++)
            tokens[i] = 1 + random.NextInt(vocabSize - 1);
    }
}
