using SiliconBench.Planning;
using SiliconBench.Testing;
using SiliconBench.Workloads;
using Xunit;

namespace SiliconBench.Tests.Planning;

/// <summary>Every file in the repository's workloads/ folder parses, and both of its profiles plan.</summary>
public sealed class ShippedWorkloadsTests
{
    /// <summary>The shapes of the CI model (synthetic:tiny) and of a lab model (Llama 3.1).</summary>
    private const int TinyVocab = 512, TinyContext = 1024, LabVocab = 128_256, LabContext = 131_072;

    public static string WorkloadsFolder() => RepoPaths.Workloads;

    /// <summary>Workload files: every YAML in workloads/ except the silicon catalog (silicon.yaml), which is not a workload.</summary>
    private static string[] FileNames() => [.. Directory.GetFiles(WorkloadsFolder(), "*.yaml").Select(f => Path.GetFileName(f)).Where(f => f != "silicon.yaml").Order()];

    public static TheoryData<string> Files() => new(FileNames());

    [Fact]
    public void The_five_sub_modes_are_shipped()
    {
        Assert.Equal(
            ["agentic-long-context.yaml", "batch-offline.yaml", "interactive-chat.yaml", "rag.yaml", "reasoning.yaml"],
            FileNames());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Parses_and_both_profiles_plan(string file)
    {
        var w = WorkloadLoader.Load(Path.Combine(WorkloadsFolder(), file));
        Assert.Equal(Path.GetFileNameWithoutExtension(file), w.Name);
        Assert.False(string.IsNullOrWhiteSpace(w.Description));
        Assert.Equal(["smoke", "full"], w.ProfileNames.Take(2)); // every workload starts with these two; extras follow

        var smoke = Planner.Plan(w.GetProfile("smoke"), TinyVocab, TinyContext);
        var full = Planner.Plan(w.GetProfile("full"), LabVocab, LabContext);
        Assert.NotEmpty(smoke.Points);
        Assert.Equal([1, 2, 4, 8, 16, 32, 64, 128, 256], full.Points.Select(p => p.Batch).Distinct());
        Assert.True(full.Repetitions >= 3);
        Assert.True(full.MinDurationSeconds > 0);
        foreach (var point in full.Points.Where(p => p.Batch == 1))
            Assert.Single(point.CreateBatch(0, false)); // a lab point builds (only the small ones, to keep the test fast)
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Smoke_profile_is_a_few_seconds_of_work_on_two_cpu_cores(string file)
    {
        var profile = WorkloadLoader.Load(Path.Combine(WorkloadsFolder(), file)).GetProfile("smoke");
        var schedule = Planner.Plan(profile, TinyVocab, TinyContext);
        Assert.Equal((1, 3, 0.0), (schedule.WarmupRepetitions, schedule.Repetitions, schedule.MinDurationSeconds));
        Assert.InRange(schedule.Points.Count, 2, 8);

        // Count what the engine will do: prompt tokens prefilled and decode steps, over every batch of the run.
        long promptTokens = 0, decodeSteps = 0;
        foreach (var point in schedule.Points)
        {
            var batches = Enumerable.Range(0, schedule.WarmupRepetitions).Select(r => point.CreateBatch(r, true))
                .Concat(Enumerable.Range(0, schedule.Repetitions).Select(r => point.CreateBatch(r, false)));
            foreach (var batch in batches)
            {
                Assert.Equal(point.Batch, batch.Count);
                Assert.All(batch, s => Assert.InRange(s.Prompt.Length + s.OutputTokens, 2, 320));
                promptTokens += batch.Sum(s => s.Prompt.Length);
                decodeSteps += batch.Max(s => s.OutputTokens) - 1;
            }
        }
        Assert.InRange(promptTokens, 1, 12_000);
        Assert.InRange(decodeSteps, 1, 1_000);
    }
}
