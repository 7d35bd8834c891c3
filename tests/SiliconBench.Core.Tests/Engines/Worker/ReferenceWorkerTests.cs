using System.Diagnostics;
using SiliconBench.Engines;
using SiliconBench.Engines.Worker;
using SiliconBench.Running;
using SiliconBench.Testing.Worker;
using Xunit;

namespace SiliconBench.Tests.Engines.Worker;

/// <summary>
/// The reference PyTorch worker (workers/pytorch/worker.py). Torch is absent on CI, so these check that it
/// compiles and that its protocol loop answers with errors rather than dying or writing junk to stdout.
/// </summary>
public sealed class ReferenceWorkerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sb-refworker-" + Guid.NewGuid().ToString("N"));

    public ReferenceWorkerTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    private static string ReferenceWorker()
    {
        var factory = new WorkerEngineFactory();
        Assert.NotNull(factory.DefaultCommand);
        return factory.DefaultCommand.Arguments[0];
    }

    [Fact]
    public void Reference_worker_is_found_above_the_test_assembly()
    {
        Assert.EndsWith(Path.Combine("workers", "pytorch", "worker.py"), ReferenceWorker());
    }

    [Fact]
    public void Reference_worker_compiles()
    {
        Assert.SkipWhen(FakeWorker.Python is null, "no python3 on PATH");
        var info = new ProcessStartInfo(FakeWorker.Python!) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-m", "py_compile", ReferenceWorker() })
            info.ArgumentList.Add(argument);
        // Why: keeps __pycache__ out of the source tree.
        info.Environment["PYTHONPYCACHEPREFIX"] = _dir;

        using var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.True(process.ExitCode == 0, errors);
    }

    [Fact]
    public void Reference_worker_answers_a_model_it_cannot_load_with_an_error()
    {
        Assert.SkipWhen(FakeWorker.Python is null, "no python3 on PATH");
        File.WriteAllText(Path.Combine(_dir, "config.json"), "{}");
        var request = new EngineRequest
        {
            ModelSpec = _dir,
            CacheDirectory = _dir,
            Options = new Dictionary<string, string> { ["command"] = new WorkerCommand(FakeWorker.Python!, [ReferenceWorker()]).ToString(), ["startup_timeout_s"] = "60" },
        };

        // Without torch, hello fails with "cannot import torch"; with torch, load fails on the empty config.
        var e = Assert.Throws<EngineFailureException>(() => new WorkerEngineFactory().Create(request));

        Assert.Contains("worker reported an error", e.Message);
    }
}
