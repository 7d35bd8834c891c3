using SiliconBench.Campaigns;
using Xunit;

namespace SiliconBench.Tests.Campaigns;

public sealed class CampaignPlannerTests
{
    [Fact]
    public void Every_system_model_workload_profile_and_repetition_is_one_task_in_file_order()
    {
        var plan = CampaignPlanner.Plan(CampaignFiles.Parse(CampaignFiles.TwoSystems));

        Assert.Equal([0, 1, 2, 3], plan.Tasks.Select(t => t.Index));
        Assert.Equal(
            ["lab-gpu-tiny-interactive-chat-smoke-r1", "lab-gpu-tiny-interactive-chat-smoke-r2", "lab-cpu-tiny-interactive-chat-smoke-r1", "lab-cpu-tiny-interactive-chat-smoke-r2"],
            plan.Tasks.Select(t => t.Key));
        Assert.Equal(["gpu-tiny-interactive-chat-smoke", "cpu-tiny-interactive-chat-smoke"], plan.Tasks.Select(t => t.Candidate).Distinct());
        Assert.All(plan.Tasks, t => Assert.Equal("interactive-chat-smoke", t.GateGroup));
        Assert.Equal(4, plan.Tasks.Select(t => t.Key).Distinct().Count());
    }

    [Fact]
    public void Run_arguments_carry_the_system_and_the_campaign_wide_options()
    {
        var task = CampaignPlanner.Plan(CampaignFiles.Parse(CampaignFiles.TwoSystems)).Tasks[0];

        Assert.Equal(
        [
            "--workload", "/shared/campaigns/lab/inputs/workloads/interactive-chat.yaml", "--profile", "smoke", "--model", "synthetic:tiny",
            "--backend", "worker", "--device", "cuda", "--dtype", "bf16", "--option", "command=python3", "--option", "threads=4",
            "--sampler", "nvml", "--idle-s", "5", "--no-roofline", "--no-site",
        ], task.Arguments);
    }

    [Fact]
    public void Later_attempts_get_their_own_run_ids()
    {
        var task = CampaignPlanner.Plan(CampaignFiles.Parse(CampaignFiles.TwoSystems)).Tasks[1];

        Assert.Equal(["lab-gpu-tiny-interactive-chat-smoke-r2", "lab-gpu-tiny-interactive-chat-smoke-r2-a2"], new[] { task.RunIdOf(1), task.RunIdOf(2) });
    }
}
