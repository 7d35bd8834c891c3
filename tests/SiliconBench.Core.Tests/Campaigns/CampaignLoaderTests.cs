using SiliconBench.Campaigns;
using SiliconBench.Diagnostics;
using SiliconBench.Tests.Planning;
using Xunit;

namespace SiliconBench.Tests.Campaigns;

public sealed class CampaignLoaderTests
{
    [Fact]
    public void Reads_systems_with_their_scheduler_settings()
    {
        var c = CampaignFiles.Parse(CampaignFiles.TwoSystems);

        Assert.Equal(("lab", "/shared/campaigns/lab"), (c.Name, c.Root));
        Assert.Equal(["dotnet", "/opt/sb/siliconbench.dll"], c.Tool);
        Assert.Equal((2, 5.0, false, 30.0), (c.Repetitions, c.Run.IdleSeconds, c.Run.Roofline, c.Run.CooldownSeconds));
        var gpu = c.Systems[0];
        Assert.Equal(("worker", "cuda", "bf16"), (gpu.Backend, gpu.Device, gpu.Dtype));
        Assert.Equal(["command=python3", "threads=4"], gpu.Options.Select(o => $"{o.Key}={o.Value}"));
        Assert.True(gpu.MeasuresEnergy);
        Assert.True(gpu.Exclusive, "energy is measured: whole nodes");
        Assert.Equal(("h100", "gpu:h100:1", 8, "64G", "02:00:00", 2), (gpu.Slurm.Partition, gpu.Slurm.Gres, gpu.Slurm.CpusPerTask, gpu.Slurm.Memory, gpu.Slurm.TimeLimit, gpu.Slurm.MaxParallel));
        Assert.Equal(["--reservation=bench"], gpu.Slurm.ExtraOptions);
        Assert.Equal((1, "nvidia.com/gpu", "8", "64Gi"), (gpu.Kubernetes.Gpus, gpu.Kubernetes.GpuResource, gpu.Kubernetes.Cpu, gpu.Kubernetes.Memory));
        var cpu = c.Systems[1];
        Assert.Equal(("onnxruntime", "cpu", false), (cpu.Backend, cpu.Device, cpu.Exclusive));
        Assert.Equal(("bench", "sb-storage"), (c.Kubernetes.Namespace, c.Kubernetes.StorageClaim));
        var w = Assert.Single(c.Workloads);
        Assert.Null(w.Path); // built-in: copied into the campaign's inputs at submit
        Assert.Equal("interactive-chat", w.Name);
    }

    [Theory]
    [InlineData("name: lab", "name: Lab", 1, "name")]
    [InlineData("storage: /shared/campaigns", "storage: /shared/my campaigns", 2, "storage")]
    [InlineData("  profiles: [smoke]", "  profiles: [smoke, nope]", 6, "matrix.profiles[1]")]
    [InlineData("  models: [\"synthetic:tiny\"]", "  models: [\"synthetic:giant\"]", 7, "matrix.models[0]")]
    [InlineData("  models: [\"synthetic:tiny\"]", "  models: [\"synthetic:tiny\", /m/tiny]", 7, "matrix.models[1]")]
    [InlineData("  repetitions: 2", "  repetitions: 0", 8, "matrix.repetitions")]
    [InlineData("  workloads: [interactive-chat]", "  workloads: [interactive-chat, nope]", 5, "matrix.workloads[1]")]
    [InlineData("run: {idle_s: 5,", "run: {idle: 5,", 9, "run.idle")]
    [InlineData("  gpu:\n", "  GPU:\n", 11, "systems.GPU")]
    [InlineData("    backend: worker", "    backend: tensorrt", 12, "systems.gpu.backend")]
    [InlineData("    dtype: bf16", "    dtype: int4", 14, "systems.gpu.dtype")]
    [InlineData("    samplers: [nvml]", "    samplers: [ipmi]", 16, "systems.gpu.samplers[0]")]
    [InlineData("    samplers: [nvml]", "    samplers: [nvml]\n    exclusive: false", 17, "systems.gpu.exclusive")]
    [InlineData("mem: 64G", "mem: 64GB", 17, "systems.gpu.slurm.mem")]
    [InlineData("partition: h100,", "partition: h100 a100,", 17, "systems.gpu.slurm.partition")]
    [InlineData("options: [--reservation=bench]", "options: [--array=0-3]", 17, "systems.gpu.slurm.options[0]")]
    [InlineData("options: [--reservation=bench]", "options: [reservation]", 17, "systems.gpu.slurm.options[0]")]
    [InlineData("{nvidia.com/gpu.product: H100}", "{nvidia.com/gpu.product: H100 SXM}", 18, "systems.gpu.kubernetes.node_selector.nvidia.com/gpu.product")]
    [InlineData("{nvidia.com/gpu.product: H100}", "{-bad-: H100}", 18, "systems.gpu.kubernetes.node_selector.-bad-")]
    [InlineData("memory: 64Gi}", "memory: 64 GiB}", 18, "systems.gpu.kubernetes.memory")]
    [InlineData("storage_claim: sb-storage}", "storage_claim: SB}", 22, "kubernetes.storage_claim")]
    public void Malformed_campaigns_name_file_line_and_field(string from, string to, int line, string field)
    {
        var text = CampaignFiles.TwoSystems.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(CampaignFiles.TwoSystems, text);

        var e = Assert.Throws<InputException>(() => CampaignFiles.Parse(text, "bad.yaml"));

        Assert.Equal(("bad.yaml", line, field), (e.File, e.Line, e.Field));
    }

    [Fact]
    public void Missing_systems_and_storage_are_named()
    {
        Assert.Equal("systems", Assert.Throws<InputException>(() => CampaignFiles.Parse("name: x\nstorage: /s\nmatrix: {workloads: [rag], profiles: [smoke], models: [\"synthetic:tiny\"]}\n")).Field);
        Assert.Equal("storage", Assert.Throws<InputException>(() => CampaignFiles.Parse("name: x\nmatrix: {workloads: [rag], profiles: [smoke], models: [\"synthetic:tiny\"]}\nsystems: {a: {}}\n")).Field);
    }

    [Fact]
    public void Relative_paths_are_made_absolute_from_the_campaign_folder()
    {
        var c = CampaignFiles.Parse(CampaignFiles.TwoSystems
            .Replace("storage: /shared/campaigns", "storage: ../out", StringComparison.Ordinal)
            .Replace("tool: [dotnet, /opt/sb/siliconbench.dll]", "tool: bin/siliconbench", StringComparison.Ordinal)
            .Replace("\"synthetic:tiny\"", "models/llama-8b", StringComparison.Ordinal));

        Assert.Equal("/out", c.Storage);
        Assert.Equal(["/campaigns/bin/siliconbench"], c.Tool);
        Assert.Equal(("/campaigns/models/llama-8b", "llama-8b"), (c.Models[0].Spec, c.Models[0].Slug));
    }

    [Fact]
    public void Shipped_example_campaigns_load()
    {
        var folder = Path.Combine(ShippedWorkloadsTests.WorkloadsFolder(), "campaigns");
        foreach (var file in Directory.GetFiles(folder, "*.yaml"))
        {
            var c = CampaignLoader.Load(file, CampaignFiles.Builtins);
            Assert.NotNull(c.GatePolicy);
            Assert.NotEmpty(CampaignPlanner.Plan(c).Tasks);
        }
    }
}
