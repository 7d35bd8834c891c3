using SiliconBench.Campaigns;
using SiliconBench.Campaigns.Scheduling;
using Xunit;

namespace SiliconBench.Tests.Campaigns;

/// <summary>How the scheduler's word, the submissions and the attempt folders combine into a task's state.</summary>
public sealed class CampaignStatusTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sb-status-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly CampaignTask _task = CampaignPlanner.Plan(CampaignFiles.Parse(CampaignFiles.TwoSystems)).Tasks[1];
    private readonly SubmissionRecord _submitted = new() { Scheduler = "slurm", System = "gpu", JobId = "40", Tasks = [0, 1], Script = "s" };

    private CampaignLayout Layout => new(_dir);

    private TaskAttempt Attempt(int exitCode = -1, string? log = null, string job = "40")
    {
        var dir = Path.Combine(_dir, "tasks", "1", "a1");
        Directory.CreateDirectory(dir);
        if (log is not null)
            File.WriteAllText(Path.Combine(dir, "run.log"), log);
        var fields = new Dictionary<string, string> { ["run_id"] = _task.Key, ["job_id"] = "41", ["array_job_id"] = job, ["node"] = "node7", ["started_utc"] = "2026-12-01T10:00:00Z" };
        if (exitCode >= 0)
            fields["exit_code"] = exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new TaskAttempt { Task = 1, Number = 1, Directory = dir, Fields = fields };
    }

    private CampaignTaskStatus Resolve(IReadOnlyList<TaskAttempt> attempts, SchedulerSnapshot snapshot, params SubmissionRecord[] submissions) =>
        CampaignStatus.Resolve(_task, attempts, submissions, new Dictionary<string, SchedulerSnapshot> { ["slurm"] = snapshot }, Layout);

    private static SchedulerSnapshot Says(params SchedulerTaskState[] states) =>
        new() { Tasks = states.ToDictionary(s => (s.JobId, s.Task)) };

    [Fact]
    public void Never_submitted()
    {
        var s = Resolve([], Says());

        Assert.Equal(TaskState.NotSubmitted, s.State);
        Assert.True(s.NeedsRun);
    }

    [Fact]
    public void Queued_and_running_come_from_the_scheduler()
    {
        Assert.Equal(TaskState.Queued, Resolve([], Says(new SchedulerTaskState("40", 1, "PENDING", Reason: "Resources")), _submitted).State);
        Assert.Equal(TaskState.Running, Resolve([Attempt()], Says(new SchedulerTaskState("40", 1, "RUNNING", "node7")), _submitted).State);
        Assert.False(Resolve([Attempt()], Says(new SchedulerTaskState("40", 1, "RUNNING", "node7")), _submitted).NeedsRun);
    }

    [Fact]
    public void Exit_zero_is_done_and_any_other_exit_failed_with_the_run_s_last_error()
    {
        Assert.Equal(TaskState.Done, Resolve([Attempt(0)], Says(), _submitted).State);

        var failed = Resolve([Attempt(2, "loading…\nerror: /w.yaml:3: profiles: bad\n")], Says(), _submitted);

        Assert.Equal(TaskState.Failed, failed.State);
        Assert.Equal("the run refused its input (exit 2) (attempt a1 on node node7, slurm job 40_1): error: /w.yaml:3: profiles: bad", failed.Reason);
    }

    [Fact]
    public void A_task_whose_script_never_finished_failed_once_the_scheduler_has_ended_or_forgotten_it()
    {
        var ended = Resolve([Attempt()], Says(new SchedulerTaskState("40", 1, "TIMEOUT", "node7", "0:15")), _submitted);
        var forgotten = Resolve([Attempt()], Says(), _submitted);
        var unknown = Resolve([Attempt()], SchedulerSnapshot.None("squeue failed"), _submitted);

        Assert.Equal(TaskState.Failed, ended.State);
        Assert.StartsWith("the task ended TIMEOUT (exit 0:15) before the run finished", ended.Reason, StringComparison.Ordinal);
        Assert.Equal(TaskState.Failed, forgotten.State);
        Assert.Contains("never finished", forgotten.Reason, StringComparison.Ordinal);
        Assert.Equal(TaskState.Unknown, unknown.State);
        Assert.False(unknown.NeedsRun);
    }

    [Fact]
    public void A_resubmission_not_started_yet_is_queued_even_though_an_old_attempt_failed()
    {
        var again = _submitted with { JobId = "50", Tasks = [1] };

        var s = Resolve([Attempt(137)], Says(new SchedulerTaskState("50", 1, "PENDING")), _submitted, again);

        Assert.Equal(TaskState.Queued, s.State);
        Assert.Equal("50", s.Submission!.JobId);
    }

    [Fact]
    public void A_job_that_ended_before_its_script_wrote_anything_failed()
    {
        var s = Resolve([], Says(new SchedulerTaskState("40", 1, "NODE_FAIL", "node9", "0:0")), _submitted);

        Assert.Equal(TaskState.Failed, s.State);
        Assert.StartsWith("slurm job 40_1 ended NODE_FAIL", s.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "invalid or incomplete")]
    [InlineData(127, "not found on the node")]
    [InlineData(137, "signal 9 (SIGKILL")]
    [InlineData(143, "signal 15 (SIGTERM")]
    public void Exit_codes_say_what_happened(int code, string meaning) =>
        Assert.Contains(meaning, CampaignStatus.ExitMeaning(code), StringComparison.Ordinal);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }
}
