using SiliconBench.Campaigns;
using SiliconBench.Campaigns.Scheduling;
using SiliconBench.Campaigns.Scheduling.Kubernetes;
using SiliconBench.Diagnostics;
using Xunit;

namespace SiliconBench.Tests.Campaigns;

/// <summary>The renderer's Jobs pass the schema check; each way a Job can be wrong is refused at its line and field.</summary>
public sealed class KubernetesJobSchemaTests
{
    private static readonly string Rendered = Render();

    private static string Render()
    {
        var campaign = CampaignFiles.Parse(CampaignFiles.TwoSystems.Replace("kubernetes: {namespace: bench,", "kubernetes: {image: \"reg/sb:1\", namespace: bench,", StringComparison.Ordinal));
        var plan = CampaignPlanner.Plan(campaign);
        var files = new KubernetesJobRenderer().Render(new CampaignRender(campaign, plan, plan.Tasks, ["siliconbench"]));
        Assert.Equal(["gpu.yaml", "cpu.yaml"], files.Select(f => f.FileName));
        return files[0].Text;
    }

    [Fact]
    public void The_rendered_job_is_an_indexed_job_of_its_tasks_on_the_storage_claim()
    {
        KubernetesJobSchema.Check(Rendered, "gpu.yaml");

        Assert.Contains("completionMode: Indexed\n  completions: 2\n  parallelism: 2\n  backoffLimitPerIndex: 0\n", Rendered, StringComparison.Ordinal);
        Assert.Contains("nvidia.com/gpu: \"1\"", Rendered, StringComparison.Ordinal);
        Assert.Contains("topologyKey: kubernetes.io/hostname", Rendered, StringComparison.Ordinal);
        Assert.Contains("fieldPath: spec.nodeName", Rendered, StringComparison.Ordinal);
        Assert.Contains("case \"${JOB_COMPLETION_INDEX:?", Rendered, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("claimName: sb-storage", "claimName: SB", "spec.template.spec.volumes[0].persistentVolumeClaim.claimName")]
    [InlineData("siliconbench/system: gpu\n", "siliconbench/system: true\n", "metadata.labels.siliconbench/system")]
    [InlineData("restartPolicy: Never", "restartPolicy: Always", "spec.template.spec.restartPolicy")]
    [InlineData("  completions: 2\n", "  completions: two\n", "spec.completions")]
    [InlineData("mountPath: /shared/campaigns", "mountPath: shared/campaigns", "spec.template.spec.containers[0].volumeMounts[0].mountPath")]
    [InlineData("        - name: campaign-storage\n", "        - name: results\n", "spec.template.spec.containers[0].volumeMounts[0].name")]
    [InlineData("nvidia.com/gpu: \"1\"", "nvidia.com/gpu: \"0.5\"", "spec.template.spec.containers[0].resources.limits.nvidia.com/gpu")]
    [InlineData("fieldPath: spec.nodeName", "fieldPath: spec.node", "spec.template.spec.containers[0].env[0].valueFrom.fieldRef.fieldPath")]
    [InlineData("  backoffLimitPerIndex: 0", "  backoffLimitPerIndx: 0", "spec.backoffLimitPerIndx")]
    [InlineData("  name: sb-lab-gpu\n", "  name: sb_lab_gpu\n", "metadata.name")]
    public void A_wrong_job_is_refused_at_its_line_and_field(string from, string to, string field)
    {
        Assert.Contains(from, Rendered, StringComparison.Ordinal);
        var broken = Rendered.Replace(from, to, StringComparison.Ordinal);
        var line = broken[..broken.IndexOf(to, StringComparison.Ordinal)].Count(c => c == '\n') + 1 + (to.StartsWith('\n') ? 1 : 0);

        var e = Assert.Throws<InputException>(() => KubernetesJobSchema.Check(broken, "gpu.yaml"));

        Assert.Equal(("gpu.yaml", line, field), (e.File, e.Line, e.Field));
    }

    [Fact]
    public void Indexed_without_completions_and_gpu_requests_unequal_to_limits_are_refused()
    {
        var noCompletions = Rendered.Replace("  completions: 2\n", "", StringComparison.Ordinal);
        var requests = Rendered.Replace("          requests:\n", "          requests:\n            nvidia.com/gpu: \"2\"\n", StringComparison.Ordinal);

        Assert.Equal("spec.completions", Assert.Throws<InputException>(() => KubernetesJobSchema.Check(noCompletions, "j.yaml")).Field);
        Assert.Contains("must equal the limit", Assert.Throws<InputException>(() => KubernetesJobSchema.Check(requests, "j.yaml")).Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("8", true)]
    [InlineData("1e3", true)]
    [InlineData("null", true)]
    [InlineData("off", true)]
    [InlineData("H100", false)]
    [InlineData("v1.2.3", false)]
    public void Plain_scalars_that_yaml_reads_as_other_than_strings(string value, bool expected) =>
        Assert.Equal(expected, KubernetesJobSchema.ReadsAsNonString(value));
}
