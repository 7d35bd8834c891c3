using SiliconBench.Diagnostics;
using SiliconBench.Planning;
using SiliconBench.Running;
using SiliconBench.Workloads;
using Xunit;

namespace SiliconBench.Tests.Planning;

public sealed class PlannerTests
{
    private const int Vocab = 1000;

    private static ResolvedProfile Profile(string body, string profile = "p") =>
        WorkloadLoader.Parse($"name: t\nprofiles:\n  {profile}:\n" + string.Join('\n', body.Split('\n').Select(l => "    " + l)), "t.yaml", null)
            .GetProfile(profile);

    private static ResolvedProfile Fixed(string extra = "") => Profile($"batch_sizes: [1, 4]\ncontext: [32, 128]\noutput: [16]\n{extra}");

    private static ScheduledPoint Point(RunSchedule schedule, string id) => Assert.Single(schedule.Points, p => p.Id == id);

    private static int[][] Prompts(ScheduledPoint point, int repetition, bool warmup = false) =>
        [.. point.CreateBatch(repetition, warmup).Select(s => s.Prompt)];

    [Fact]
    public void Points_are_batch_sizes_crossed_with_lengths_in_file_order()
    {
        var schedule = Planner.Plan(Profile("batch_sizes: [4, 1]\ncontext: [128, 32]\noutput: [16, 8]"), Vocab);
        Assert.Equal(
            ["b4-c128-o16", "b4-c128-o8", "b4-c32-o16", "b4-c32-o8", "b1-c128-o16", "b1-c128-o8", "b1-c32-o16", "b1-c32-o8"],
            schedule.Points.Select(p => p.Id));
        Assert.All(schedule.Points, p => Assert.Equal(p.Batch, int.Parse(p.Id[1..p.Id.IndexOf('-')])));
    }

    [Fact]
    public void Mix_pairs_replace_the_product()
    {
        var schedule = Planner.Plan(Profile("batch_sizes: [2]\nmix: [{context: 64, output: 4}, {context: 8, output: 32}]"), Vocab);
        Assert.Equal(["b2-c64-o4", "b2-c8-o32"], schedule.Points.Select(p => p.Id));
        var batch = Point(schedule, "b2-c8-o32").CreateBatch(0, false);
        Assert.All(batch, s => Assert.Equal((8, 32), (s.Prompt.Length, s.OutputTokens)));
    }

    [Fact]
    public void Repetition_settings_are_copied_into_the_schedule()
    {
        var schedule = Planner.Plan(Fixed("warmup_repetitions: 2\nrepetitions: 4\nmin_duration_s: 2.5\nmax_repetitions: 9"), Vocab);
        Assert.Equal((2, 4, 2.5, 9), (schedule.WarmupRepetitions, schedule.Repetitions, schedule.MinDurationSeconds, schedule.MaxRepetitions));
    }

    [Fact]
    public void Fixed_lengths_are_exact_and_tokens_are_in_the_vocabulary()
    {
        var schedule = Planner.Plan(Fixed(), vocabSize: 3);
        foreach (var point in schedule.Points)
        {
            var batch = point.CreateBatch(0, false);
            Assert.Equal(point.Batch, batch.Count);
            var nominalContext = point.Id.Contains("-c32-") ? 32 : 128;
            Assert.All(batch, s => Assert.Equal((nominalContext, 16), (s.Prompt.Length, s.OutputTokens)));
            Assert.All(batch, s => Assert.All(s.Prompt, t => Assert.InRange(t, 1, 2)));
        }
        // Both ids of a vocabulary of 3 occur: the draw covers [1, vocab).
        Assert.Equal([1, 2], Prompts(Point(schedule, "b4-c128-o16"), 0).SelectMany(p => p).Distinct().Order());
    }

    [Fact]
    public void Same_seed_gives_the_same_prompts()
    {
        var a = Point(Planner.Plan(Fixed(), Vocab), "b4-c128-o16");
        var b = Point(Planner.Plan(Fixed(), Vocab), "b4-c128-o16");
        for (var rep = 0; rep < 3; rep++)
        {
            Assert.Equal(Prompts(a, rep), Prompts(b, rep));
            Assert.Equal(Prompts(a, rep, warmup: true), Prompts(b, rep, warmup: true));
        }
        Assert.Equal(Prompts(a, 1), Prompts(a, 1)); // and a second call for the same repetition
    }

