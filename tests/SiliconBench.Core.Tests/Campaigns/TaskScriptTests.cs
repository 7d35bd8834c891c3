using System.Diagnostics;
using SiliconBench.Campaigns;
using SiliconBench.Campaigns.Scheduling;
using SiliconBench.Campaigns.Scheduling.Slurm;
using SiliconBench.Testing.Campaigns;
using Xunit;

namespace SiliconBench.Tests.Campaigns;

/// <summary>The sbatch script runs under /bin/sh as Slurm would start it (array task variables set), with a fake tool.</summary>
public sealed class TaskScriptTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sb-taskscript-" + Guid.NewGuid().ToString("N")[..8]);

    public TaskScriptTests()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "uses /bin/sh");
        Directory.CreateDirectory(_dir);
    }

    private (Campaign Campaign, CampaignPlan Plan, string Script) Render(double cooldown = 0)
    {
        var text = CampaignFiles.TwoSystems
            .Replace("storage: /shared/campaigns", $"storage: {_dir}/storage", StringComparison.Ordinal)
            .Replace("cooldown_s: 30", $"cooldown_s: {cooldown}", StringComparison.Ordinal);
        var campaign = CampaignFiles.Parse(text);
        var plan = CampaignPlanner.Plan(campaign);
        var tool = FakeNodeTool.Write(_dir);
        var files = new SlurmScheduler(new ScriptedCommands()).Render(new CampaignRender(campaign, plan, plan.Tasks, [tool]));
        var path = Path.Combine(_dir, files[0].FileName);
        File.WriteAllText(path, files[0].Text);
        return (campaign, plan, path);
    }

    [Fact]
    public void A_task_claims_an_attempt_folder_writes_its_status_and_runs_the_tool_with_its_run_id()
    {
        var (_, plan, script) = Render();

        var first = Run(script, "1");
        var second = Run(script, "1", exitCode: 3);

        Assert.Equal(0, first.Code);
        Assert.Equal(3, second.Code);
        var key = plan.Tasks[1].Key;
        var a1 = TaskAttempt.ParseStatus(File.ReadAllText(Path.Combine(plan.Root, "tasks", "1", "a1", "status")));
        Assert.Equal("1", a1["task"]);
        Assert.Equal(key, a1["run_id"]);
        Assert.Equal(("slurm", "41", "40", "node7"), (a1["scheduler"], a1["job_id"], a1["array_job_id"], a1["node"]));
        Assert.Equal("0", a1["exit_code"]);
        Assert.True(DateTimeOffset.TryParse(a1["started_utc"], out _));
        var a2 = TaskAttempt.ParseStatus(File.ReadAllText(Path.Combine(plan.Root, "tasks", "1", "a2", "status")));
        Assert.Equal(($"{key}-a2", "3"), (a2["run_id"], a2["exit_code"]));

        // The tool got the task's run arguments, then the attempt's run id and folder; the campaign's names in its environment.
        var log = File.ReadAllText(Path.Combine(plan.Root, "tasks", "1", "a1", "run.log"));
        Assert.Contains($"args: run {string.Join(' ', plan.Tasks[1].Arguments)} --run-id {key} --output {plan.Root}/tasks/1/a1", log, StringComparison.Ordinal);
        Assert.Contains($"campaign: lab {key}", log, StringComparison.Ordinal);
    }

    [Fact]
    public void An_index_not_in_the_script_is_refused()
    {
        var (_, _, script) = Render();

        var result = Run(script, "3"); // task 3 is the cpu system's: not in the gpu system's script

        Assert.Equal(2, result.Code);
        Assert.Contains("no task 3 in this script", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Energy_systems_take_whole_nodes_and_cool_down_first()
    {
        var (_, _, script) = Render(cooldown: 30);
        var text = File.ReadAllText(script);

        Assert.Contains("#SBATCH --exclusive\n", text, StringComparison.Ordinal);
        Assert.Contains("#SBATCH --array=0-1%2\n", text, StringComparison.Ordinal);
        Assert.Contains("#SBATCH --gres=gpu:h100:1\n", text, StringComparison.Ordinal);
        Assert.Contains("#SBATCH --reservation=bench\n", text, StringComparison.Ordinal);
        Assert.Contains("\nsleep 30 ", text, StringComparison.Ordinal);
        // Directives after the first command are ignored by sbatch: every #SBATCH line comes before it.
        var lines = text.Split('\n');
        Assert.True(Array.FindLastIndex(lines, l => l.StartsWith("#SBATCH", StringComparison.Ordinal)) < Array.FindIndex(lines, l => l.Length > 0 && !l.StartsWith('#')));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("it's")]
    [InlineData("two words")]
    [InlineData("$HOME `date` \"q\" \\ ;|&")]
    [InlineData("")]
    public void Quoted_words_reach_the_program_unchanged(string word)
    {
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"printf '%s' {TaskScript.Quote(word)}");
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();

        Assert.Equal(word, output);
    }

    private static (int Code, string Error) Run(string script, string index, int exitCode = 0)
    {
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        info.Environment["SLURM_ARRAY_TASK_ID"] = index;
        info.Environment["SLURM_JOB_ID"] = "41";
        info.Environment["SLURM_ARRAY_JOB_ID"] = "40";
        info.Environment["SLURMD_NODENAME"] = "node7";
        info.Environment[FakeNodeTool.ExitVariable] = exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var p = Process.Start(info)!;
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, error);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }
}
