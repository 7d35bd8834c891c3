using System.Globalization;
using System.Text;
using System.Text.Json;
using SiliconBench.Diagnostics;

namespace SiliconBench.Campaigns;

/// <summary>One scheduler submission (a line of <c>submissions.jsonl</c>): which tasks went under which job id.</summary>
public sealed record SubmissionRecord
{
    public required string Scheduler { get; init; }
    public required string System { get; init; }
    /// <summary>The id the scheduler gave (Slurm: the array job id).</summary>
    public required string JobId { get; init; }
    public required IReadOnlyList<int> Tasks { get; init; }
    public required string Script { get; init; }
    public DateTimeOffset SubmittedUtc { get; init; }
}

/// <summary>
/// One attempt at a task, as its <c>status</c> file says (written by the task script on the node: who ran it where,
/// when it started, and, when it got that far, the tool's exit code and when it finished).
/// </summary>
public sealed record TaskAttempt
{
    public int Task { get; init; }
    public int Number { get; init; }
    public required string Directory { get; init; }
    public required IReadOnlyDictionary<string, string> Fields { get; init; }

    public string? RunId => Get("run_id");
    public string? Scheduler => Get("scheduler");
    public string? JobId => Get("job_id");
    /// <summary>The id the task was submitted under (Slurm: the array job id); for Kubernetes the Job's name.</summary>
    public string? SubmittedJobId => Get("array_job_id") ?? Get("job_id");
    public string? Node => Get("node");
    public string? Pod => Get("pod");
    public string? StartedUtc => Get("started_utc");
    public string? FinishedUtc => Get("finished_utc");
    public int? ExitCode => Get("exit_code") is { } text && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var code) ? code : null;
    public bool Finished => ExitCode is not null;

    /// <summary>The run record folder the task script asked the run to write.</summary>
    public string? RecordDirectory => RunId is { } id ? Path.Combine(Directory, id) : null;

    public string LogFile => Path.Combine(Directory, CampaignLayout.LogFileName);

    private string? Get(string key) => Fields.TryGetValue(key, out var v) && v.Length > 0 ? v : null;

    /// <summary>Reads <c>key=value</c> lines; a line cut off by a dying node is ignored, the later value of a key wins.</summary>
    public static Dictionary<string, string> ParseStatus(string text)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
                fields[line[..eq].Trim()] = line[(eq + 1)..].Trim();
        }
        return fields;
    }
}

/// <summary>Reads and writes a campaign's files on shared storage (<see cref="CampaignLayout"/>).</summary>
public sealed class CampaignStore(CampaignLayout layout)
{
    public CampaignLayout Layout { get; } = layout;

    public bool Exists => File.Exists(Layout.PlanFile);

    /// <summary>The store of a campaign directory (holding plan.json), or an input error naming what is missing.</summary>
    public static CampaignStore Open(string root)
    {
        var store = new CampaignStore(new CampaignLayout(root));
        return store.Exists ? store : throw new InputException(store.Layout.PlanFile, null, null, "no campaign here: submit it first (siliconbench campaign submit FILE)");
    }

    /// <summary>
    /// Makes the campaign's folder on first submit: the campaign file as submitted, its plan, and the inputs nodes read
    /// (built-in workloads, cost sheets, the policy). Later submits check they are of the same campaign file.
    /// </summary>
    public void Initialize(Campaign campaign, CampaignPlan plan)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(plan);
        if (Exists)
        {
            var existing = ReadPlan();
            if (existing.CampaignSha256 != plan.CampaignSha256)
                throw new InputException(campaign.File, null, "name",
                    $"campaign '{plan.Campaign}' in {Layout.Root} was submitted from other campaign text ({existing.CampaignFile}); a changed campaign needs a new name");
            return;
        }
        try
        {
            Directory.CreateDirectory(Layout.Root);
            File.Copy(campaign.File, Layout.CampaignCopy, overwrite: true);
            foreach (var w in campaign.Workloads.Where(w => w.Path is null))
                WriteAtomically(Layout.WorkloadInput(w.Name), w.Text);
            foreach (var s in campaign.Systems.Where(s => s.CostSheet is not null))
                WriteAtomically(Layout.CostInput(s.Name), File.ReadAllText(s.CostSheet!));
            if (campaign.GatePolicy is { } policy)
                WriteAtomically(Layout.PolicyInput, File.ReadAllText(policy));
            WritePlan(plan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(Layout.Root, null, "storage", $"cannot write the campaign's folder: {e.Message}", e);
        }
    }

