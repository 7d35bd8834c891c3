using SiliconBench.Serving;
using SiliconBench.Serving.Prompts;
using SiliconBench.Workloads;

namespace SiliconBench.Planning;

/// <summary>
/// Serving mode's plan: the profile's arrival process as a sweep of load points (closed-loop concurrencies or
/// open-loop rates), and for every request slot its lengths drawn from the profile's distributions and a
/// prompt, deterministic per seed, point and slot, opening with the profile's shared prefix. Requests cycle
/// through the profile's (context, output) pairs, one pair per conversation; with <c>turns &gt; 1</c> consecutive slots
/// are the turns of one conversation, each prompt extending the last. The prompt vocabulary renders each planned
/// prompt as token ids and text (exact in length where it was built from the served model's tokenizer).
/// </summary>
public static class ServingPlanner
{
    /// <summary>Requests per point when the profile sets neither a request count nor a minimum duration.</summary>
    public const int DefaultRequestsPerPoint = 32;

    /// <summary>The plan with a nominal vocabulary of <paramref name="vocabSize"/> token ids (an in-process engine's own vocabulary).</summary>
    public static ServingPlan Plan(ResolvedProfile profile, int vocabSize, int? maxContext = null) =>
        Plan(profile, new NominalPromptVocabulary(Math.Max(2, vocabSize)), maxContext);

    public static ServingPlan Plan(ResolvedProfile profile, IPromptVocabulary vocabulary, int? maxContext = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(vocabulary);
        var arrival = profile.Arrival
            ?? throw profile.Locator.Error("arrival", "serving mode needs an arrival process (closed-loop concurrency or open-loop rates)");
        double? duration = profile.MinDurationSeconds > 0 ? profile.MinDurationSeconds : null;
        var requests = profile.RequestCount ?? (duration is null ? DefaultRequestsPerPoint : null);
        var points = ServingPoint.Sweep(arrival, requests, duration);
        var pairs = profile.LengthPairs;
        if (maxContext is { } max)
        {
            foreach (var pair in pairs.Where(p => p.Context + p.Output > max))
                throw profile.Locator.Error("context", $"context {pair.Context} + output {pair.Output} exceeds the model's {max} positions");
        }
        var seedKey = StreamKey.Of(profile.Seed);
        var vocab = vocabulary.Size;
        var prefix = Planner.SharedPrefix(profile, vocab);

        ServingRequestSpec Request(RequestSlot slot)
        {
            // Slot i is turn i mod turns of conversation i / turns: the conversation's body is drawn once, and each
            // turn's prompt is the shared prefix plus a longer part of it (the previous turns plus the new message),
            // as in engine mode, so a server's prefix cache sees what multi-turn traffic gives it.
            var (conversation, turn) = Math.DivRem(slot.Index, profile.Turns);
            var conversationKey = StreamKey.Mix(StreamKey.Mix(StreamKey.Mix(seedKey, "serving"), slot.Point), (ulong)conversation * 2 + (slot.Warmup ? 1UL : 0UL));
            var body = StableRandom.FromKey(conversationKey);
            var pair = pairs[conversation % pairs.Count];
            var length = LengthSampler.Draw(profile.Context, pair.Context, ref body);
            var turnRandom = StableRandom.FromKey(StreamKey.Mix(StreamKey.Mix(conversationKey, "turn"), (ulong)turn));
            var output = LengthSampler.Draw(profile.Output, pair.Output, ref turnRandom);
            var shared = Math.Min(prefix.Length, length);
            var input = shared + (int)(((long)(length - shared) * (turn + 1) + profile.Turns - 1) / profile.Turns);
            if (maxContext is { } m && input + output > m)
                output = Math.Max(1, m - input);
            var ids = new int[input];
            prefix.AsSpan(0, shared).CopyTo(ids);
            Planner.FillTokens(ids, shared, ids.Length, vocab, ref body);
            var prompt = vocabulary.Render(ids);
            return new ServingRequestSpec(input, output) { PromptTokenIds = prompt.TokenIds, PromptText = prompt.Text };
        }

        return new ServingPlan
        {
            Points = points,
            Requests = Request,
            WarmupRequests = profile.WarmupRepetitions * Math.Max(1, arrival.Concurrency.Count > 0 ? arrival.Concurrency[0] : 1),
            Seed = profile.Seed,
        };
    }
}
