using SiliconBench.Campaigns;
using SiliconBench.Tests.Planning;

namespace SiliconBench.Tests.Campaigns;

/// <summary>Campaign text for tests, loaded with the repository's workloads as the built-in ones.</summary>
internal static class CampaignFiles
{
    public const string TwoSystems = """
        name: lab
        storage: /shared/campaigns
        tool: [dotnet, /opt/sb/siliconbench.dll]
        matrix:
          workloads: [interactive-chat]
          profiles: [smoke]
          models: ["synthetic:tiny"]
          repetitions: 2
        run: {idle_s: 5, roofline: false, cooldown_s: 30}
        systems:
          gpu:
            backend: worker
            device: cuda
            dtype: bf16
            options: {threads: 4, command: python3}
            samplers: [nvml]
            slurm: {partition: h100, gres: "gpu:h100:1", cpus_per_task: 8, mem: 64G, time: "02:00:00", max_parallel: 2, options: [--reservation=bench]}
            kubernetes: {image: "reg/sb:1", node_selector: {nvidia.com/gpu.product: H100}, gpus: 1, cpu: "8", memory: 64Gi}
          cpu:
            options: {threads: 2}
            slurm: {partition: debug}
        kubernetes: {namespace: bench, storage_claim: sb-storage}
        """;

    public static BuiltinWorkloads Builtins { get; } = name =>
    {
        var path = Path.Combine(ShippedWorkloadsTests.WorkloadsFolder(), name + ".yaml");
        return File.Exists(path) ? File.ReadAllText(path) : null;
    };

    public static Campaign Parse(string text, string source = "c.yaml") =>
        CampaignLoader.Parse(text, source, "/campaigns", Builtins, ["onnxruntime", "worker"]);
}
