using System.Globalization;
using SiliconBench.Analysis;
using SiliconBench.Diagnostics;
using SiliconBench.Probing;
using SiliconBench.Records;
using SiliconBench.Running;

namespace SiliconBench.Campaigns;

/// <summary>One task as collect found it.</summary>
public sealed record CollectedTask
{
    public int Task { get; init; }
    public required string Key { get; init; }
    public required string Candidate { get; init; }
    public int Repetition { get; init; }
    /// <summary><c>valid</c>, <c>invalid</c> (complete, but the analysis found it invalid), <c>incomplete</c>, <c>pending</c> or <c>not-submitted</c>.</summary>
    public required string State { get; init; }
    public string? RunId { get; init; }
    public string? Node { get; init; }
    public string? JobId { get; init; }
    /// <summary>The collected record (<c>results/&lt;candidate&gt;/rK</c>); null when the task has none yet.</summary>
    public string? Record { get; init; }
    public string? Reason { get; init; }
    /// <summary>What the checks noticed without rejecting the record.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary><c>collection.json</c>: every task's outcome.</summary>
public sealed record CollectionReport
{
    public const string SchemaId = "siliconbench.campaign-collection/1";

    public string Schema { get; init; } = SchemaId;
    public required string Campaign { get; init; }
    public DateTimeOffset CollectedUtc { get; init; }
    public required IReadOnlyList<CollectedTask> Tasks { get; init; }

    public int Count(string state) => Tasks.Count(t => t.State == state);
}

/// <summary>
/// Gathers a campaign's records into <c>results/&lt;candidate&gt;/rK</c> (one per task: its latest attempt), checks each
/// one belongs to its task (run id, workload and its bytes, profile, model, scheduler job), re-derives its summary, and
/// makes sure every failed task is there as an incomplete record with the reason it failed: the run's own record when it
/// left one (cut off by a kill, the reason set from how the task ended), else a record made here that holds only that
/// reason. The attempt folders are never changed: results/ is rebuilt from them each time.
/// </summary>
public sealed class CampaignCollector(CampaignLayout layout, ToolInfo tool, Func<string, Summary> analyze)
{
    public const string Valid = "valid";
    public const string Invalid = "invalid";
    public const string Incomplete = "incomplete";
    public const string Pending = "pending";
    public const string NotSubmitted = "not-submitted";

    public CollectionReport Collect(CampaignPlan plan, IReadOnlyList<CampaignTaskStatus> statuses, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(statuses);
        var staging = layout.Results + ".collecting-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        if (Directory.Exists(staging))
            Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        var collected = new List<CollectedTask>();
        var runIds = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var status in statuses)
        {
            // Built beside results/ and swapped in at the end, so a reader never sees half a collection.
            var target = Path.Combine(staging, Path.GetRelativePath(layout.Results, layout.ResultDirectory(status.Task)));
            var item = CollectOne(status, target, now);
            if (item.RunId is { } id && item.Record is not null && !runIds.TryAdd(id, item.Key))
            {
                // Two tasks' records claim one run id: the second is not evidence of its own task.
                MarkIncomplete(target, $"campaign collect: run id {id} is also the run id of task {runIds[id]}");
                analyze(target);
                item = item with { State = Incomplete, Reason = $"run id {id} is also the run id of task {runIds[id]}" };
            }
            collected.Add(item with { Record = item.Record is null ? null : layout.ResultDirectory(status.Task) });
        }
        if (Directory.Exists(layout.Results))
            Directory.Delete(layout.Results, recursive: true);
        Directory.Move(staging, layout.Results);
        var report = new CollectionReport { Campaign = plan.Campaign, CollectedUtc = now, Tasks = collected };
        CampaignStore.WriteAtomically(layout.CollectionFile, System.Text.Json.JsonSerializer.Serialize(report, CampaignJsonContext.Indented.CollectionReport) + "\n");
        return report;
    }

