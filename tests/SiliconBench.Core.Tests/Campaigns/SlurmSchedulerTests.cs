using SiliconBench.Campaigns;
using SiliconBench.Campaigns.Scheduling.Slurm;
using SiliconBench.Testing.Campaigns;
using Xunit;

namespace SiliconBench.Tests.Campaigns;

/// <summary>Slurm's answers as Slurm 22.05 prints them (captured from the test cluster), read into task states.</summary>
public sealed class SlurmSchedulerTests
{
    private static readonly SubmissionRecord Job40 = new() { Scheduler = "slurm", System = "gpu", JobId = "40", Tasks = [0, 1, 2, 3], Script = "s" };

    [Fact]
    public void Submit_takes_the_job_id_sbatch_prints()
    {
        var commands = new ScriptedCommands().Answer("sbatch", "--parsable", 0, "1234;cluster\n");

        var result = new SlurmScheduler(commands).Submit(new("gpu", "gpu.sbatch", "", [0]), "/c/scripts/gpu.sbatch");

        Assert.True(result.Succeeded);
        Assert.Equal("1234", result.JobId);
        Assert.Equal(["sbatch --parsable /c/scripts/gpu.sbatch"], commands.Calls);
    }

    [Fact]
    public void A_refused_submission_says_what_sbatch_said()
    {
        var commands = new ScriptedCommands().Answer("sbatch", "", 1, "", "sbatch: error: invalid partition specified: h100\n");

        var result = new SlurmScheduler(commands).Submit(new("gpu", "gpu.sbatch", "", [0]), "gpu.sbatch");

        Assert.False(result.Succeeded);
        Assert.Contains("invalid partition specified: h100", result.Error, StringComparison.Ordinal);
        Assert.Contains("not found", new SlurmScheduler(new ScriptedCommands()).Submit(new("gpu", "g", "", [0]), "g").Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_accounting_finished_tasks_come_from_scontrol_and_live_ones_from_squeue()
    {
        var commands = new ScriptedCommands()
            .Answer("squeue", "--jobs=40", 0, "40|3|RUNNING|node7|None\n40|2|PENDING||Resources\n")
            .Answer("scontrol", "show config", 0, "AccountingStorageType   = accounting_storage/none\nMinJobAge               = 300 sec\n")
            .Answer("scontrol", "show job", 0,
                "JobId=41 ArrayJobId=40 ArrayTaskId=0 JobName=sb JobState=COMPLETED Reason=None ExitCode=0:0 NodeList=node7 BatchHost=node7\n"
                + "JobId=42 ArrayJobId=40 ArrayTaskId=1 JobName=sb JobState=FAILED Reason=NonZeroExitCode ExitCode=137:0 NodeList=node7\n"
                + "JobId=40 ArrayJobId=40 ArrayTaskId=3 JobName=sb JobState=RUNNING Reason=None ExitCode=0:0 NodeList=node7\n");

        var snapshot = new SlurmScheduler(commands).Query([Job40]);

        Assert.True(snapshot.Reachable);
        Assert.Equal(("COMPLETED", false), (snapshot.Find("40", 0)!.State, snapshot.Find("40", 0)!.Live));
        Assert.Equal(("FAILED", "137:0", "NonZeroExitCode"), (snapshot.Find("40", 1)!.State, snapshot.Find("40", 1)!.ExitCode, snapshot.Find("40", 1)!.Reason));
        Assert.True(snapshot.Find("40", 2)!.Pending);
        Assert.Equal(("RUNNING", "node7"), (snapshot.Find("40", 3)!.State, snapshot.Find("40", 3)!.Node));
        Assert.Contains(snapshot.Notes, n => n.Contains("300 sec", StringComparison.Ordinal));
        Assert.DoesNotContain(commands.Calls, c => c.StartsWith("sacct", StringComparison.Ordinal));
    }

    [Fact]
    public void With_an_accounting_store_finished_tasks_come_from_sacct()
    {
        var commands = new ScriptedCommands()
            .Answer("squeue", "", 1, "", "slurm_load_jobs error: Invalid job id specified\n")
            .Answer("scontrol", "show config", 0, "AccountingStorageType   = accounting_storage/slurmdbd\n")
            .Answer("sacct", "--jobs=40", 0, "40_0|COMPLETED|0:0|node7\n40_1|CANCELLED by 0|0:15|node8\n40_[2-3]|PENDING|0:0|None assigned\n");

        var snapshot = new SlurmScheduler(commands).Query([Job40]);

        Assert.Equal("COMPLETED", snapshot.Find("40", 0)!.State);
        Assert.Equal(("CANCELLED", "node8"), (snapshot.Find("40", 1)!.State, snapshot.Find("40", 1)!.Node));
        Assert.Equal((true, null), (snapshot.Find("40", 3)!.Pending, snapshot.Find("40", 3)!.Node));
        Assert.DoesNotContain(commands.Calls, c => c.StartsWith("scontrol show job", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unreachable_controller_is_said_so()
    {
        var commands = new ScriptedCommands().Answer("squeue", "", 1, "", "squeue: error: Unable to contact slurm controller (connect failure)\n");

        var snapshot = new SlurmScheduler(commands).Query([Job40]);

        Assert.False(snapshot.Reachable);
        Assert.Contains("Unable to contact slurm controller", Assert.Single(snapshot.Notes), StringComparison.Ordinal);
    }
}
