using System.Text.Json;
using SiliconBench.Records;
using SiliconBench.Running;
using SiliconBench.Testing;
using SiliconBench.Testing.Engines;
using Xunit;

namespace SiliconBench.Tests.Running;

public sealed class EngineRunnerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sb-runner-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    private static RunSchedule Schedule(int batch, int[] promptLengths, int[] outputs, int warmups = 1, int reps = 2, double minDuration = 0) => new()
    {
        Points =
        [
            new ScheduledPoint($"b{batch}-test", batch, (rep, warm) =>
                [.. promptLengths.Select((len, i) => new SequenceSpec(Enumerable.Repeat(rep + 1, len).ToArray(), outputs[i]))]),
        ],
        WarmupRepetitions = warmups,
        Repetitions = reps,
        MinDurationSeconds = minDuration,
    };

    private List<T> ReadLines<T>(string file, Func<string, T> parse) =>
        [.. File.ReadAllLines(Path.Combine(_dir, file)).Where(l => l.Length > 0).Select(parse)];

    private List<RequestRecord> Requests() => ReadLines(RunFiles.Requests, l => JsonSerializer.Deserialize(l, RecordJsonContext.Compact.RequestRecord)!);

    private List<StepRecord> Steps() => ReadLines(RunFiles.Steps, l => JsonSerializer.Deserialize(l, RecordJsonContext.Compact.StepRecord)!);

    private List<WindowRecord> Windows() => ReadLines(RunFiles.Windows, l => JsonSerializer.Deserialize(l, RecordJsonContext.Compact.WindowRecord)!);

    [Fact]
    public void Times_prefill_and_decode_steps_on_the_run_clock()
    {
        var clock = new FakeTimeSource();
        var engine = new ScriptedEngine(clock) { PrefillSecondsPerToken = 0.001, DecodeSeconds = 0.01 };
        using (var writer = RunRecordWriter.Create(_dir))
        {
            var outcome = new EngineRunner(clock).Run(engine, Schedule(2, [10, 6], [3, 2], warmups: 0, reps: 1), writer, CancellationToken.None);
            Assert.True(outcome.Complete);
        }

        var steps = Steps();
        Assert.Equal([Phase.Prefill, Phase.Decode, Phase.Decode], steps.Select(s => s.Phase));
        // Prefill of 16 prompt tokens at 1 ms each; context is the longest prompt.
        Assert.Equal(0.016, steps[0].TEnd - steps[0].TStart, 9);
        Assert.Equal((10, 16, 2), (steps[0].Context, steps[0].Tokens, steps[0].Batch));
        // Second decode: only the sequence that wants 3 tokens is still live.
        Assert.Equal((11, 2), (steps[1].Context, steps[1].Tokens));
        Assert.Equal((12, 1), (steps[2].Context, steps[2].Tokens));

        var requests = Requests();
        Assert.Equal(2, requests.Count);
        var longer = requests[0];
        Assert.Equal((10, 3), (longer.InputTokens, longer.OutputTokens));
        Assert.Equal(longer.TFirst, longer.Chunks[0].T);
        Assert.Equal(longer.TEnd, longer.Chunks[^1].T);
        Assert.Equal(0.016, longer.TFirst!.Value, 9);
        Assert.Equal(0.036, longer.TEnd!.Value, 9);
        var shorter = requests[1];
        Assert.Equal(2, shorter.OutputTokens);
        Assert.Equal(0.026, shorter.TEnd!.Value, 9);
        Assert.All(requests, r => Assert.Equal(RequestStatus.Ok, r.Status));
    }

    [Fact]
    public void Runs_all_warmups_before_the_measured_window()
    {
        var clock = new FakeTimeSource();
        var engine = new ScriptedEngine(clock);
        using (var writer = RunRecordWriter.Create(_dir))
            new EngineRunner(clock).Run(engine, Schedule(1, [4], [2], warmups: 2, reps: 3), writer, CancellationToken.None);

        var requests = Requests();
        Assert.Equal([true, true, false, false, false], requests.Select(r => r.Warmup));
        var windows = Windows();
        var warm = Assert.Single(windows, w => w.Kind == WindowKind.Warmup);
        var measured = Assert.Single(windows, w => w.Kind == WindowKind.Measured);
        Assert.True(warm.TEnd <= measured.TStart);
        Assert.Equal(requests.First(r => !r.Warmup).TSubmit, measured.TStart);
        Assert.Equal(requests.Last().TEnd, measured.TEnd);
        Assert.Single(windows, w => w.Kind == WindowKind.Point && w.Point == "b1-test");
    }

    [Fact]
    public void Keeps_repeating_until_the_minimum_duration_is_met()
    {
        var clock = new FakeTimeSource();
        // Each batch: 4 ms prefill + 10 ms decode = 14 ms; 0.1 s needs 8 batches (7 give 98 ms).
        var engine = new ScriptedEngine(clock);
        using (var writer = RunRecordWriter.Create(_dir))
            new EngineRunner(clock).Run(engine, Schedule(1, [4], [2], warmups: 0, reps: 2, minDuration: 0.1), writer, CancellationToken.None);
        Assert.Equal(8, Requests().Count);
    }

    [Fact]
    public void An_engine_failure_mid_run_keeps_what_was_measured_and_marks_the_rest()
    {
        var clock = new FakeTimeSource();
        // Warm-up uses decode call 1; the first measured batch decode call 2; the second fails at call 3.
        var engine = new ScriptedEngine(clock) { FailOnDecodeCall = 3 };
        RunOutcome outcome;
        using (var writer = RunRecordWriter.Create(_dir))
            outcome = new EngineRunner(clock).Run(engine, Schedule(1, [4], [2], warmups: 1, reps: 3), writer, CancellationToken.None);

        Assert.False(outcome.Complete);
        Assert.Contains("scripted out of memory", outcome.Reason);
        var requests = Requests();
        Assert.Equal([RequestStatus.Ok, RequestStatus.Ok, RequestStatus.Error], requests.Select(r => r.Status));
        Assert.Equal("scripted out of memory", requests[^1].Error);
        Assert.Equal(1, requests[^1].OutputTokens);
        Assert.Single(Windows(), w => w.Kind == WindowKind.Measured);
        Assert.Equal(engine.PrefillCalls, engine.EndBatchCalls);
    }

    [Fact]
    public void Cancellation_stops_between_steps_and_marks_in_flight_requests_cancelled()
    {
        var clock = new FakeTimeSource();
        using var cts = new CancellationTokenSource();
        var engine = new ScriptedEngine(clock) { CancelAfterDecodeCall = 2, Cancellation = cts };
        RunOutcome outcome;
        using (var writer = RunRecordWriter.Create(_dir))
            outcome = new EngineRunner(clock).Run(engine, Schedule(1, [4], [5], warmups: 0, reps: 3), writer, cts.Token);

        Assert.False(outcome.Complete);
        Assert.Contains("interrupted", outcome.Reason);
        var r = Assert.Single(Requests());
        Assert.Equal(RequestStatus.Cancelled, r.Status);
        Assert.Equal(3, r.OutputTokens);
        Assert.Equal(3, r.Chunks.Count);
    }

    [Fact]
    public void Refuses_a_run_directory_that_already_holds_a_record()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, RunFiles.Manifest), "{}");
        var e = Assert.Throws<SiliconBench.Diagnostics.InputException>(() => RunRecordWriter.Create(_dir));
        Assert.Equal("--output", e.Field);
    }

    [Fact]
    public void Unwritable_output_is_an_input_error_naming_the_directory()
    {
        var file = Path.Combine(Path.GetTempPath(), "sb-file-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(file, "not a directory");
        try
        {
            var e = Assert.Throws<SiliconBench.Diagnostics.InputException>(() => RunRecordWriter.Create(Path.Combine(file, "run")));
            Assert.Equal("--output", e.Field);
            Assert.Contains(file, e.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
