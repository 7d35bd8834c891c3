using System.Globalization;
using System.Text;
using SiliconBench.Probing;

namespace SiliconBench.Campaigns.Scheduling.Slurm;

/// <summary>
/// Slurm: one sbatch array script per system (one array task per run; the task's index is its plan index), submitted
/// with <c>sbatch --parsable</c>; task states from <c>squeue</c> (queued, running), then <c>sacct</c> where an
/// accounting store exists, else <c>scontrol</c> (which remembers finished jobs for MinJobAge, 300 s by default).
/// </summary>
public sealed class SlurmScheduler(ICommandRunner commands) : ICampaignScheduler
{
    public const string SchedulerId = "slurm";

    /// <summary>Where Slurm writes each array task's own output (the directory must exist before the task starts).</summary>
    public const string OutputPattern = "slurm-%A_%a.out";

    private static readonly TaskScript.Environment ScriptEnvironment = new(SchedulerId, SchedulerProbe.SlurmArrayTaskId,
    [
        new("job_id", "${" + SchedulerProbe.SlurmJobId + ":-}"),
        new("array_job_id", "${" + SchedulerProbe.SlurmArrayJobId + ":-}"),
        new("node", "${" + SchedulerProbe.SlurmNodeName + ":-$(hostname)}"),
    ]);

    public string Id => SchedulerId;

    public IReadOnlyList<SchedulerFile> Render(CampaignRender request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var files = new List<SchedulerFile>();
        foreach (var system in request.Campaign.Systems)
        {
            var tasks = request.Tasks.Where(t => t.System == system.Name).OrderBy(t => t.Index).ToList();
            if (tasks.Count == 0)
                continue;
            files.Add(new SchedulerFile(system.Name, $"{system.Name}.sbatch", Script(request, system, tasks), [.. tasks.Select(t => t.Index)]));
        }
        return files;
    }

    private static string Script(CampaignRender request, CampaignSystem system, IReadOnlyList<CampaignTask> tasks)
    {
        var layout = new CampaignLayout(request.Plan.Root);
        var slurm = system.Slurm;
        var sb = new StringBuilder();
        void Line(string text) => sb.Append(text).Append('\n');
        Line("#!/bin/sh");
        Line($"#SBATCH --job-name=sb-{request.Plan.Campaign}-{system.Name}");
        var array = ArrayIndices.Format(tasks.Select(t => t.Index));
        Line($"#SBATCH --array={array}{(slurm.MaxParallel is { } max ? "%" + max.ToString(CultureInfo.InvariantCulture) : "")}");
        Line("#SBATCH --nodes=1");
        Line("#SBATCH --ntasks=1");
        void Option(string name, string? value)
        {
            if (value is not null)
                Line($"#SBATCH --{name}={value}");
        }
        Option("partition", slurm.Partition);
        Option("constraint", slurm.Constraint);
        Option("gres", slurm.Gres);
        Option("cpus-per-task", slurm.CpusPerTask?.ToString(CultureInfo.InvariantCulture));
        Option("mem", slurm.Memory);
        Option("time", slurm.TimeLimit);
        Option("account", slurm.Account);
        Option("qos", slurm.Qos);
        if (system.Exclusive)
            Line("#SBATCH --exclusive");
        foreach (var extra in slurm.ExtraOptions)
            Line($"#SBATCH {extra}");
        Line($"#SBATCH --output={Path.Combine(layout.Tasks, "%a", OutputPattern)}");
        Line($"# siliconbench campaign {request.Plan.Campaign}, system {system.Name}: one array task per run ({tasks.Count.ToString(CultureInfo.InvariantCulture)} here).");
        Line(system.Exclusive
            ? $"# Whole nodes (--exclusive){(system.MeasuresEnergy ? ": energy is measured, so no other job may share the node" : "")}."
            : "# Nodes may be shared: no energy is measured on this system.");
        sb.Append(TaskScript.Body(request.Plan, tasks, t => t.Index, request.Tool, request.Campaign.Run.CooldownSeconds, ScriptEnvironment));
        return sb.ToString();
    }

    public SubmitResult Submit(SchedulerFile file, string path)
    {
        ArgumentNullException.ThrowIfNull(file);
        var result = commands.Run("sbatch", ["--parsable", path]);
        if (result.ExitCode == CommandResult.NotFound)
            return SubmitResult.Failure("sbatch was not found: submit from a Slurm login node (or write the scripts with campaign render --slurm)");
        if (!result.Succeeded)
            return SubmitResult.Failure($"sbatch refused {path}: {result.Error.Trim()}");
        // --parsable prints "jobid" or "jobid;cluster".
        var id = result.Output.Trim().Split(';')[0].Trim();
        return id.Length > 0 && id.All(char.IsAsciiDigit) ? SubmitResult.Success(id) : SubmitResult.Failure($"sbatch printed no job id: '{result.Output.Trim()}'");
    }

    public SchedulerSnapshot Query(IReadOnlyList<SubmissionRecord> submissions)
    {
        ArgumentNullException.ThrowIfNull(submissions);
        var ids = submissions.Where(s => s.Scheduler == SchedulerId).Select(s => s.JobId).Distinct(StringComparer.Ordinal).ToList();
        var tasks = new Dictionary<(string, int), SchedulerTaskState>();
        if (ids.Count == 0)
            return new SchedulerSnapshot { Tasks = tasks, Notes = ["nothing submitted to Slurm"] };

        var squeue = commands.Run("squeue", ["--array", "--noheader", "--jobs=" + string.Join(',', ids), "--format=%F|%K|%T|%N|%r"]);
        if (!squeue.Succeeded && !SlurmOutput.IsUnknownJob(squeue.Error))
            return SchedulerSnapshot.None($"squeue failed: {FirstLine(squeue.Error)}");
        var notes = new List<string> { "squeue (queued and running tasks)" };
        foreach (var state in SlurmOutput.ParseSqueue(squeue.Output))
            tasks[(state.JobId, state.Task)] = state;

        var config = commands.Run("scontrol", ["show", "config"]);
        if (config.Succeeded && SlurmOutput.HasAccounting(config.Output))
        {
            var sacct = commands.Run("sacct", ["--noheader", "--parsable2", "--allocations", "--jobs=" + string.Join(',', ids), "--format=JobID,State,ExitCode,NodeList"]);
            if (sacct.Succeeded)
            {
                notes.Add("sacct (finished tasks, from the accounting store)");
                foreach (var state in SlurmOutput.ParseSacct(sacct.Output))
                    tasks.TryAdd((state.JobId, state.Task), state);
                return new SchedulerSnapshot { Tasks = tasks, Notes = notes };
            }
            notes.Add($"sacct failed ({FirstLine(sacct.Error)}); finished tasks from scontrol");
        }
        else
        {
            notes.Add($"no accounting store: scontrol remembers finished tasks for {SlurmOutput.MinJobAge(config.Output) ?? "MinJobAge"}; after that the task folders tell");
        }
        foreach (var id in ids)
        {
            var show = commands.Run("scontrol", ["show", "job", "--oneliner", id]);
            if (!show.Succeeded)
                continue; // forgotten: the task folders tell
            foreach (var state in SlurmOutput.ParseScontrol(show.Output))
                tasks.TryAdd((state.JobId, state.Task), state);
        }
        return new SchedulerSnapshot { Tasks = tasks, Notes = notes };
    }

    private static string FirstLine(string text) => text.Trim().Split('\n')[0].Trim();
}
