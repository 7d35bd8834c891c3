using SiliconBench.Records;

namespace SiliconBench.Tests.Serving;

/// <summary>A fresh run directory under the temp folder, deleted afterwards, plus a minimal manifest so the reader accepts it.</summary>
public sealed class TestRunDirectory : IDisposable
{
    public TestRunDirectory() =>
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "sb-serving-" + Guid.NewGuid().ToString("N"));

    public string Path { get; }

    public static RunManifest Manifest(BackendInfo backend, bool complete, string? reason) => new()
    {
        RunId = "test",
        StartedUtc = DateTimeOffset.UnixEpoch,
        Complete = complete,
        IncompleteReason = reason,
        Tool = new ToolInfo("siliconbench", "test", null),
        Host = new HostInfo { Hostname = "test", Os = "test", Cpu = "test", Runtime = "test" },
        Backend = backend,
        Model = new ModelInfo { Spec = "served", Name = "served", Dtype = "unknown", CheckpointDtype = "unknown", Weights = "served by the endpoint" },
        Workload = new WorkloadInfo { Name = "test", Profile = "smoke" },
    };

    /// <summary>Every byte of every file written under the directory, as text.</summary>
    public IEnumerable<(string File, string Text)> AllFiles() =>
        Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories).Select(f => (f, File.ReadAllText(f)));

    public void Dispose()
    {
        if (Directory.Exists(Path))
            Directory.Delete(Path, recursive: true);
    }
}
