using SiliconBench.Records;

namespace SiliconBench.Testing.Records;

/// <summary>A minimal valid manifest for runs made in tests; callers add what their test is about with <c>with</c>.</summary>
public static class TestManifests
{
    public static RunManifest Draft(string runId = "test") => new()
    {
        RunId = runId,
        StartedUtc = DateTimeOffset.UnixEpoch,
        Tool = new ToolInfo("siliconbench", "0", null),
        Host = new HostInfo { Hostname = "h", Os = "os", Cpu = "cpu", Runtime = "rt" },
        Backend = new BackendInfo { Id = "scripted", Version = "1", Device = "cpu" },
        Model = new ModelInfo { Spec = "s", Name = "s", Dtype = "fp32", CheckpointDtype = "fp32", Weights = "none" },
        Workload = new WorkloadInfo { Name = "w", Profile = "smoke" },
    };
}
