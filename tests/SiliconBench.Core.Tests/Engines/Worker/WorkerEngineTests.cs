using System.Diagnostics;
using SiliconBench.Diagnostics;
using SiliconBench.Engines;
using SiliconBench.Engines.Worker;
using SiliconBench.Records;
using SiliconBench.Running;
using SiliconBench.Testing;
using SiliconBench.Testing.Worker;
using Xunit;

namespace SiliconBench.Tests.Engines.Worker;

/// <summary>The worker backend against the fake worker script, one scripted behaviour per test.</summary>
public sealed class WorkerEngineTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sb-worker-" + Guid.NewGuid().ToString("N"));

    public WorkerEngineTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "model"));
        File.WriteAllText(Path.Combine(_dir, "model", "config.json"), "{}");
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    private string ModelDir => Path.Combine(_dir, "model");

    private WorkerEngine Create(string behaviour, double startupTimeoutS = 20, double stepTimeoutS = 20, string? dtype = "bf16")
    {
        Assert.SkipWhen(FakeWorker.Python is null, "no python3 on PATH to run the fake worker");
        return (WorkerEngine)new WorkerEngineFactory().Create(new EngineRequest
        {
            ModelSpec = ModelDir,
            Device = "fake",
            Dtype = dtype,
            Seed = 7,
            Options = FakeWorker.Options(behaviour, startupTimeoutS, stepTimeoutS),
            CacheDirectory = _dir,
        });
    }

    private static bool IsGone(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    [Fact]
    public void Happy_path_carries_tokens_device_time_and_load_info()
    {
        using var engine = Create("happy");

        Assert.Equal("worker", engine.Backend.Id);
        Assert.Equal("fake 9.9 (none)", engine.Backend.Version);
        Assert.Equal("fake:0", engine.Backend.Device);
        Assert.Contains("fake_worker.py", engine.Backend.Options["command"]);
        Assert.Equal(ModelDir, engine.Model.Spec);
        Assert.Equal("fake-llama", engine.Model.Name);
        Assert.Equal((1234L, 2468L, 64L), (engine.Model.Parameters, engine.Model.WeightBytes, engine.Model.KvBytesPerToken));
        Assert.Equal(("bf16", "bf16"), (engine.Model.Dtype, engine.Model.CheckpointDtype));
        Assert.Equal((2, 16, 32, 4, 2, 4, 5000), (engine.Model.Layers, engine.Model.HiddenSize, engine.Model.IntermediateSize, engine.Model.Heads, engine.Model.KvHeads, engine.Model.HeadDim, engine.Model.VocabSize));
        Assert.StartsWith("checkpoint ", engine.Model.Weights);

        var first = engine.Prefill([[5, 6, 7], [9]]);
        Assert.Equal([3007, 1009], first.Tokens);
        Assert.Equal(0.25, first.DeviceSeconds);
        var next = engine.Decode();
        Assert.Equal([3008, 1010], next.Tokens);
        Assert.Equal(0.125, next.DeviceSeconds);
        engine.EndBatch();

        // A second batch after end_batch starts afresh.
        Assert.Equal([2002], engine.Prefill([[1, 2]]).Tokens);
        engine.EndBatch();
        // stderr is a separate pipe read in the background: wait for the log line rather than race it.
        Assert.True(SpinWait.SpinUntil(() => engine.StderrTail.Contains("got end_batch"), TimeSpan.FromSeconds(10)), engine.StderrTail);
    }

    [Fact]
    public void The_device_roofline_comes_from_the_worker_not_the_host()
    {
        using var engine = Create("happy");

        var roofline = engine.MeasureRoofline();

        Assert.Equal((3000.5, 750000.25), (roofline.MemoryBandwidthGBs, roofline.GemmGflops));
        Assert.Equal("fake:0 Fake Accelerator bf16", roofline.Device);
        Assert.Contains("scripted", roofline.Method, StringComparison.Ordinal);
    }

    [Fact]
    public void Null_dtype_is_sent_as_null_and_the_worker_chooses()
    {
        using var engine = Create("happy", dtype: null);

        Assert.Equal("fp32", engine.Model.Dtype);
    }

    [Fact]
    public void Dispose_shuts_the_worker_down()
    {
        var engine = Create("happy");
        var pid = engine.ProcessId;

        engine.Dispose();

        Assert.True(IsGone(pid));
    }

    [Fact]
    public void Dispose_kills_a_worker_that_ignores_shutdown()
    {
        var engine = Create("ignore-shutdown");
        var pid = engine.ProcessId;
        engine.Prefill([[1]]);

        engine.Dispose();

        Assert.True(IsGone(pid));
    }

    [Fact]
    public void Error_answer_fails_the_step_with_the_message_and_stderr_tail_but_keeps_the_worker()
    {
        using var engine = Create("error");

        var e = Assert.Throws<EngineFailureException>(() => engine.Prefill([[1, 2]]));

        Assert.Contains("CUDA out of memory (fake)", e.Message);
        Assert.Contains("'prefill'", e.Message);
        Assert.Contains("fake marker", e.Message);
        engine.EndBatch();
        Assert.False(IsGone(engine.ProcessId));
    }

    [Fact]
    public void Crash_mid_run_names_the_exit_code_and_the_traceback()
    {
        var engine = Create("crash");
        var pid = engine.ProcessId;
        engine.Prefill([[1, 2]]);
        engine.Decode();

        var e = Assert.Throws<EngineFailureException>(() => engine.Decode());

        Assert.Contains("exited with code 3", e.Message);
        Assert.Contains("Segfault in fake kernel (fake marker)", e.Message);
        // The engine stays failed; EndBatch (the runner's finally) does not throw.
        engine.EndBatch();
        Assert.Equal(e.Message, Assert.Throws<EngineFailureException>(() => engine.Prefill([[1]])).Message);
        engine.Dispose();
        Assert.True(IsGone(pid));
    }

    [Fact]
    public void Hang_is_cut_by_the_step_timeout_and_the_worker_killed()
    {
        var engine = Create("hang", stepTimeoutS: 1);
        var pid = engine.ProcessId;
        engine.Prefill([[1]]);

        var e = Assert.Throws<EngineFailureException>(() => engine.Decode());

        Assert.Contains("no answer to 'decode' within 1 s", e.Message);
        Assert.Contains("stuck in a kernel (fake marker)", e.Message);
        Assert.True(IsGone(pid));
        engine.Dispose();
    }

    [Fact]
    public void Slow_start_is_cut_by_the_startup_timeout()
    {
        Assert.SkipWhen(FakeWorker.Python is null, "no python3 on PATH to run the fake worker");

        // 5 s, not 1: the fake must get as far as its start-up line, and a loaded machine takes over a second to start Python.
        var e = Assert.Throws<EngineFailureException>(() => Create("slow-start", startupTimeoutS: 5));

        Assert.Contains("no answer to 'hello' within 5 s", e.Message);
        Assert.Contains("fake worker starting (slow-start)", e.Message);
    }

    [Fact]
    public void Garbage_line_breaks_the_protocol()
    {
        var engine = Create("garbage");
        var pid = engine.ProcessId;
        engine.Prefill([[1]]);

        var e = Assert.Throws<EngineFailureException>(() => engine.Decode());

        Assert.Contains("not JSON: 'this is not json'", e.Message);
        Assert.True(IsGone(pid));
        engine.Dispose();
    }

    [Fact]
    public void Wrong_token_count_breaks_the_protocol()
    {
        using var engine = Create("wrong-count");

        var e = Assert.Throws<EngineFailureException>(() => engine.Prefill([[1], [2]]));

        Assert.Contains("1 tokens for a batch of 2", e.Message);
    }

    [Fact]
    public void Load_error_fails_create_and_leaves_no_process()
    {
        Assert.SkipWhen(FakeWorker.Python is null, "no python3 on PATH to run the fake worker");

        var e = Assert.Throws<EngineFailureException>(() => Create("load-error"));

        Assert.Contains("no safetensors in", e.Message);
        Assert.Contains("'load'", e.Message);
    }

    [Fact]
    public void Stderr_tail_is_bounded_and_keeps_the_latest_lines()
    {
        using var engine = Create("chatty");

        var tail = engine.StderrTail;
        Assert.True(tail.Length <= 64 * 1024);
        Assert.Contains("chatty end marker", tail);
        Assert.DoesNotContain("chatty line 00000", tail);
    }

    [Fact]
    public void Runner_turns_a_worker_crash_into_an_incomplete_run_with_the_reason()
    {
        using var engine = Create("crash");
        var clock = new FakeTimeSource();
        var schedule = new RunSchedule
        {
            Points = [new ScheduledPoint("b1-test", 1, (rep, warm) => [new SequenceSpec([1, 2, 3], 5)])],
            WarmupRepetitions = 0,
            Repetitions = 1,
        };

        RunOutcome outcome;
        using (var writer = RunRecordWriter.Create(Path.Combine(_dir, "run")))
            outcome = new EngineRunner(clock).Run(engine, schedule, writer, CancellationToken.None);

        Assert.False(outcome.Complete);
        Assert.Contains("exited with code 3", outcome.Reason);
    }

    [Fact]
    public void Missing_config_json_is_an_input_error_before_any_process_starts()
    {
        var request = new EngineRequest { ModelSpec = Path.Combine(_dir, "nowhere"), CacheDirectory = _dir, Options = FakeWorker.Options("happy") };

        var e = Assert.Throws<InputException>(() => new WorkerEngineFactory().Create(request));

        Assert.Equal("model", e.Field);
        Assert.Contains("config.json", e.Message);
    }

    [Theory]
    [InlineData("step_timeout_s", "-1")]
    [InlineData("startup_timeout_s", "soon")]
    [InlineData("startup_timeout_s", "1e12")]
    [InlineData("command", "python3 'unclosed")]
    [InlineData("comand", "python3 x.py")]
    public void Bad_options_are_input_errors_naming_the_option(string key, string value)
    {
        var options = FakeWorker.Options("happy");
        options[key] = value;
        var request = new EngineRequest { ModelSpec = ModelDir, CacheDirectory = _dir, Options = options };

        var e = Assert.Throws<InputException>(() => new WorkerEngineFactory().Create(request));

        Assert.Equal(key, e.Field);
    }

    [Fact]
    public void Command_that_cannot_start_is_an_input_error()
    {
        var request = new EngineRequest
        {
            ModelSpec = ModelDir,
            CacheDirectory = _dir,
            Options = new Dictionary<string, string> { ["command"] = "/nonexistent/sb-no-such-worker --x" },
        };

        var e = Assert.Throws<InputException>(() => new WorkerEngineFactory().Create(request));

        Assert.Equal("command", e.Field);
        Assert.Contains("sb-no-such-worker", e.Message);
    }

    [Fact]
    public void Check_is_unavailable_without_a_reference_worker_and_available_with_one()
    {
        var missing = new WorkerEngineFactory(Path.Combine(_dir, "no-worker.py")).Check();
        Assert.False(missing.Available);
        Assert.Contains("command", missing.Reason);
        var withScript = new WorkerEngineFactory(FakeWorker.ScriptPath).Check();
        Assert.Equal("worker", withScript.Id);
        Assert.Equal(FakeWorker.Python is not null, withScript.Available);
    }
}