    /// <summary>Task folders exist before their tasks start: Slurm writes each task's own output there.</summary>
    public void CreateTaskDirectories(IEnumerable<CampaignTask> tasks)
    {
        foreach (var task in tasks)
            Directory.CreateDirectory(Layout.TaskDirectory(task.Index));
    }

    public CampaignPlan ReadPlan()
    {
        var path = Layout.PlanFile;
        try
        {
            var plan = JsonSerializer.Deserialize(File.ReadAllText(path), CampaignJsonContext.Indented.CampaignPlan)
                ?? throw new InputException(path, 1, null, "expected a campaign plan, found null");
            return plan.Schema == CampaignPlan.SchemaId ? plan : throw new InputException(path, null, "schema", $"expected {CampaignPlan.SchemaId}, found {plan.Schema}");
        }
        catch (JsonException e)
        {
            throw new InputException(path, (int)(e.LineNumber ?? 0) + 1, e.Path, $"not a campaign plan: {e.Message}", e);
        }
    }

    public void WritePlan(CampaignPlan plan) =>
        WriteAtomically(Layout.PlanFile, JsonSerializer.Serialize(plan, CampaignJsonContext.Indented.CampaignPlan) + "\n");

    public IReadOnlyList<SubmissionRecord> ReadSubmissions()
    {
        var path = Layout.SubmissionsFile;
        if (!File.Exists(path))
            return [];
        var result = new List<SubmissionRecord>();
        var lines = File.ReadAllLines(path);
        for (var i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
                continue;
            try
            {
                result.Add(JsonSerializer.Deserialize(lines[i], CampaignJsonContext.Compact.SubmissionRecord)
                    ?? throw new InputException(path, i + 1, null, "expected a submission, found null"));
            }
            catch (JsonException e)
            {
                throw new InputException(path, i + 1, e.Path, $"not a submission record: {e.Message}", e);
            }
        }
        return result;
    }

    public void AppendSubmission(SubmissionRecord submission) =>
        File.AppendAllText(Layout.SubmissionsFile, JsonSerializer.Serialize(submission, CampaignJsonContext.Compact.SubmissionRecord) + "\n", new UTF8Encoding(false));

    /// <summary>The attempts of a task in order (a1, a2, …); folders without a status file are attempts that never wrote one.</summary>
    public IReadOnlyList<TaskAttempt> ReadAttempts(int index)
    {
        var dir = Layout.TaskDirectory(index);
        if (!Directory.Exists(dir))
            return [];
        var attempts = new List<TaskAttempt>();
        foreach (var sub in Directory.GetDirectories(dir))
        {
            var name = Path.GetFileName(sub);
            if (name.Length < 2 || name[0] != 'a' || !int.TryParse(name.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                continue;
            var statusPath = Path.Combine(sub, CampaignLayout.StatusFileName);
            var fields = File.Exists(statusPath) ? TaskAttempt.ParseStatus(File.ReadAllText(statusPath)) : [];
            attempts.Add(new TaskAttempt { Task = index, Number = n, Directory = sub, Fields = fields });
        }
        return [.. attempts.OrderBy(a => a.Number)];
    }

    /// <summary>Write-then-rename, so a reader on another node never sees half a file.</summary>
    public static void WriteAtomically(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.tmp";
        File.WriteAllText(temp, text, new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }
}
