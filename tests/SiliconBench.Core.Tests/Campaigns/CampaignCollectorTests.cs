using System.Text.Json;
using SiliconBench.Analysis;
using SiliconBench.Campaigns;
using SiliconBench.Campaigns.Scheduling;
using SiliconBench.Records;
using SiliconBench.Running;
using SiliconBench.Testing.Records;
using Xunit;

namespace SiliconBench.Tests.Campaigns;

/// <summary>collect on task folders made by hand: failed tasks become incomplete records with their reason, raw attempts stay as they were.</summary>
public sealed class CampaignCollectorTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sb-collect-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly CampaignPlan _plan;
    private readonly CampaignStore _store;
    private readonly SubmissionRecord _submitted = new() { Scheduler = "slurm", System = "gpu", JobId = "40", Tasks = [0, 1, 2, 3], Script = "s" };

    public CampaignCollectorTests()
    {
        var campaign = CampaignFiles.Parse(CampaignFiles.TwoSystems.Replace("storage: /shared/campaigns", $"storage: {_dir}", StringComparison.Ordinal));
        _plan = CampaignPlanner.Plan(campaign);
        _store = new CampaignStore(new CampaignLayout(campaign.Root));
        Directory.CreateDirectory(campaign.Root);
    }

    private static Summary Analyze(string dir)
    {
        var summary = Analyzer.Analyze(RunRecordReader.Read(dir), new AnalysisOptions());
        SummaryWriter.Write(summary, Path.Combine(dir, RunFiles.Summary));
        return summary;
    }

    private CollectionReport Collect(IReadOnlyList<CampaignTaskStatus> statuses) =>
        new CampaignCollector(_store.Layout, new ToolInfo("siliconbench", "9.9", null), Analyze).Collect(_plan, statuses, DateTimeOffset.UnixEpoch);

    /// <summary>An attempt folder as a task script leaves it, optionally with the run's record started in it.</summary>
    private TaskAttempt Attempt(CampaignTask task, int? exitCode, string log, Func<RunManifest, RunManifest>? record = null)
    {
        var dir = _store.Layout.AttemptDirectory(task.Index, 1);
        Directory.CreateDirectory(dir);
        var status = $"task={task.Index}\nattempt=1\nrun_id={task.Key}\nscheduler=slurm\njob_id=4{task.Index}\narray_job_id=40\nnode=node7\nstarted_utc=2026-12-01T10:00:00Z\n"
            + (exitCode is { } c ? $"exit_code={c}\n" : "");
        File.WriteAllText(Path.Combine(dir, CampaignLayout.StatusFileName), status);
        File.WriteAllText(Path.Combine(dir, CampaignLayout.LogFileName), log);
        if (record is not null)
        {
            using var writer = RunRecordWriter.Create(Path.Combine(dir, task.Key));
            writer.WriteManifest(record(TestManifests.Draft(task.Key) with
            {
                Workload = new WorkloadInfo { Name = task.Workload, Profile = task.Profile, ContentSha256 = task.WorkloadSha256 },
                Model = TestManifests.Draft().Model with { Spec = task.Model },
            }));
        }
        return _store.ReadAttempts(task.Index)[0];
    }

    private CampaignTaskStatus Failed(CampaignTask task, TaskAttempt attempt, string reason) =>
        new() { Task = task, State = TaskState.Failed, Attempt = attempt, Submission = _submitted, Reason = reason };

    [Fact]
    public void A_run_killed_mid_way_is_collected_as_incomplete_with_how_its_task_ended()
    {
        var task = _plan.Tasks[0];
        var attempt = Attempt(task, 137, "", m => m with { Complete = false, IncompleteReason = RunSession.InProgressReason });

        var report = Collect([Failed(task, attempt, "the run was killed by signal 9 (…) (attempt a1 on node node7)")]);

        var item = Assert.Single(report.Tasks);
        Assert.Equal((CampaignCollector.Incomplete, task.Key), (item.State, item.RunId));
        var collected = RunRecordReader.Read(_store.Layout.ResultDirectory(task)).Manifest;
        Assert.False(collected.Complete);
        Assert.StartsWith("the run was killed by signal 9", collected.IncompleteReason, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_store.Layout.ResultDirectory(task), RunFiles.Summary)));
        // The attempt on storage is evidence as the node left it.
        Assert.Equal(RunSession.InProgressReason, RunRecordReader.Read(attempt.RecordDirectory!).Manifest.IncompleteReason);
    }

    [Fact]
    public void A_task_that_left_no_record_gets_one_that_holds_its_reason()
    {
        var task = _plan.Tasks[2];
        var attempt = Attempt(task, 2, "error: /w.yaml:3: bad\n");

        var report = Collect([Failed(task, attempt, "the run refused its input (exit 2): error: /w.yaml:3: bad")]);

        var item = Assert.Single(report.Tasks);
        Assert.Equal(CampaignCollector.Incomplete, item.State);
        var dir = _store.Layout.ResultDirectory(task);
        var manifest = RunRecordReader.Read(dir).Manifest;
        Assert.Equal((false, "the run refused its input (exit 2): error: /w.yaml:3: bad"), (manifest.Complete, manifest.IncompleteReason));
        Assert.Equal((task.Key, "node7", "40"), (manifest.Host.Scheduler!.CampaignTask, manifest.Host.Scheduler.Node, manifest.Host.Scheduler.ArrayJobId));
        Assert.Equal(("onnxruntime", "cpu", task.Workload, "9.9"), (manifest.Backend.Id, manifest.Backend.Device, manifest.Workload.Name, manifest.Tool.Version));
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, RunFiles.Summary)));
        Assert.False(summary.RootElement.GetProperty("validity").GetProperty("valid").GetBoolean());
        Assert.Equal("results/cpu-tiny-interactive-chat-smoke/r1", Path.GetRelativePath(_store.Layout.Root, item.Record!).Replace('\\', '/'));
    }

    [Fact]
    public void A_record_of_another_workload_file_is_not_evidence_for_its_task()
    {
        var task = _plan.Tasks[1];
        var attempt = Attempt(task, 0, "", m => m with { Complete = true, Workload = m.Workload with { ContentSha256 = new string('0', 64) } });

        var report = Collect([new CampaignTaskStatus { Task = task, State = TaskState.Done, Attempt = attempt, Submission = _submitted }]);

        var item = Assert.Single(report.Tasks);
        Assert.Equal(CampaignCollector.Incomplete, item.State);
        Assert.Contains("the workload file changed after submit", item.Reason, StringComparison.Ordinal);
        Assert.False(RunRecordReader.Read(_store.Layout.ResultDirectory(task)).Manifest.Complete);
    }

    [Fact]
    public void Queued_tasks_have_no_record_and_results_are_rebuilt_each_time()
    {
        var stale = Path.Combine(_store.Layout.Results, "old-candidate", "r1");
        Directory.CreateDirectory(stale);

        var report = Collect([new CampaignTaskStatus { Task = _plan.Tasks[3], State = TaskState.Queued, Submission = _submitted }]);

        var item = Assert.Single(report.Tasks);
        Assert.Equal((CampaignCollector.Pending, null), (item.State, item.Record));
        Assert.False(Directory.Exists(stale));
        Assert.True(File.Exists(_store.Layout.CollectionFile));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }
}
