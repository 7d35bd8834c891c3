namespace SiliconBench.Campaigns.Scheduling.Slurm;

/// <summary>Reads what squeue, scontrol and sacct print into task states (formats as of Slurm 22.05).</summary>
public static class SlurmOutput
{
    /// <summary>squeue and scontrol say this for a job id they no longer (or never) knew.</summary>
    public static bool IsUnknownJob(string error) => error.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase);

    /// <summary><c>squeue --array --noheader --format=%F|%K|%T|%N|%r</c>: array job id, task index, state, nodes, reason.</summary>
    public static IEnumerable<SchedulerTaskState> ParseSqueue(string output)
    {
        foreach (var line in Lines(output))
        {
            var f = line.Split('|');
            if (f.Length < 5 || ArrayIndices.Parse(f[1]) is not { } indices)
                continue;
            foreach (var index in indices)
                yield return new SchedulerTaskState(f[0].Trim(), index, f[2].Trim(), NullIfEmpty(f[3]), null, Reason(f[4]));
        }
    }

    /// <summary>
    /// <c>scontrol show job --oneliner ID</c>: one line per array task (a pending remainder as one line with a range),
    /// <c>Key=Value</c> words: ArrayJobId, ArrayTaskId, JobState, Reason, ExitCode, NodeList.
    /// </summary>
    public static IEnumerable<SchedulerTaskState> ParseScontrol(string output)
    {
        foreach (var line in Lines(output))
        {
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var word in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = word.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                    fields.TryAdd(word[..eq], word[(eq + 1)..]);
            }
            if (!fields.TryGetValue("ArrayJobId", out var job) || !fields.TryGetValue("ArrayTaskId", out var taskText)
                || ArrayIndices.Parse(taskText) is not { } indices || !fields.TryGetValue("JobState", out var state))
                continue;
            var node = fields.GetValueOrDefault("NodeList") is { } n && n != "(null)" ? n : null;
            foreach (var index in indices)
                yield return new SchedulerTaskState(job, index, state, node, fields.GetValueOrDefault("ExitCode"), Reason(fields.GetValueOrDefault("Reason")));
        }
    }

    /// <summary><c>sacct --noheader --parsable2 --allocations --format=JobID,State,ExitCode,NodeList</c>; JobID is <c>ID_TASK</c> or <c>ID_[RANGE]</c>.</summary>
    public static IEnumerable<SchedulerTaskState> ParseSacct(string output)
    {
        foreach (var line in Lines(output))
        {
            var f = line.Split('|');
            if (f.Length < 4)
                continue;
            var underscore = f[0].IndexOf('_', StringComparison.Ordinal);
            if (underscore <= 0 || ArrayIndices.Parse(f[0][(underscore + 1)..]) is not { } indices)
                continue;
            // "CANCELLED by 0" names who cancelled; the state is the first word.
            var state = f[1].Split(' ')[0].Trim();
            foreach (var index in indices)
                yield return new SchedulerTaskState(f[0][..underscore], index, state, NullIfEmpty(f[3]) is { } n && n != "None assigned" ? n : null, NullIfEmpty(f[2]));
        }
    }

    /// <summary>Whether <c>scontrol show config</c> names an accounting store (sacct answers only then).</summary>
    public static bool HasAccounting(string config) =>
        ConfigValue(config, "AccountingStorageType") is { } type && !type.EndsWith("/none", StringComparison.Ordinal);

    /// <summary>How long slurmctld keeps a finished job, e.g. <c>300 sec</c>.</summary>
    public static string? MinJobAge(string config) => ConfigValue(config, "MinJobAge");

    private static string? ConfigValue(string config, string key)
    {
        foreach (var line in Lines(config))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && line[..eq].Trim() == key)
                return line[(eq + 1)..].Trim();
        }
        return null;
    }

    private static string? Reason(string? reason) => NullIfEmpty(reason) is { } r && r != "None" ? r : null;

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static IEnumerable<string> Lines(string text) =>
        text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Trim().Length > 0);
}
