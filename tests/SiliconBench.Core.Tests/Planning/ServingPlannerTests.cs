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
}
