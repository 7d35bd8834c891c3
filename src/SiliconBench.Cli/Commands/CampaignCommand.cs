using System.CommandLine;
using System.Globalization;
using SiliconBench.Campaigns;
using SiliconBench.Campaigns.Scheduling;
using SiliconBench.Campaigns.Scheduling.Kubernetes;
using SiliconBench.Campaigns.Scheduling.Slurm;
using SiliconBench.Cli.Hosting;
using SiliconBench.Comparing;
using SiliconBench.Diagnostics;
using SiliconBench.Gating;
using Spectre.Console;

namespace SiliconBench.Cli.Commands;

/// <summary>
/// <c>campaign submit | status | collect | render</c>: a lab campaign (workloads/campaigns/README.md) on the cluster's own
/// scheduler. submit writes one sbatch array script per system (one task per run) and hands it to sbatch; status joins
/// what Slurm says with what the tasks left on shared storage; collect gathers the records, checks them, then gates and
/// reports; <c>submit --resubmit</c> runs again only the tasks that are missing or failed; render writes the sbatch
/// scripts or the Kubernetes Indexed Jobs without submitting.
/// </summary>
internal static class CampaignCommand
{
    public static Command Create(CliEnvironment env) => Create(env, new ProcessCommandRunner());

    /// <param name="commands">Runs sbatch, squeue, scontrol and sacct.</param>
    public static Command Create(CliEnvironment env, ICommandRunner commands)
    {
        var schedulers = new SchedulerCatalog([new SlurmScheduler(commands), new KubernetesJobRenderer()]);
        var command = new Command("campaign", "Lab campaigns on a cluster scheduler: submit to Slurm, status, collect (gate and report), render Slurm or Kubernetes jobs.")
        {
            Submit(env, schedulers),
            Status(env, schedulers),
            Collect(env, schedulers),
            Render(env, schedulers),
        };
        return command;
    }

    private static Argument<string> CampaignArgument(string description) => new("CAMPAIGN") { Description = description };

    private static Option<string?> StorageOption() => new("--storage") { Description = "Storage directory to use instead of the campaign file's (every node must see it)." };

    private static Option<string?> ToolOption() => new("--tool")
    {
        Description = "The command nodes run instead of the campaign's tool, words separated by spaces (e.g. '/opt/siliconbench/siliconbench').",
    };

    private static Command Submit(CliEnvironment env, SchedulerCatalog schedulers)
    {
        var file = CampaignArgument("The campaign file (YAML).");
        var storage = StorageOption();
        var tool = ToolOption();
        var resubmit = new Option<bool>("--resubmit") { Description = "Submit again only the tasks that are not submitted yet or failed (needs Slurm to say which are still queued or running)." };
        var command = new Command("submit", "Write one sbatch array script per system (one task per run) and submit it with sbatch.") { file, storage, tool, resubmit };
        var slurm = schedulers.Get(SlurmScheduler.SchedulerId);
        command.SetAction(parse =>
        {
            var campaign = Load(env, parse.GetValue(file)!, parse.GetValue(storage));
            var plan = CampaignPlanner.Plan(campaign);
            var store = new CampaignStore(new CampaignLayout(campaign.Root));
            // A campaign only rendered so far (render --slurm) has no submission yet: its first submit runs every task.
            var submissions = store.Exists ? store.ReadSubmissions() : [];
            if (submissions.Count > 0 && !parse.GetValue(resubmit))
                throw new InputException(campaign.File, null, null,
                    $"campaign '{campaign.Name}' was already submitted to {campaign.Root}; see `siliconbench campaign status`, or add --resubmit to run its missing and failed tasks again");
            store.Initialize(campaign, plan);
            plan = store.ReadPlan();
            var tasks = plan.Tasks;
            if (submissions.Count > 0)
            {
                var snapshots = Snapshots(submissions, schedulers);
                if (snapshots.TryGetValue(slurm.Id, out var unreachable) && !unreachable.Reachable)
                    throw new InputException("--resubmit", null, "--resubmit", $"cannot tell which tasks are still queued or running: {string.Join("; ", unreachable.Notes)}");
                var statuses = CampaignStatus.Resolve(plan, store, submissions, snapshots);
                tasks = [.. statuses.Where(s => s.NeedsRun).Select(s => s.Task)];
                if (tasks.Count == 0)
                {
                    env.Console.MarkupLine(Markup.Escape($"nothing to resubmit: {Counts(statuses)}"));
                    return ExitCodes.Ok;
                }
                env.Console.MarkupLine(Markup.Escape($"resubmitting {tasks.Count} of {plan.Tasks.Count} tasks (missing or failed): {string.Join(", ", tasks.Select(t => t.Index))}"));
            }
            var files = RenderAndWrite(slurm, campaign, plan, store, tasks, ToolOf(campaign, parse.GetValue(tool)));
            var exit = ExitCodes.Ok;
            foreach (var (rendered, path) in files)
            {
                var result = slurm.Submit(rendered, path);
                if (!result.Succeeded)
                {
                    env.Error.WriteLine($"error: {result.Error}");
                    exit = ExitCodes.BadInput;
                    continue;
                }
                store.AppendSubmission(new SubmissionRecord
                {
                    Scheduler = slurm.Id,
                    System = rendered.System,
                    JobId = result.JobId!,
                    Tasks = rendered.Tasks,
                    Script = path,
                    SubmittedUtc = DateTimeOffset.UtcNow,
                });
                env.Console.MarkupLine(Markup.Escape($"submitted {rendered.System}: Slurm job {result.JobId}, array {ArrayIndices.Format(rendered.Tasks)} ({rendered.Tasks.Count} tasks), script {path}"));
            }
            env.Console.MarkupLine(Markup.Escape($"campaign {plan.Campaign}: {campaign.Root}"));
            return exit;
        });
        return command;
    }

