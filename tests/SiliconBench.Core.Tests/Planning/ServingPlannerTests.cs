using SiliconBench.Planning;
using SiliconBench.Serving;
using SiliconBench.Serving.Prompts;
using SiliconBench.Workloads;
using Xunit;

namespace SiliconBench.Tests.Planning;

public sealed class ServingPlannerTests
{
    private static ResolvedProfile Agentic()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "workloads", "agentic-long-context.yaml");
            if (File.Exists(path))
                return WorkloadLoader.Load(path).GetProfile("smoke");
        }
        throw new InvalidOperationException("workloads/ not found");
    }

    [Fact]
    public void Requests_are_deterministic_per_slot_and_open_with_the_shared_prefix()
    {
        var profile = Agentic();
        Assert.True(profile.SharedPrefixTokens > 0, "the agentic smoke profile has a shared prefix");
        var plan = ServingPlanner.Plan(profile, vocabSize: 512);
        var point = plan.Points[0].Id;

        var a = plan.Requests(new RequestSlot(point, 0, false));
        Assert.Equal(a.PromptTokenIds, plan.Requests(new RequestSlot(point, 0, false)).PromptTokenIds);
        Assert.Equal(a.InputTokens, a.PromptTokenIds!.Count);
        Assert.All(a.PromptTokenIds, t => Assert.InRange(t, 1, 511));
        Assert.Equal(a.InputTokens, a.PromptText!.Split(' ').Length);
        var nextConversation = plan.Requests(new RequestSlot(point, profile.Turns, false));
        var shared = Math.Min(profile.SharedPrefixTokens, Math.Min(a.InputTokens, nextConversation.InputTokens));
        Assert.Equal(a.PromptTokenIds.Take(shared), nextConversation.PromptTokenIds!.Take(shared));
        Assert.NotEqual(a.PromptTokenIds.Skip(shared).Take(8), nextConversation.PromptTokenIds!.Skip(shared).Take(8));
    }

    [Fact]
    public void Each_turn_of_a_conversation_extends_the_previous_prompt_up_to_the_drawn_context()
    {
        var profile = Agentic();
        Assert.True(profile.Turns > 1, "the agentic smoke profile is multi-turn");
        var plan = ServingPlanner.Plan(profile, vocabSize: 512);
        var point = plan.Points[0].Id;

        var turns = Enumerable.Range(0, profile.Turns).Select(t => plan.Requests(new RequestSlot(point, t, false)).PromptTokenIds!).ToList();
        for (var t = 1; t < turns.Count; t++)
        {
            Assert.True(turns[t].Count > turns[t - 1].Count, $"turn {t} is longer than turn {t - 1}");
            Assert.Equal(turns[t - 1], turns[t].Take(turns[t - 1].Count));
        }
        var nominal = profile.LengthPairs[0].Context;
        Assert.InRange(turns[^1].Count, profile.Context.LowerBound(nominal), profile.Context.UpperBound(nominal));
    }

    [Fact]
    public void The_prompt_vocabulary_renders_what_is_sent_and_bounds_the_pieces_drawn()
    {
        var profile = Agentic();
        var vocabulary = new LetterVocabulary();
        var plan = ServingPlanner.Plan(profile, vocabulary);
        var point = plan.Points[0].Id;

        var first = plan.Requests(new RequestSlot(point, 0, false));
        var second = plan.Requests(new RequestSlot(point, 1, false));

        Assert.All(first.PromptTokenIds!, id => Assert.InRange(id, 1000, 1000 + LetterVocabulary.Letters - 1));
        Assert.Equal(first.InputTokens, first.PromptText!.Length);
        Assert.StartsWith(first.PromptText, second.PromptText!, StringComparison.Ordinal); // turn 2 extends turn 1
    }

    /// <summary>Piece k is the letter 'a' + k and token id 1000 + k.</summary>
    private sealed class LetterVocabulary : IPromptVocabulary
    {
        public const int Letters = 5;

        public string Id => "letters";

        public int Size => Letters;

        public bool ExactText => true;

        public RenderedPrompt Render(ReadOnlySpan<int> pieces)
        {
            Assert.All(pieces.ToArray(), p => Assert.InRange(p, 0, Letters - 1));
            return new RenderedPrompt([.. pieces.ToArray().Select(p => 1000 + p)], new string([.. pieces.ToArray().Select(p => (char)('a' + p))]));
        }
    }

    [Fact]
    public void A_salt_draws_every_prompts_words_and_the_shared_prefix_afresh_keeping_lengths_and_no_salt_keeps_them_a_function_of_the_seed()
    {
        var profile = Agentic();
        var plan = ServingPlanner.Plan(profile, vocabSize: 512);
        var point = plan.Points[0].Id;
        int[] Ids(ulong salt, int index) => [.. plan.Requests(new RequestSlot(point, index, false, salt)).PromptTokenIds!];
        var shared = profile.SharedPrefixTokens;

        Assert.Equal(Ids(0, 0), Ids(0, 0));
        Assert.Equal(Ids(7, 0), Ids(7, 0));
        Assert.NotEqual(Ids(7, 0).Take(shared), Ids(8, 0).Take(shared));
        Assert.NotEqual(Ids(0, 0).Take(shared), Ids(7, 0).Take(shared));
        // Only the words change: lengths stay the seed's, so runs and repetitions offer the same work.
        Assert.All(Enumerable.Range(0, 8), i => Assert.Equal(Ids(0, i).Length, Ids(7, i).Length));
        // Within one salt the requests still share the prefix the workload asks for.
        Assert.Equal(Ids(7, 0).Take(shared), Ids(7, profile.Turns).Take(shared));
        Assert.NotEqual(0UL, ServingPlanner.NewPromptSalt());
        Assert.NotEqual(ServingPlanner.NewPromptSalt(), ServingPlanner.NewPromptSalt());
    }

    [Fact]
    public void Each_request_names_what_it_shares_the_prefix_on_a_first_turn_and_the_previous_prompt_after()
    {
        var profile = Agentic();
        Assert.True(profile.Turns > 1, "the agentic smoke profile has several turns");
        var plan = ServingPlanner.Plan(profile, vocabSize: 512);
        var point = plan.Points[0].Id;
        var turns = Enumerable.Range(0, profile.Turns).Select(t => plan.Requests(new RequestSlot(point, t, false, 3))).ToList();

        Assert.Equal(Math.Min(profile.SharedPrefixTokens, turns[0].InputTokens), turns[0].SharedTokens);
        for (var t = 1; t < turns.Count; t++)
        {
            Assert.Equal(turns[t - 1].InputTokens, turns[t].SharedTokens);
            Assert.Equal(turns[t - 1].PromptTokenIds, turns[t].PromptTokenIds!.Take(turns[t - 1].InputTokens));
        }
    }

    [Fact]
    public void Warm_up_opens_the_sweeps_highest_concurrency_and_sends_two_requests_on_each()
    {
        var profile = Agentic() with { Arrival = new ArrivalProcess { Kind = ArrivalKind.ClosedLoop, Concurrency = [1, 4, 2] }, WarmupRepetitions = 1 };

        var plan = ServingPlanner.Plan(profile, vocabSize: 512);

        Assert.Equal(4, plan.WarmupConcurrency);
        Assert.Equal(8, plan.WarmupRequests);
    }
}