    private CollectedTask CollectOne(CampaignTaskStatus status, string target, DateTimeOffset now)
    {
        var task = status.Task;
        var attempt = status.Attempt;
        var item = new CollectedTask
        {
            Task = task.Index,
            Key = task.Key,
            Candidate = task.Candidate,
            Repetition = task.Repetition,
            State = Pending,
            RunId = attempt?.RunId,
            Node = attempt?.Node ?? status.Scheduler?.Node,
            JobId = attempt?.JobId ?? status.Submission?.JobId,
        };
        switch (status.State)
        {
            case TaskState.NotSubmitted:
                return item with { State = NotSubmitted, Reason = "not submitted" };
            case TaskState.Queued or TaskState.Running or TaskState.Unknown:
                return item with { State = Pending, Reason = $"{status.State.ToString().ToLowerInvariant()}{(status.Reason is null ? "" : ": " + status.Reason)}" };
        }

        var failure = status.State == TaskState.Failed ? status.Reason ?? "the task failed" : null;
        var source = attempt?.RecordDirectory;
        if (source is null || !File.Exists(Path.Combine(source, RunFiles.Manifest)))
        {
            var why = failure ?? "the task finished but left no run record";
            WriteStub(target, status, why, now);
            analyze(target);
            return item with { State = Incomplete, RunId = attempt?.RunId ?? task.RunIdOf(1), Record = target, Reason = why };
        }

        CopyDirectory(source, target);
        var notes = new List<string>();
        RunManifest manifest;
        try
        {
            manifest = RunRecordReader.Read(target).Manifest;
        }
        catch (InputException e)
        {
            Directory.Delete(target, recursive: true);
            var why = $"{(failure is null ? "" : failure + "; ")}its record is unreadable: {e.Message}";
            WriteStub(target, status, why, now);
            analyze(target);
            return item with { State = Incomplete, Record = target, Reason = why };
        }

        string? reason = null;
        if (Mismatch(task, attempt!, manifest) is { } mismatch)
        {
            reason = $"the record does not belong to its task: {mismatch}";
            RunRecordWriter.WriteManifest(target, manifest with { Complete = false, IncompleteReason = "campaign collect: " + reason });
        }
        else if (!manifest.Complete)
        {
            // A run cut off by a kill still says it is in progress: how the task ended is the reason.
            var own = manifest.IncompleteReason is { } r && r != RunSession.InProgressReason ? r : null;
            reason = failure is null ? own ?? "the run did not finish" : own is null ? failure : $"{failure}; the run said: {own}";
            RunRecordWriter.WriteManifest(target, manifest with { IncompleteReason = reason });
        }
        else if (failure is not null)
        {
            reason = failure;
        }

        var originalSummary = Path.Combine(source, RunFiles.Summary);
        var summary = analyze(target);
        if (File.Exists(originalSummary) && reason is null
            && !File.ReadAllBytes(originalSummary).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(target, RunFiles.Summary))))
            notes.Add($"summary.json re-derived here differs from the node's ({manifest.Tool.Version} there, {tool.Version} here): the results hold this tool's analysis");
        var state = !summary.Complete ? Incomplete : summary.Validity.Valid ? Valid : Invalid;
        if (state == Invalid && reason is null)
            reason = summary.Validity.IncompleteReason ?? $"{summary.Validity.FailedRequests.ToString(CultureInfo.InvariantCulture)} failed request(s)";
        return item with { State = state, RunId = manifest.RunId, Record = target, Reason = reason, Notes = notes, Node = manifest.Host.Scheduler?.Node ?? item.Node };
    }

    /// <summary>Why a record is not the one its task asked for, or null when it is.</summary>
    private static string? Mismatch(CampaignTask task, TaskAttempt attempt, RunManifest m)
    {
        if (attempt.RunId is { } id && m.RunId != id)
            return $"run id {m.RunId}, the task asked for {id}";
        if (m.Workload.Name != task.Workload || m.Workload.Profile != task.Profile)
            return $"workload {m.Workload.Name}/{m.Workload.Profile}, the task asked for {task.Workload}/{task.Profile}";
        if (m.Workload.ContentSha256 is { } sha && sha != task.WorkloadSha256)
            return $"the workload file changed after submit (sha256 {sha[..12]}…, submitted {task.WorkloadSha256[..12]}…)";
        if (m.Model.Spec != task.Model)
            return $"model {m.Model.Spec}, the task asked for {task.Model}";
        if (m.Host.Scheduler is { } s)
        {
            if (s.CampaignTask is { } key && key != task.Key)
                return $"it was run for campaign task {key}";
            if (attempt.JobId is { } job && s.JobId is { } recorded && recorded != job)
                return $"scheduler job {recorded}, the task's attempt ran as {job}";
        }
        return null;
    }

    private static void MarkIncomplete(string target, string reason)
    {
        var manifest = RunRecordReader.Read(target).Manifest;
        RunRecordWriter.WriteManifest(target, manifest with { Complete = false, IncompleteReason = reason });
    }

    /// <summary>A record that holds only what is known of a task that left none: what it was to run, where, and why it failed.</summary>
    private void WriteStub(string target, CampaignTaskStatus status, string reason, DateTimeOffset now)
    {
        var task = status.Task;
        var attempt = status.Attempt;
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, RunFiles.Requests), "");
        var started = attempt?.StartedUtc is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t
            : status.Submission?.SubmittedUtc ?? now;
        var manifest = new RunManifest
        {
            RunId = attempt?.RunId ?? task.RunIdOf(1),
            StartedUtc = started,
            Complete = false,
            IncompleteReason = reason,
            Tool = tool,
            Host = new HostInfo
            {
                Hostname = attempt?.Node ?? status.Scheduler?.Node ?? "unknown",
                Os = "unknown",
                Cpu = "unknown",
                Runtime = "unknown",
                Scheduler = new SchedulerInfo
                {
                    Kind = attempt?.Scheduler ?? status.Submission?.Scheduler ?? "unknown",
                    JobId = attempt?.JobId ?? status.Submission?.JobId,
                    ArrayJobId = attempt?.SubmittedJobId,
                    TaskIndex = task.Index.ToString(CultureInfo.InvariantCulture),
                    Node = attempt?.Node ?? status.Scheduler?.Node,
                    Pod = attempt?.Pod,
                    Campaign = null,
                    CampaignTask = task.Key,
                },
            },
            Backend = new BackendInfo { Id = ArgumentOf(task, "--backend") ?? "unknown", Version = "unknown", Device = ArgumentOf(task, "--device") ?? "unknown" },
            Model = new ModelInfo { Spec = task.Model, Name = task.Model, Dtype = "unknown", CheckpointDtype = "unknown", Weights = "not loaded: the task left no run record" },
            Workload = new WorkloadInfo { Name = task.Workload, Profile = task.Profile, File = ArgumentOf(task, "--workload"), ContentSha256 = task.WorkloadSha256 },
            SensorNote = "no measurement: the task left no run record",
            Notes = [$"written by siliconbench campaign collect: task {task.Index.ToString(CultureInfo.InvariantCulture)} ({task.Key}) left no run record"],
        };
        RunRecordWriter.WriteManifest(target, manifest);
    }

    private static string? ArgumentOf(CampaignTask task, string option)
    {
        var at = task.Arguments.ToList().IndexOf(option);
        return at >= 0 && at + 1 < task.Arguments.Count ? task.Arguments[at + 1] : null;
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (var dir in Directory.GetDirectories(from))
            CopyDirectory(dir, Path.Combine(to, Path.GetFileName(dir)));
    }
}
