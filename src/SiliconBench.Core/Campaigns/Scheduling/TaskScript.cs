using System.Globalization;
using System.Text;
using SiliconBench.Probing;

namespace SiliconBench.Campaigns.Scheduling;

/// <summary>
/// The POSIX shell every scheduler's task runs (sbatch script body, Kubernetes container command): picks the task from
/// the scheduler's index, claims the next attempt folder on shared storage (mkdir is atomic, so two attempts never
/// share one), writes who ran it where into <c>status</c>, cools down, runs <c>siliconbench run</c> with the record going
/// into the attempt folder, and appends the exit code. What the script cannot write (a node that dies) the status file's
/// missing exit code tells <c>campaign status</c>.
/// </summary>
public static class TaskScript
{
    /// <summary>How a scheduler names the running task and where it is.</summary>
    /// <param name="Scheduler">Written to the status file (<c>slurm</c>, <c>kubernetes</c>).</param>
    /// <param name="IndexVariable">The variable holding the scheduler's index of this task.</param>
    /// <param name="StatusFields">Status lines, <c>key</c> → shell expression, e.g. <c>job_id</c> → <c>${SLURM_JOB_ID:-}</c>.</param>
    public sealed record Environment(string Scheduler, string IndexVariable, IReadOnlyList<KeyValuePair<string, string>> StatusFields);

    /// <param name="tasks">Tasks in the order the scheduler indexes them; <paramref name="indexOf"/> gives each one's scheduler index.</param>
    public static string Body(CampaignPlan plan, IReadOnlyList<CampaignTask> tasks, Func<CampaignTask, int> indexOf, IReadOnlyList<string> tool,
        double cooldownSeconds, Environment environment)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(indexOf);
        ArgumentNullException.ThrowIfNull(tool);
        ArgumentNullException.ThrowIfNull(environment);
        var sb = new StringBuilder();
        void Line(string text) => sb.Append(text).Append('\n');
        Line("set -u");
        Line($"root={Quote(plan.Root)}");
        Line($"sb_tool() {{ {string.Join(' ', tool.Select(Quote))} \"$@\"; }}");
        Line($"case \"${{{environment.IndexVariable}:?not started as a {environment.Scheduler} task}}\" in");
        foreach (var task in tasks)
        {
            Line($"  {indexOf(task).ToString(CultureInfo.InvariantCulture)})");
            Line($"    index={task.Index.ToString(CultureInfo.InvariantCulture)}; key={Quote(task.Key)}");
            Line($"    set -- {string.Join(' ', task.Arguments.Select(Quote))} ;;");
        }
        Line($"  *) echo \"siliconbench campaign: no task ${{{environment.IndexVariable}}} in this script\" >&2; exit 2 ;;");
        Line("esac");
        Line("mkdir -p \"$root/tasks/$index\" || exit 2");
        Line("n=1");
        Line("until mkdir \"$root/tasks/$index/a$n\" 2>/dev/null; do");
        Line("  n=$((n + 1))");
        Line("  if [ \"$n\" -gt 1000 ]; then echo \"siliconbench campaign: cannot make an attempt folder in $root/tasks/$index\" >&2; exit 2; fi");
        Line("done");
        Line("attempt=\"$root/tasks/$index/a$n\"");
        Line("run_id=$key");
        Line("if [ \"$n\" -gt 1 ]; then run_id=\"$key-a$n\"; fi");
        Line("{");
        Line("  echo \"task=$index\"");
        Line("  echo \"attempt=$n\"");
        Line("  echo \"run_id=$run_id\"");
        Line($"  echo \"scheduler={environment.Scheduler}\"");
        foreach (var (key, expression) in environment.StatusFields)
            Line($"  echo \"{key}={expression}\"");
        Line("  echo \"started_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)\"");
        Line("} > \"$attempt/status\"");
        Line($"export {SchedulerProbe.Campaign}={Quote(plan.Campaign)} {SchedulerProbe.CampaignTask}=\"$key\"");
        if (cooldownSeconds > 0)
            Line($"sleep {cooldownSeconds.ToString("0.###", CultureInfo.InvariantCulture)}  # cool-down: the device starts from idle temperature");
        Line("sb_tool run \"$@\" --run-id \"$run_id\" --output \"$attempt\" > \"$attempt/run.log\" 2>&1");
        Line("code=$?");
        Line("{");
        Line("  echo \"exit_code=$code\"");
        Line("  echo \"finished_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)\"");
        Line("} >> \"$attempt/status\"");
        Line("exit \"$code\"");
        return sb.ToString();
    }

    /// <summary>One shell word: single-quoted, with embedded quotes closed, escaped and reopened.</summary>
    public static string Quote(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        return word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,@%+".Contains(c))
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
