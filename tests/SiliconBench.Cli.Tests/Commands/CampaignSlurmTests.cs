using System.Diagnostics;
using System.Text.Json;
using SiliconBench.Diagnostics;
using SiliconBench.Testing.Slurm;
using Xunit;

namespace SiliconBench.Tests.Commands;

/// <summary>
/// A campaign on a real single-node Slurm (munged, slurmctld and slurmd started for this class in a folder of its own):
/// the siliconbench built by this test submits a 4-task CPU campaign (2 systems × 2 repetitions of the interactive-chat
/// smoke workload on synthetic:tiny) with sbatch; on the node, each task runs the same binary through a test double
/// that kills task 1's first attempt with SIGKILL mid-run. collect must give three valid records and one incomplete
/// record with its reason, gate and report; --resubmit must run only the failed task, and collect then all four valid.
/// </summary>
public sealed class CampaignSlurmTests(CampaignSlurmTests.Cluster fixture) : IClassFixture<CampaignSlurmTests.Cluster>
{
    public sealed class Cluster : IDisposable
    {
        private readonly Lazy<LocalSlurmCluster> _cluster = new(() => LocalSlurmCluster.Start(TimeSpan.FromSeconds(90)));

        public LocalSlurmCluster Get()
        {
            Assert.SkipWhen(LocalSlurmCluster.Unavailable is not null, LocalSlurmCluster.Unavailable ?? "");
            return _cluster.Value;
        }

        public void Dispose()
        {
            if (_cluster.IsValueCreated)
                _cluster.Value.Dispose();
        }
    }

    private static readonly TimeSpan TaskTimeout = TimeSpan.FromMinutes(3);

