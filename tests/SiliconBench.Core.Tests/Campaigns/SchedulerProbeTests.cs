using SiliconBench.Probing;
using Xunit;

namespace SiliconBench.Tests.Campaigns;

public sealed class SchedulerProbeTests
{
    [Fact]
    public void A_slurm_array_task_names_its_job_task_and_node()
    {
        var env = new Dictionary<string, string>
        {
            ["SLURM_JOB_ID"] = "41", ["SLURM_ARRAY_JOB_ID"] = "40", ["SLURM_ARRAY_TASK_ID"] = "3", ["SLURMD_NODENAME"] = "gpu-07",
            ["SLURM_CLUSTER_NAME"] = "lab", ["SLURM_JOB_PARTITION"] = "h100", ["SILICONBENCH_CAMPAIGN"] = "c", ["SILICONBENCH_CAMPAIGN_TASK"] = "c-x-r1",
            ["JOB_COMPLETION_INDEX"] = "9",
        };

        var s = SchedulerProbe.Describe(env.GetValueOrDefault)!;

        Assert.Equal(("slurm", "41", "40", "3", "gpu-07"), (s.Kind, s.JobId, s.ArrayJobId, s.TaskIndex, s.Node));
        Assert.Equal(("lab", "h100", "c", "c-x-r1"), (s.Cluster, s.Partition, s.Campaign, s.CampaignTask));
    }

    [Fact]
    public void A_kubernetes_indexed_job_pod_names_its_job_index_pod_and_node()
    {
        var env = new Dictionary<string, string>
        {
            ["JOB_COMPLETION_INDEX"] = "2", ["HOSTNAME"] = "sb-lab-gpu-2-x7k2p", ["SILICONBENCH_NODE_NAME"] = "node-a", ["SILICONBENCH_JOB_NAME"] = "sb-lab-gpu",
        };

        var s = SchedulerProbe.Describe(env.GetValueOrDefault)!;

        Assert.Equal(("kubernetes", "sb-lab-gpu", "2", "sb-lab-gpu-2-x7k2p", "node-a"), (s.Kind, s.JobId, s.TaskIndex, s.Pod, s.Node));
    }

    [Fact]
    public void A_run_started_by_hand_has_no_scheduler() =>
        Assert.Null(SchedulerProbe.Describe(new Dictionary<string, string> { ["HOSTNAME"] = "laptop" }.GetValueOrDefault));
}