    [Fact]
    public void Repetition_warmup_point_sequence_and_seed_each_change_the_prompts()
    {
        var schedule = Planner.Plan(Fixed(), Vocab);
        var point = Point(schedule, "b4-c128-o16");
        var first = Prompts(point, 0);
        Assert.NotEqual(first, Prompts(point, 1));
        Assert.NotEqual(first, Prompts(point, 0, warmup: true));
        Assert.NotEqual(first[0], first[1]);
        Assert.NotEqual(first[0], Prompts(Point(schedule, "b1-c128-o16"), 0)[0]);
        var reseeded = Planner.Plan(Fixed() with { Seed = 7 }, Vocab);
        Assert.NotEqual(first, Prompts(Point(reseeded, "b4-c128-o16"), 0));
    }

    [Fact]
    public void Prompts_are_pinned_for_a_seed()
    {
        // A change here changes every recorded prompt: make it on purpose, never by accident.
        var prompt = Prompts(Point(Planner.Plan(Fixed(), Vocab), "b1-c32-o16"), 0)[0];
        Assert.Equal(string.Join(", ", PinnedPrompt), string.Join(", ", prompt[..8]));
    }

    private static readonly int[] PinnedPrompt = [723, 991, 430, 223, 910, 880, 715, 954];

    [Fact]
    public void Uniform_lengths_stay_within_the_spread()
    {
        var profile = Profile("batch_sizes: [16]\ncontext: {kind: uniform, nominal: [100], spread: 0.2}\noutput: {kind: uniform, nominal: [10], spread: 0.5, max: 14}");
        var lengths = DrawAll(profile, "b16-c100-o10", 40);
        Assert.All(lengths, l => Assert.InRange(l.Context, 80, 120));
        Assert.All(lengths, l => Assert.InRange(l.Output, 5, 14));
        Assert.Equal(80, lengths.Min(l => l.Context));
        Assert.Equal(120, lengths.Max(l => l.Context));
        Assert.Equal(14, lengths.Max(l => l.Output)); // the clamp is reached
        Assert.InRange(lengths.Average(l => l.Context), 98, 102);
    }

    [Fact]
    public void Lognormal_lengths_have_the_nominal_as_median_and_stay_within_min_max()
    {
        var profile = Profile("batch_sizes: [16]\ncontext: {kind: lognormal, nominal: [200], sigma: 0.6, min: 50, max: 600}\noutput: [4]");
        var lengths = DrawAll(profile, "b16-c200-o4", 100).Select(l => l.Context).Order().ToArray();
        Assert.All(lengths, l => Assert.InRange(l, 50, 600));
        Assert.Equal(50, lengths[0]);
        Assert.Equal(600, lengths[^1]);
        Assert.InRange(lengths[lengths.Length / 2], 185, 215);
    }

    [Fact]
    public void Trace_lengths_come_from_the_trace()
    {
        var profile = WorkloadLoader.Load(Path.Combine(AppContext.BaseDirectory, "Data", "Workloads", "traced.yaml")).GetProfile("smoke");
        var schedule = Planner.Plan(profile, Vocab);
        Assert.Equal(["b2-c75-o16"], schedule.Points.Select(p => p.Id));
        var lengths = DrawAll(profile, "b2-c75-o16", 100);
        Assert.Equal([40, 60, 75, 120, 150], lengths.Select(l => l.Context).Distinct().Order()); // 200 clamped to max 150
        Assert.Equal([8, 16, 24], lengths.Select(l => l.Output).Distinct().Order());
    }

    [Fact]
    public void Shared_prefix_opens_every_prompt_of_the_run()
    {
        var schedule = Planner.Plan(Fixed("shared_prefix_tokens: 20"), Vocab);
        var prefix = Prompts(schedule.Points[0], 0)[0][..20];
        foreach (var point in schedule.Points)
            foreach (var warmup in new[] { true, false })
                foreach (var prompt in Prompts(point, 2, warmup))
                {
                    Assert.Equal(prefix, prompt[..20]);
                    Assert.True(prompt.Length > 20);
                }
        var withoutPrefix = Planner.Plan(Fixed(), Vocab);
        Assert.NotEqual(prefix, Prompts(withoutPrefix.Points[0], 0)[0][..20]);
    }