    [Fact]
    public void Four_task_campaign_collects_three_valid_and_one_incomplete_then_resubmits_only_the_failed_task()
    {
        var cluster = fixture.Get();
        var dir = Path.Combine(Path.GetTempPath(), "sb-campaign-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var root = WriteCampaign(dir);

            var submit = Cli(cluster, dir, "campaign", "submit", "campaign.yaml");
            Assert.True(submit.Code == ExitCodes.Ok, submit.Text + cluster.Logs());
            Assert.Contains("submitted threads1: Slurm job", submit.Output, StringComparison.Ordinal);
            Assert.Contains("submitted threads2: Slurm job", submit.Output, StringComparison.Ordinal);
            cluster.WaitUntilIdle(TaskTimeout);

            var collect = Cli(cluster, dir, "campaign", "collect", "campaign.yaml");
            // Task 1 is incomplete, so its candidate has one complete repetition of the two the policy requires.
            Assert.True(collect.Code == ExitCodes.BadInput, collect.Text);
            var tasks = Collection(root);
            Assert.Equal(["valid", "incomplete", "valid", "valid"], tasks.Select(t => t.GetProperty("state").GetString()));
            var failed = tasks[1];
            Assert.Contains("killed by signal 9", failed.GetProperty("reason").GetString(), StringComparison.Ordinal);
            Assert.Contains($"on node {cluster.NodeName}", failed.GetProperty("reason").GetString(), StringComparison.Ordinal);

            // The killed run's own record is kept, marked incomplete with how its task ended.
            var incomplete = Manifest(Path.Combine(root, "results", "threads1-tiny-interactive-chat-smoke", "r2"));
            Assert.False(incomplete.GetProperty("complete").GetBoolean());
            Assert.Contains("killed by signal 9", incomplete.GetProperty("incomplete_reason").GetString(), StringComparison.Ordinal);
            using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "results", "threads1-tiny-interactive-chat-smoke", "r2", "summary.json"))))
                Assert.False(summary.RootElement.GetProperty("validity").GetProperty("valid").GetBoolean());

            // Records from the node name their job, task and node; run ids are unique.
            var valid = Manifest(Path.Combine(root, "results", "threads2-tiny-interactive-chat-smoke", "r1"));
            var scheduler = valid.GetProperty("host").GetProperty("scheduler");
            Assert.Equal("slurm", scheduler.GetProperty("kind").GetString());
            Assert.Equal(cluster.NodeName, scheduler.GetProperty("node").GetString());
            Assert.Equal("2", scheduler.GetProperty("task_index").GetString());
            Assert.False(string.IsNullOrEmpty(scheduler.GetProperty("job_id").GetString()));
            Assert.Equal("ci-slurm-threads2-tiny-interactive-chat-smoke-r1", scheduler.GetProperty("campaign_task").GetString());
            Assert.Equal(4, tasks.Select(t => t.GetProperty("run_id").GetString()).Distinct().Count());

            // Gate and report ran on what was collected.
            using (var decision = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "gate", "interactive-chat-smoke", "decision.json"))))
                Assert.Equal("insufficient_evidence", decision.RootElement.GetProperty("verdict").GetString());
            Assert.True(File.Exists(Path.Combine(root, "site", "index.html")));

            var resubmit = Cli(cluster, dir, "campaign", "submit", "--resubmit", "campaign.yaml");
            Assert.True(resubmit.Code == ExitCodes.Ok, resubmit.Text);
            Assert.Contains("resubmitting 1 of 4 tasks (missing or failed): 1", resubmit.Output, StringComparison.Ordinal);
            var submissions = File.ReadAllLines(Path.Combine(root, "submissions.jsonl"));
            Assert.Equal(3, submissions.Length);
            using (var last = JsonDocument.Parse(submissions[^1]))
                Assert.Equal([1], last.RootElement.GetProperty("tasks").EnumerateArray().Select(t => t.GetInt32()));
            cluster.WaitUntilIdle(TaskTimeout);

            var again = Cli(cluster, dir, "campaign", "collect", "campaign.yaml");
            Assert.True(again.Code == ExitCodes.Ok, again.Text);
            tasks = Collection(root);
            Assert.All(tasks, t => Assert.Equal("valid", t.GetProperty("state").GetString()));
            Assert.Equal("ci-slurm-threads1-tiny-interactive-chat-smoke-r2-a2", tasks[1].GetProperty("run_id").GetString());
            // The failed attempt stays on storage beside the one that replaced it.
            Assert.True(Directory.Exists(Path.Combine(root, "tasks", "1", "a1", "ci-slurm-threads1-tiny-interactive-chat-smoke-r2")));
            using (var decision = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "gate", "interactive-chat-smoke", "decision.json"))))
                Assert.Equal("pass", decision.RootElement.GetProperty("verdict").GetString());

            var status = Cli(cluster, dir, "campaign", "status", root);
            Assert.True(status.Code == ExitCodes.Ok, status.Text);
            Assert.Contains("campaign ci-slurm: 4 done", status.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string WriteCampaign(string dir)
    {
        var binary = Path.Combine(AppContext.BaseDirectory, "siliconbench");
        var marker = Path.Combine(dir, "task1-killed");
        var tool = Path.Combine(dir, "node-tool.sh");
        File.WriteAllText(tool, $$"""
            #!/bin/sh
            # Test double of the tool on a node: the siliconbench this test built, except that task 1's first attempt is
            # killed with SIGKILL once its record exists, as the out-of-memory killer or a dying node would.
            real='{{binary}}'
            if [ "${SLURM_ARRAY_TASK_ID:-}" = 1 ] && mkdir '{{marker}}' 2>/dev/null; then
              out=; id=; prev=
              for a in "$@"; do
                case "$prev" in --output) out=$a ;; --run-id) id=$a ;; esac
                prev=$a
              done
              "$real" "$@" --idle-s 60 &
              pid=$!
              n=0
              while [ ! -f "$out/$id/manifest.json" ]; do
                n=$((n + 1)); [ "$n" -gt 600 ] && exit 99
                sleep 0.1
              done
              kill -9 "$pid"
              wait "$pid"
              exit $?
            fi
            exec "$real" "$@"

            """);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(dir, "policy.yaml"), """
            name: ci-slurm
            evidence: {min_repetitions: 2, complete: true}
            workloads:
              interactive-chat:
                point: overall
                requirements:
                  - {metric: ttft_ms, statistic: p99, comparator: "<=", threshold: 60000}
            ranking: {metric: output_tokens_per_s, statistic: value, order: descending, point: overall}

            """);
        File.WriteAllText(Path.Combine(dir, "campaign.yaml"), """
            name: ci-slurm
            storage: storage
            tool: ./node-tool.sh
            matrix:
              workloads: [interactive-chat]
              profiles: [smoke]
              models: ["synthetic:tiny"]
              repetitions: 2
            run: {roofline: false}
            systems:
              threads1:
                options: {threads: 1}
                exclusive: true
                slurm: {partition: debug, cpus_per_task: 1, time: "00:10:00"}
              threads2:
                options: {threads: 2}
                exclusive: true
                slurm: {partition: debug, cpus_per_task: 1, time: "00:10:00"}
            gate:
              policy: policy.yaml

            """);
        return Path.Combine(dir, "storage", "ci-slurm");
    }

    private static List<JsonElement> Collection(string root)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "collection.json")));
        return [.. doc.RootElement.GetProperty("tasks").EnumerateArray().Select(t => t.Clone())];
    }

    private static JsonElement Manifest(string runDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "manifest.json")));
        return doc.RootElement.Clone();
    }

    private sealed record Result(int Code, string Output, string Error)
    {
        public string Text => $"exit {Code}\n{Output}\n{Error}";
    }

    /// <summary>The siliconbench binary this test project built, as a lab runs it: its own process, talking to this cluster.</summary>
    private static Result Cli(LocalSlurmCluster cluster, string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "siliconbench"))
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        foreach (var (key, value) in cluster.Environment)
            info.Environment[key] = value;
        // sbatch passes this on to the tasks: the synthetic model is materialized once for the test run.
        info.Environment["SILICONBENCH_CACHE"] = Path.Combine(Path.GetTempPath(), "sb-cli-tests-cache");
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return new Result(process.ExitCode, output.Result, error.Result);
    }
}