    private static Command Status(CliEnvironment env, SchedulerCatalog schedulers)
    {
        var campaignArg = CampaignArgument("The campaign file, or the campaign's folder on storage (holding plan.json).");
        var storage = StorageOption();
        var command = new Command("status", "Where every task stands: queued, running, done or failed (with why), from Slurm (squeue, sacct or scontrol) and the task folders.") { campaignArg, storage };
        command.SetAction(parse =>
        {
            var store = Open(env, parse.GetValue(campaignArg)!, parse.GetValue(storage));
            var plan = store.ReadPlan();
            var submissions = store.ReadSubmissions();
            var snapshots = Snapshots(submissions, schedulers);
            var statuses = CampaignStatus.Resolve(plan, store, submissions, snapshots);
            var table = new Table().AddColumns("task", "candidate", "rep", "state", "attempt", "node", "job", "reason");
            foreach (var s in statuses)
            {
                table.AddRow(
                    Cell(s.Task.Index.ToString(CultureInfo.InvariantCulture)), Cell(s.Task.Candidate), Cell($"r{s.Task.Repetition}"),
                    Cell(s.State.ToString().ToLowerInvariant()), Cell(s.Attempt is { } a ? $"a{a.Number}" : ""),
                    Cell(s.Attempt?.Node ?? s.Scheduler?.Node ?? ""), Cell(s.Submission is { } sub ? $"{sub.JobId}_{s.Task.Index}" : ""), Cell(s.Reason ?? ""));
            }
            env.Console.Write(table);
            foreach (var note in snapshots.Values.SelectMany(s => s.Notes))
                env.Console.MarkupLine(Markup.Escape($"scheduler: {note}"));
            env.Console.MarkupLine(Markup.Escape($"campaign {plan.Campaign}: {Counts(statuses)}"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Collect(CliEnvironment env, SchedulerCatalog schedulers)
    {
        var campaignArg = CampaignArgument("The campaign file, or the campaign's folder on storage (holding plan.json).");
        var storage = StorageOption();
        var noGate = new Option<bool>("--no-gate") { Description = "Do not run the campaign's gate policy." };
        var noSite = new Option<bool>("--no-site") { Description = "Do not render the report." };
        var command = new Command("collect", "Gather every task's record into results/ (failed tasks as incomplete records with their reason), check them, then gate and report. Exit: the gate's, else 1 when a task is not valid.")
        {
            campaignArg, storage, noGate, noSite,
        };
        command.SetAction(parse =>
        {
            var store = Open(env, parse.GetValue(campaignArg)!, parse.GetValue(storage));
            var plan = store.ReadPlan();
            var submissions = store.ReadSubmissions();
            var statuses = CampaignStatus.Resolve(plan, store, submissions, Snapshots(submissions, schedulers));
            var collector = new CampaignCollector(store.Layout, BuildInfo.Tool, dir => AnalysisPipeline.AnalyzeAndWrite(dir));
            var report = collector.Collect(plan, statuses, DateTimeOffset.UtcNow);

            var table = new Table().AddColumns("task", "candidate", "rep", "state", "run id", "node", "reason");
            foreach (var t in report.Tasks)
                table.AddRow(Cell(t.Task.ToString(CultureInfo.InvariantCulture)), Cell(t.Candidate), Cell($"r{t.Repetition}"), Cell(t.State), Cell(t.RunId ?? ""), Cell(t.Node ?? ""), Cell(t.Reason ?? ""));
            env.Console.Write(table);
            foreach (var t in report.Tasks.Where(t => t.Notes.Count > 0))
                foreach (var note in t.Notes)
                    env.Console.MarkupLine(Markup.Escape($"note: task {t.Task}: {note}"));
            var notValid = report.Tasks.Count(t => t.State != CampaignCollector.Valid);
            env.Console.MarkupLine(Markup.Escape(
                $"collected {report.Count(CampaignCollector.Valid)} valid, {report.Count(CampaignCollector.Invalid)} invalid, {report.Count(CampaignCollector.Incomplete)} incomplete, "
                + $"{report.Count(CampaignCollector.Pending)} pending, {report.Count(CampaignCollector.NotSubmitted)} not submitted into {store.Layout.Results}"));

            var exit = notValid > 0 ? ExitCodes.Failed : ExitCodes.Ok;
            if (plan.GatePolicy is { } policyPath && !parse.GetValue(noGate))
                exit = Math.Max(exit, RunGates(env, plan, store.Layout, report, PolicyLoader.Load(policyPath)));
            if (!parse.GetValue(noSite))
                ReportCommand.RenderSite(env, store.Layout.Results, store.Layout.Site);
            return exit;
        });
        return command;
    }

    private static Command Render(CliEnvironment env, SchedulerCatalog schedulers)
    {
        var file = CampaignArgument("The campaign file (YAML).");
        var storage = StorageOption();
        var tool = ToolOption();
        var asSlurm = new Option<bool>("--slurm") { Description = "Write the sbatch array scripts (what submit hands to sbatch)." };
        var asK8s = new Option<bool>("--k8s") { Description = "Write Kubernetes Indexed Job manifests (apply with kubectl apply -f)." };
        var missing = new Option<bool>("--missing") { Description = "Only the tasks that are not submitted yet or failed." };
        var command = new Command("render", "Write the campaign's sbatch scripts (--slurm) or Kubernetes Indexed Jobs (--k8s, checked against the Job schema) under scripts/ of its folder.")
        {
            file, storage, tool, asSlurm, asK8s, missing,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(asSlurm) == parse.GetValue(asK8s))
                throw new InputException("render", null, "--slurm/--k8s", "give exactly one of --slurm and --k8s");
            var campaign = Load(env, parse.GetValue(file)!, parse.GetValue(storage));
            var plan = CampaignPlanner.Plan(campaign);
            var store = new CampaignStore(new CampaignLayout(campaign.Root));
            store.Initialize(campaign, plan);
            plan = store.ReadPlan();
            var submissions = store.ReadSubmissions();
            IReadOnlyList<CampaignTask> tasks = plan.Tasks;
            if (parse.GetValue(missing))
                tasks = [.. CampaignStatus.Resolve(plan, store, submissions, Snapshots(submissions, schedulers)).Where(s => s.NeedsRun).Select(s => s.Task)];
            if (tasks.Count == 0)
            {
                env.Console.MarkupLine("nothing to render: no task is missing or failed");
                return ExitCodes.Ok;
            }
            var scheduler = schedulers.Get(parse.GetValue(asSlurm) ? SlurmScheduler.SchedulerId : KubernetesJobRenderer.SchedulerId);
            // A rerun's jobs are named after the attempt they make, where the renderer names jobs.
            var suffix = parse.GetValue(missing) ? $"-a{tasks.Max(t => store.ReadAttempts(t.Index).Count) + 1}" : null;
            var files = RenderAndWrite(scheduler, campaign, plan, store, tasks, ToolOf(campaign, parse.GetValue(tool)), suffix);
            foreach (var (rendered, path) in files)
            {
                if (rendered.JobName is not null)
                {
                    // The tasks are now out of the campaign's hands: status counts them as submitted under the Job's name.
                    store.AppendSubmission(new SubmissionRecord
                    {
                        Scheduler = scheduler.Id, System = rendered.System, JobId = rendered.JobName!, Tasks = rendered.Tasks, Script = path, SubmittedUtc = DateTimeOffset.UtcNow,
                    });
                }
                env.Console.MarkupLine(Markup.Escape($"wrote {path} ({rendered.System}, {rendered.Tasks.Count} tasks)"));
            }
            if (scheduler.Id == KubernetesJobRenderer.SchedulerId)
                env.Console.MarkupLine(Markup.Escape($"checked against the batch/v1 Job schema; apply with: kubectl apply -f {Path.GetDirectoryName(files[0].Path)}"));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static List<(SchedulerFile File, string Path)> RenderAndWrite(ICampaignScheduler scheduler, Campaign campaign, CampaignPlan plan,
        CampaignStore store, IReadOnlyList<CampaignTask> tasks, IReadOnlyList<string> tool, string? jobNameSuffix = null)
    {
        var rendered = scheduler.Render(new CampaignRender(campaign, plan, tasks, tool, jobNameSuffix));
        store.CreateTaskDirectories(tasks);
        var submissionNumber = store.ReadSubmissions().Count + 1;
        var folder = Path.Combine(store.Layout.Scripts, scheduler.Id);
        var written = new List<(SchedulerFile, string)>();
        foreach (var file in rendered)
        {
            var path = Path.Combine(folder, $"{submissionNumber.ToString(CultureInfo.InvariantCulture)}-{file.FileName}");
            CampaignStore.WriteAtomically(path, file.Text);
            written.Add((file, path));
            submissionNumber++;
        }
        return written;
    }

    /// <summary>Each scheduler's word on its own submissions.</summary>
    private static Dictionary<string, SchedulerSnapshot> Snapshots(IReadOnlyList<SubmissionRecord> submissions, SchedulerCatalog schedulers) =>
        submissions.GroupBy(s => s.Scheduler).ToDictionary(g => g.Key, g => schedulers.Get(g.Key, "submissions.jsonl").Query([.. g]), StringComparer.Ordinal);

    /// <summary>One gate per workload and profile: its candidates (system × model) are judged against each other.</summary>
    private static int RunGates(CliEnvironment env, CampaignPlan plan, CampaignLayout layout, CollectionReport report, Policy policy)
    {
        var exit = ExitCodes.Ok;
        foreach (var group in plan.Tasks.GroupBy(t => t.GateGroup))
        {
            var candidates = group.Select(t => t.Candidate).Distinct(StringComparer.Ordinal)
                .Where(c => report.Tasks.Any(t => t.Candidate == c && t.Record is not null))
                .Select(c => Candidate.Load(Path.Combine(layout.Results, c)))
                .ToList();
            if (candidates.Count == 0)
            {
                env.Console.MarkupLine(Markup.Escape($"gate {group.Key}: no records yet"));
                exit = Math.Max(exit, ExitCodes.BadInput);
                continue;
            }
            var decision = Gate.Evaluate(policy, candidates);
            var dir = Path.Combine(layout.Gate, group.Key);
            DecisionWriter.Write(decision, dir);
            var headline = decision.Verdict switch
            {
                Verdict.Pass => $"PASS winner: {decision.Winner}",
                Verdict.Fail => "FAIL no candidate meets every requirement",
                _ => "INSUFFICIENT EVIDENCE",
            };
            env.Console.MarkupLine(Markup.Escape($"gate {group.Key} (policy {policy.Name}): {headline}"));
            foreach (var line in decision.Problems)
                env.Console.MarkupLine(Markup.Escape("  " + line));
            env.Console.MarkupLine(Markup.Escape($"  wrote {Path.Combine(dir, DecisionWriter.MarkdownFile)}"));
            exit = Math.Max(exit, decision.ExitCode);
        }
        return exit;
    }

    private static Campaign Load(CliEnvironment env, string file, string? storage)
    {
        var campaign = CampaignLoader.Load(env.ResolvePath(file), WorkloadSource.Builtin, [.. EngineRegistry.Catalog.All.Select(f => f.Id)]);
        if (storage is null)
            return campaign;
        var path = env.ResolvePath(storage);
        return path.Any(char.IsWhiteSpace)
            ? throw new InputException("--storage", null, "--storage", "a storage path with whitespace cannot be named in an #SBATCH line")
            : campaign with { Storage = path };
    }

    /// <summary>A campaign folder (with plan.json), or a campaign file whose folder is opened.</summary>
    private static CampaignStore Open(CliEnvironment env, string campaignOrFolder, string? storage)
    {
        var path = env.ResolvePath(campaignOrFolder);
        if (Directory.Exists(path))
            return CampaignStore.Open(path);
        return CampaignStore.Open(Load(env, campaignOrFolder, storage).Root);
    }

    private static IReadOnlyList<string> ToolOf(Campaign campaign, string? tool) =>
        tool is null ? campaign.Tool : tool.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } words
            ? words
            : throw new InputException("--tool", null, "--tool", "expected the command nodes run");

    private static string Counts(IReadOnlyList<CampaignTaskStatus> statuses) =>
        string.Join(", ", statuses.GroupBy(s => s.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"));

    private static Markup Cell(string text) => new(Markup.Escape(text));
}