    [Fact]
    public void Turns_grow_one_conversation_until_the_context_length()
    {
        var point = Planner.Plan(Profile("batch_sizes: [2]\ncontext: [100]\noutput: [4]\nshared_prefix_tokens: 10\nturns: 3"), Vocab).Points[0];
        var turns = Enumerable.Range(0, 3).Select(rep => Prompts(point, rep)).ToArray();
        for (var seq = 0; seq < 2; seq++)
        {
            Assert.Equal([40, 70, 100], turns.Select(t => t[seq].Length));
            Assert.Equal(turns[0][seq], turns[1][seq][..40]);
            Assert.Equal(turns[1][seq], turns[2][seq][..70]);
        }
        Assert.NotEqual(turns[2][0][..40], turns[2][1][..40]); // one conversation per sequence
        var nextConversation = Prompts(point, 3);
        Assert.Equal(40, nextConversation[0].Length);
        Assert.Equal(turns[0][0][..10], nextConversation[0][..10]);
        Assert.NotEqual(turns[0][0], nextConversation[0]);
    }

    [Fact]
    public void Point_beyond_the_model_context_is_an_input_error_naming_the_field()
    {
        var profile = Profile("batch_sizes: [1]\ncontext: [512, 1024]\noutput: [256]", profile: "full");
        Assert.NotEmpty(Planner.Plan(profile, Vocab, maxContext: 1280).Points);
        var e = Assert.Throws<InputException>(() => Planner.Plan(profile, Vocab, maxContext: 1024));
        Assert.Equal(("t.yaml", 5, "profiles.full.context[1]"), (e.File, e.Line, e.Field));
        Assert.Contains("1024 + output 256 = 1280 tokens does not fit the model's context window of 1024", e.Problem);

        var mix = Profile("batch_sizes: [1]\nmix:\n  - {context: 8, output: 8}\n  - {context: 1000, output: 100}");
        var m = Assert.Throws<InputException>(() => Planner.Plan(mix, Vocab, maxContext: 1024));
        Assert.Equal((7, "profiles.p.mix[1]"), (m.Line, m.Field));
    }

    [Fact]
    public void Draws_around_a_point_that_fits_are_cut_to_the_window()
    {
        var profile = Profile("batch_sizes: [16]\ncontext: {kind: lognormal, nominal: [400], sigma: 1.0, min: 10}\noutput: {kind: lognormal, nominal: [100], sigma: 1.0}");
        var lengths = DrawAll(profile, "b16-c400-o100", 50, maxContext: 600);
        Assert.All(lengths, l => Assert.InRange(l.Context + l.Output, 2, 600));
        Assert.All(lengths, l => Assert.True(l.Context >= 10));
        Assert.Contains(lengths, l => l.Context + l.Output == 600);
    }

    [Fact]
    public void Bad_arguments_are_programming_errors()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Planner.Plan(Fixed(), vocabSize: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Planner.Plan(Fixed(), Vocab).Points[0].CreateBatch(-1, false));
    }

    [Fact]
    public void Generator_matches_the_xoshiro256_starstar_and_splitmix64_references()
    {
        var x = StableRandom.FromState(1, 2, 3, 4);
        Assert.Equal(
            [11520UL, 0UL, 1509978240UL, 1215971899390074240UL, 1216172134540287360UL, 607988272756665600UL,
             16172922978634559625UL, 8476171486693032832UL, 10595114339597558777UL, 2904607092377533576UL],
            Enumerable.Range(0, 10).Select(_ => x.NextUInt64()).ToArray());
        var state = 1234567UL;
        Assert.Equal(
            [6457827717110365317UL, 3203168211198807973UL, 9817491932198370423UL, 4593380528125082431UL, 16408922859458223821UL],
            Enumerable.Range(0, 5).Select(_ => StableRandom.SplitMix64(ref state)).ToArray());
    }

    [Fact]
    public void Bounded_ints_are_uniform_and_in_range()
    {
        var r = StableRandom.FromKey(99);
        var counts = new int[7];
        for (var i = 0; i < 70_000; i++)
            counts[r.NextInt(7)]++;
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
        Assert.All(Enumerable.Range(0, 1000).Select(_ => r.NextInt(3, 5)), v => Assert.InRange(v, 3, 5));
    }

    private static List<(int Context, int Output)> DrawAll(ResolvedProfile profile, string id, int repetitions, int? maxContext = null)
    {
        var point = Point(Planner.Plan(profile, Vocab, maxContext), id);
        return [.. Enumerable.Range(0, repetitions).SelectMany(rep => point.CreateBatch(rep, false)).Select(s => (s.Prompt.Length, s.OutputTokens))];
    }
}
