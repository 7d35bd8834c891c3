using SiliconBench.Planning;
using SiliconBench.Serving;
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
    public void Requests_are_deterministic_per_slot_open_with_the_shared_prefix_and_stay_in_bounds()
    {
        var profile = Agentic();
        Assert.True(profile.SharedPrefixTokens > 0, "the agentic smoke profile has a shared prefix");
        var plan = ServingPlanner.Plan(profile, vocabSize: 512);

        Assert.NotEmpty(plan.Points);
        var a = plan.Requests(new RequestSlot(plan.Points[0].Id, 3, false));
        var again = plan.Requests(new RequestSlot(plan.Points[0].Id, 3, false));
        var other = plan.Requests(new RequestSlot(plan.Points[0].Id, 4, false));
        Assert.Equal(a.PromptTokenIds, again.PromptTokenIds);
        Assert.NotEqual(a.PromptTokenIds, other.PromptTokenIds);
        Assert.Equal(a.InputTokens, a.PromptTokenIds!.Count);
        var shared = Math.Min(profile.SharedPrefixTokens, Math.Min(a.InputTokens, other.InputTokens));
        Assert.Equal(a.PromptTokenIds.Take(shared), other.PromptTokenIds!.Take(shared));
        Assert.All(a.PromptTokenIds, t => Assert.InRange(t, 1, 511));
        var nominal = profile.LengthPairs[3 % profile.LengthPairs.Count].Context;
        Assert.InRange(a.InputTokens, profile.Context.LowerBound(nominal), profile.Context.UpperBound(nominal));
        Assert.Equal(a.InputTokens, a.PromptText!.Split(' ').Length);
    }
}
