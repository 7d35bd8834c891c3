using System.Globalization;
using SiliconBench.Campaigns.Scheduling;

namespace SiliconBench.Campaigns;

public enum TaskState
{
    /// <summary>Never submitted.</summary>
    NotSubmitted,
    /// <summary>Submitted; the scheduler has not started it.</summary>
    Queued,
    Running,
    /// <summary>The run finished with exit code 0 (complete and valid).</summary>
    Done,
    /// <summary>The run ended otherwise, or the task was lost; <see cref="CampaignTaskStatus.Reason"/> says how.</summary>
    Failed,
    /// <summary>Submitted and not finished, and the scheduler could not be asked.</summary>
    Unknown,
}

/// <summary>Where a task stands: its latest submission and attempt, the scheduler's word on it, and why it failed.</summary>
public sealed record CampaignTaskStatus
{
    public required CampaignTask Task { get; init; }
    public TaskState State { get; init; }
    public TaskAttempt? Attempt { get; init; }
    public SubmissionRecord? Submission { get; init; }
    public SchedulerTaskState? Scheduler { get; init; }
    public string? Reason { get; init; }

    /// <summary>What <c>submit --resubmit</c> runs again: tasks never submitted, and failed ones.</summary>
    public bool NeedsRun => State is TaskState.NotSubmitted or TaskState.Failed;
}

/// <summary>
/// Joins the three sources of a task's state: the scheduler's submissions, the attempt folders task scripts left on
/// storage (status file, run.log), and what the scheduler says now. Storage is authoritative for tasks that got to
/// run; the scheduler for the ones that did not (still queued, or ended before the script could write).
/// </summary>
public static class CampaignStatus
{
    /// <param name="snapshots">What each scheduler (by id) said of its submissions.</param>
    public static IReadOnlyList<CampaignTaskStatus> Resolve(CampaignPlan plan, CampaignStore store, IReadOnlyList<SubmissionRecord> submissions,
        IReadOnlyDictionary<string, SchedulerSnapshot> snapshots)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(snapshots);
        return [.. plan.Tasks.Select(t => Resolve(t, store.ReadAttempts(t.Index), submissions, snapshots, store.Layout))];
    }

    public static CampaignTaskStatus Resolve(CampaignTask task, IReadOnlyList<TaskAttempt> attempts, IReadOnlyList<SubmissionRecord> submissions,
        IReadOnlyDictionary<string, SchedulerSnapshot> snapshots, CampaignLayout layout)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(attempts);
        ArgumentNullException.ThrowIfNull(submissions);
        ArgumentNullException.ThrowIfNull(snapshots);
        ArgumentNullException.ThrowIfNull(layout);
        var submission = submissions.LastOrDefault(s => s.Tasks.Contains(task.Index));
        var attempt = attempts.Count > 0 ? attempts[^1] : null;
        var snapshot = submission is not null && snapshots.TryGetValue(submission.Scheduler, out var s) ? s : SchedulerSnapshot.None("not asked");
        var scheduler = submission is null ? null : snapshot.Find(submission.JobId, task.Index);
        var status = new CampaignTaskStatus { Task = task, Attempt = attempt, Submission = submission, Scheduler = scheduler };
        var job = submission is null ? null : $"{submission.Scheduler} job {submission.JobId}_{task.Index.ToString(CultureInfo.InvariantCulture)}";

        // The latest submission has not produced an attempt yet (or there is none): the scheduler alone can tell.
        if (submission is not null && (attempt is null || attempt.SubmittedJobId != submission.JobId))
        {
            if (scheduler is { Live: true })
                return status with { State = scheduler.Pending ? TaskState.Queued : TaskState.Running, Reason = scheduler.Reason };
            if (scheduler is not null)
                return status with
                {
                    State = TaskState.Failed,
                    Reason = $"{job} ended {scheduler.State} (exit {scheduler.ExitCode ?? "?"}) before its task script wrote anything; the scheduler's log is in {layout.TaskDirectory(task.Index)}",
                };
            return snapshot.Reachable
                ? status with { State = TaskState.Failed, Reason = $"{job} is no longer known to the scheduler and never started (cancelled while queued, or its output folder was unwritable)" }
                : status with { State = TaskState.Unknown, Reason = "submitted; the scheduler could not be asked" };
        }
        if (attempt is null)
            return status with { State = TaskState.NotSubmitted };

        var where = $"attempt a{attempt.Number.ToString(CultureInfo.InvariantCulture)} on node {attempt.Node ?? "?"}" + (job is null ? "" : $", {job}");
        if (attempt.ExitCode is { } code)
            return code == 0 ? status with { State = TaskState.Done } : status with { State = TaskState.Failed, Reason = $"{ExitMeaning(code)} ({where}){LogLine(attempt)}" };
        if (scheduler is { Live: true } || (submission is null && attempt.StartedUtc is not null))
            return status with { State = TaskState.Running };
        if (scheduler is not null)
            return status with { State = TaskState.Failed, Reason = $"the task ended {scheduler.State} (exit {scheduler.ExitCode ?? "?"}) before the run finished ({where}){LogLine(attempt)}" };
        return snapshot.Reachable
            ? status with { State = TaskState.Failed, Reason = $"started at {attempt.StartedUtc ?? "?"} and never finished; the scheduler no longer knows the job (node failure, or killed with the script) ({where}){LogLine(attempt)}" }
            : status with { State = TaskState.Unknown, Reason = "started; no exit recorded and the scheduler could not be asked" };
    }

    /// <summary>What a task script's exit code means (the run's own codes, the shell's, and death by signal).</summary>
    public static string ExitMeaning(int code) => code switch
    {
        1 => "the run finished but is invalid or incomplete (exit 1)",
        2 => "the run refused its input (exit 2)",
        126 => "the tool on the node is not executable (exit 126)",
        127 => "the tool was not found on the node (exit 127; check the campaign's tool)",
        130 => "the run was interrupted (exit 130)",
        > 128 => string.Create(CultureInfo.InvariantCulture, $"the run was killed by signal {code - 128}{SignalName(code - 128)} (exit {code})"),
        _ => string.Create(CultureInfo.InvariantCulture, $"the run exited with code {code}"),
    };

    private static string SignalName(int signal) => signal switch
    {
        9 => " (SIGKILL: out of memory, the time limit's hard kill, or a kill by hand)",
        15 => " (SIGTERM: the scheduler's time limit or a cancel)",
        6 => " (SIGABRT: the runtime aborted)",
        11 => " (SIGSEGV: a native crash)",
        _ => "",
    };

    /// <summary>The run log's last error line (or last line), so the reason says what the run itself said.</summary>
    private static string LogLine(TaskAttempt attempt)
    {
        if (!File.Exists(attempt.LogFile))
            return "";
        var lines = File.ReadAllLines(attempt.LogFile).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        var line = lines.LastOrDefault(l => l.StartsWith("error:", StringComparison.Ordinal)) ?? lines.LastOrDefault();
        if (line is null)
            return "";
        return ": " + (line.Length > 300 ? line[..300] + "…" : line);
    }
}
