using SiliconBench.Records;

namespace SiliconBench.Probing;

/// <summary>
/// The environment variables a cluster scheduler sets in a task, and those a campaign's task script adds. Read where
/// the manifest's host is described, so every run started by a scheduler names its job, task and node without options.
/// </summary>
public static class SchedulerProbe
{
    public const string SlurmJobId = "SLURM_JOB_ID";
    public const string SlurmArrayJobId = "SLURM_ARRAY_JOB_ID";
    public const string SlurmArrayTaskId = "SLURM_ARRAY_TASK_ID";
    public const string SlurmNodeName = "SLURMD_NODENAME";
    public const string SlurmClusterName = "SLURM_CLUSTER_NAME";
    public const string SlurmPartition = "SLURM_JOB_PARTITION";

    /// <summary>Set by Kubernetes in every pod of an Indexed Job.</summary>
    public const string KubernetesCompletionIndex = "JOB_COMPLETION_INDEX";
    /// <summary>A pod's hostname is its name.</summary>
    public const string PodName = "HOSTNAME";
    /// <summary>Kubernetes has no variable for these: the rendered Job sets them from the downward API.</summary>
    public const string KubernetesNodeName = "SILICONBENCH_NODE_NAME";
    public const string KubernetesJobName = "SILICONBENCH_JOB_NAME";

    /// <summary>Set by a campaign's task script: the campaign's name and the task's key.</summary>
    public const string Campaign = "SILICONBENCH_CAMPAIGN";
    public const string CampaignTask = "SILICONBENCH_CAMPAIGN_TASK";

    public const string SlurmKind = "slurm";
    public const string KubernetesKind = "kubernetes";

    /// <summary>The scheduler context of this process, or null when no scheduler started it.</summary>
    public static SchedulerInfo? Describe(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? Get(string name) => environment(name) is { Length: > 0 } v ? v.Trim() : null;
        if (Get(SlurmJobId) is { } job)
        {
            return new SchedulerInfo
            {
                Kind = SlurmKind,
                JobId = job,
                ArrayJobId = Get(SlurmArrayJobId),
                TaskIndex = Get(SlurmArrayTaskId),
                Node = Get(SlurmNodeName),
                Cluster = Get(SlurmClusterName),
                Partition = Get(SlurmPartition),
                Campaign = Get(Campaign),
                CampaignTask = Get(CampaignTask),
            };
        }
        if (Get(KubernetesCompletionIndex) is { } index)
        {
            return new SchedulerInfo
            {
                Kind = KubernetesKind,
                JobId = Get(KubernetesJobName),
                TaskIndex = index,
                Node = Get(KubernetesNodeName),
                Pod = Get(PodName),
                Campaign = Get(Campaign),
                CampaignTask = Get(CampaignTask),
            };
        }
        return null;
    }
}
