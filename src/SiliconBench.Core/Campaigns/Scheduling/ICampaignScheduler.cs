namespace SiliconBench.Campaigns.Scheduling;

/// <summary>
/// A cluster scheduler a campaign runs on, found by id (<c>slurm</c>, <c>k8s</c>), like an engine factory. It renders
/// the files that run a campaign's tasks (one per system, since each system asks for other resources), submits them
/// where it can, and reports what it knows of the tasks it was given.
/// </summary>
public interface ICampaignScheduler
{
    string Id { get; }

    /// <summary>The files that run <see cref="CampaignRender.Tasks"/>: pure, nothing is written or submitted.</summary>
    IReadOnlyList<SchedulerFile> Render(CampaignRender request);

    /// <summary>Hands a rendered file (already written at <paramref name="path"/>) to the scheduler.</summary>
    SubmitResult Submit(SchedulerFile file, string path);

    /// <summary>The scheduler's view of the tasks of these submissions; <see cref="SchedulerSnapshot.None"/> when it keeps none.</summary>
    SchedulerSnapshot Query(IReadOnlyList<SubmissionRecord> submissions);
}

/// <summary>
/// What to render: the campaign (its systems' resources), its plan, the tasks to run, and the command nodes run.
/// <paramref name="JobNameSuffix"/> tells a rerun's jobs from the first ones where the renderer names jobs (Kubernetes).
/// </summary>
public sealed record CampaignRender(Campaign Campaign, CampaignPlan Plan, IReadOnlyList<CampaignTask> Tasks, IReadOnlyList<string> Tool, string? JobNameSuffix = null);

/// <summary>
/// One rendered file: the system whose tasks it runs, its file name, its text and the task indices in it; for a
/// scheduler whose job names are chosen at render (Kubernetes), the job's name.
/// </summary>
public sealed record SchedulerFile(string System, string FileName, string Text, IReadOnlyList<int> Tasks, string? JobName = null);

/// <summary>The outcome of a submission: the job id the scheduler gave, or why it refused.</summary>
public sealed record SubmitResult
{
    private SubmitResult(bool succeeded, string? jobId, string? error) => (Succeeded, JobId, Error) = (succeeded, jobId, error);

    public bool Succeeded { get; }
    public string? JobId { get; }
    public string? Error { get; }

    public static SubmitResult Success(string jobId) => new(true, jobId, null);

    public static SubmitResult Failure(string error) => new(false, null, error);
}

/// <summary>A task as the scheduler sees it: its state (Slurm's names: PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, …).</summary>
public sealed record SchedulerTaskState(string JobId, int Task, string State, string? Node = null, string? ExitCode = null, string? Reason = null)
{
    private static readonly string[] Ended =
        ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE", "OUT_OF_MEMORY", "REVOKED", "SPECIAL_EXIT"];

    /// <summary>Still queued or running (any state that is not an end state).</summary>
    public bool Live => !Ended.Contains(State);

    public bool Pending => State == "PENDING";
}

/// <summary>What a scheduler said about a campaign's jobs at one moment, and what it could not say.</summary>
public sealed record SchedulerSnapshot
{
    public required IReadOnlyDictionary<(string JobId, int Task), SchedulerTaskState> Tasks { get; init; }
    /// <summary>False when the scheduler could not be asked; then a task it is not listed for may still be alive.</summary>
    public bool Reachable { get; init; } = true;
    /// <summary>How far back it remembers and where the states came from, e.g. "squeue; scontrol (finished jobs for 300 s)".</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public static SchedulerSnapshot None(string why) => new() { Tasks = new Dictionary<(string, int), SchedulerTaskState>(), Reachable = false, Notes = [why] };

    public SchedulerTaskState? Find(string jobId, int task) => Tasks.TryGetValue((jobId, task), out var s) ? s : null;
}
