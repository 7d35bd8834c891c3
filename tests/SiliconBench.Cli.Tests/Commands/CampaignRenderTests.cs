using System.Diagnostics;
using SiliconBench.Diagnostics;
using SiliconBench.Testing;
using Xunit;

namespace SiliconBench.Tests.Commands;

/// <summary>
/// <c>campaign render</c> on the shipped example campaigns: sbatch scripts, and Kubernetes Indexed Jobs that the
/// harness checks itself and that an independent validator (kubernetes-models, generated from the Kubernetes OpenAPI
/// schema; installed by scripts/prerequisites.sh) accepts.
/// </summary>
public sealed class CampaignRenderTests : IDisposable
{
    private readonly CliHarness _cli = new();

    private static string Example(string name) => Path.Combine(RepoPaths.Workloads, "campaigns", name);

    [Fact]
    public void Kubernetes_jobs_of_the_lab_example_pass_the_kubernetes_models_validator()
    {
        var code = _cli.Run("campaign", "render", Example("lab-example.yaml"), "--k8s", "--storage", _cli.PathOf("storage"));

        Assert.True(code == ExitCodes.Ok, _cli.Error.ToString());
        var files = Directory.GetFiles(_cli.PathOf("storage/chat-h100-h200/scripts/k8s"), "*.yaml").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["1-h100.yaml", "2-h200.yaml"], files.Select(Path.GetFileName));
        var text = File.ReadAllText(files[0]);
        Assert.Contains("completionMode: Indexed", text, StringComparison.Ordinal);
        Assert.Contains("nvidia.com/gpu: \"1\"", text, StringComparison.Ordinal);
        Assert.Contains("claimName: siliconbench-campaigns", text, StringComparison.Ordinal);
        Assert.Contains($"mountPath: {_cli.PathOf("storage")}", text, StringComparison.Ordinal);

        // Status counts the rendered tasks as handed over, under their Job's name (which their pods record).
        Assert.Contains("\"job_id\":\"sb-chat-h100-h200-h100\"", File.ReadAllText(_cli.PathOf("storage/chat-h100-h200/submissions.jsonl")), StringComparison.Ordinal);

        var valid = Validate(files);
        Assert.True(valid.Code == 0, valid.Output);

        // The validator is live: a completion count written as text is refused.
        var broken = _cli.PathOf("broken.yaml");
        File.WriteAllText(broken, text.Replace("completions: 3", "completions: \"3\"", StringComparison.Ordinal));
        var refused = Validate([broken]);
        Assert.NotEqual(0, refused.Code);
        Assert.Contains("completions must be integer", refused.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Slurm_scripts_of_the_cpu_example_are_arrays_on_whole_nodes()
    {
        var code = _cli.Run("campaign", "render", Example("cpu-smoke.yaml"), "--slurm", "--storage", _cli.PathOf("storage"), "--tool", "/opt/sb/siliconbench");

        Assert.True(code == ExitCodes.Ok, _cli.Error.ToString());
        var script = File.ReadAllText(_cli.PathOf("storage/cpu-smoke/scripts/slurm/1-threads1.sbatch"));
        Assert.Contains("#SBATCH --array=0-2\n", script, StringComparison.Ordinal);
        Assert.Contains("#SBATCH --exclusive\n", script, StringComparison.Ordinal);
        Assert.Contains($"#SBATCH --output={_cli.PathOf("storage/cpu-smoke/tasks")}/%a/slurm-%A_%a.out", script, StringComparison.Ordinal);
        Assert.Contains("sb_tool() { /opt/sb/siliconbench \"$@\"; }", script, StringComparison.Ordinal);
        Assert.Contains("#SBATCH --array=3-5\n", File.ReadAllText(_cli.PathOf("storage/cpu-smoke/scripts/slurm/2-threads2.sbatch")), StringComparison.Ordinal);
        Assert.True(Directory.Exists(_cli.PathOf("storage/cpu-smoke/tasks/5")), "Slurm writes each task's output in its folder: it must exist first");
        Assert.True(File.Exists(_cli.PathOf("storage/cpu-smoke/inputs/workloads/interactive-chat.yaml")));
    }

    [Fact]
    public void Kubernetes_render_without_a_storage_claim_names_the_missing_field()
    {
        var code = _cli.Run("campaign", "render", Example("cpu-smoke.yaml"), "--k8s", "--storage", _cli.PathOf("storage"));

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("kubernetes.storage_claim", _cli.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Submitting_twice_without_resubmit_is_refused()
    {
        // A campaign submitted once (its submission as submit records it): a second submit must not start it over.
        Assert.Equal(ExitCodes.Ok, _cli.Run("campaign", "render", Example("cpu-smoke.yaml"), "--slurm", "--storage", _cli.PathOf("storage")));
        File.WriteAllText(_cli.PathOf("storage/cpu-smoke/submissions.jsonl"),
            "{\"scheduler\":\"slurm\",\"system\":\"threads1\",\"job_id\":\"7\",\"tasks\":[0,1,2],\"script\":\"s\",\"submitted_utc\":\"2026-12-01T10:00:00+00:00\"}\n");

        var code = _cli.Run("campaign", "submit", Example("cpu-smoke.yaml"), "--storage", _cli.PathOf("storage"));

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--resubmit", _cli.Error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>Runs the kubernetes-models Job validator (node, from .ci/node_modules) over manifests.</summary>
    private static (int Code, string Output) Validate(IEnumerable<string> files)
    {
        var modules = Path.Combine(RepoPaths.Root, ".ci");
        Assert.SkipUnless(File.Exists(Path.Combine(modules, "node_modules", "kubernetes-models", "package.json")),
            "kubernetes-models is not installed in .ci/node_modules (./scripts/test.sh installs it)");
        const string script = """
            import { readFileSync } from "node:fs";
            import { Job } from "kubernetes-models/batch/v1/Job";
            import { parseAllDocuments } from "yaml";
            let bad = 0;
            for (const file of process.argv.slice(1)) {
              for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
                if (doc.errors.length) { console.log(`${file}: ${doc.errors[0].message}`); bad++; continue; }
                try { new Job(doc.toJS()).validate(); console.log(`${file}: valid`); }
                catch (e) { console.log(`${file}: ${e.message}`); bad++; }
              }
            }
            process.exit(bad ? 1 : 0);
            """;
        var info = new ProcessStartInfo("node") { WorkingDirectory = modules, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--input-type=module", "-e", script }.Concat(files))
            info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }

    public void Dispose() => _cli.Dispose();
}
