using SiliconBench.Serving;
using SiliconBench.Serving.Prompts;
using SiliconBench.Workloads;

namespace SiliconBench.Planning;

/// <summary>
/// Serving mode's plan: the profile's arrival process as a sweep of load points (closed-loop concurrencies or
/// open-loop rates), and for every request slot its lengths drawn from the profile's distributions and a
/// prompt, deterministic per seed, point and slot (and the plan's salt, when a run against a server sets one, so
/// prompts differ between runs and repetitions), opening with the profile's shared prefix. Requests cycle
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
        var unsaltedPrefix = Planner.SharedPrefix(profile, vocab);

        ServingRequestSpec Request(RequestSlot slot)
        {
            // A salted plan (one salt per run and repetition) draws every prompt's words and the shared prefix afresh,
            // so a server's prefix cache holds nothing from an earlier run; lengths stay a function of the seed, so
            // repetitions and runs offer the same work. Unsalted, prompts depend on the seed alone.
            var prefix = slot.Salt == 0 ? unsaltedPrefix : SaltedPrefix(profile, vocab, StreamKey.Mix(StreamKey.Mix(seedKey, "salt"), slot.Salt));
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
            if (slot.Salt != 0)
                body = StableRandom.FromKey(StreamKey.Mix(StreamKey.Mix(conversationKey, "salt"), slot.Salt));
            var shared = Math.Min(prefix.Length, length);
            int InputOfTurn(int t) => shared + (int)(((long)(length - shared) * (t + 1) + profile.Turns - 1) / profile.Turns);
            var input = InputOfTurn(turn);
            if (maxContext is { } m && input + output > m)
                output = Math.Max(1, m - input);
            var ids = new int[input];
            prefix.AsSpan(0, shared).CopyTo(ids);
            Planner.FillTokens(ids, shared, ids.Length, vocab, ref body);
            var prompt = vocabulary.Render(ids);
            // What the workload means to share with earlier requests: the previous turn's whole prompt, else the prefix.
            var intended = turn > 0 ? InputOfTurn(turn - 1) : shared;
            return new ServingRequestSpec(input, output) { PromptTokenIds = prompt.TokenIds, PromptText = prompt.Text, SharedTokens = intended };
        }

        return new ServingPlan
        {
            Points = points,
            Requests = Request,
            // Warm-up opens every connection the sweep will use (its highest concurrency) and sends at least two requests
            // on each: the first request of a connection pays for more than the connection (client code paths run
            // for the first time), and only the second one is like a measured request.
            WarmupRequests = Math.Max(2, profile.WarmupRepetitions) * WarmupConcurrency(arrival),
            WarmupConcurrency = WarmupConcurrency(arrival),
            Seed = profile.Seed,
        };
    }

    /// <summary>Closed loop: the sweep's highest concurrency; open loop: one connection (how many a rate needs is not known in advance).</summary>
    private static int WarmupConcurrency(ArrivalProcess arrival) =>
        arrival.Kind == ArrivalKind.ClosedLoop && arrival.Concurrency.Count > 0 ? Math.Max(1, arrival.Concurrency.Max()) : 1;

    private static int[] SaltedPrefix(ResolvedProfile profile, int vocabSize, ulong runKey)
    {
        var prefix = new int[profile.SharedPrefixTokens];
        var random = StableRandom.FromKey(StreamKey.Mix(runKey, "shared-prefix"));
        Planner.FillTokens(prefix, 0, prefix.Length, vocabSize, ref random);
        return prefix;
    }

    /// <summary>A fresh salt for one run (or repetition) of a plan against a server: random, never 0.</summary>
    public static ulong NewPromptSalt()
    {
        ulong salt;
        do
            salt = (ulong)System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue) << 32 | (uint)System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue);
        while (salt == 0);
        return salt;
    }
}
