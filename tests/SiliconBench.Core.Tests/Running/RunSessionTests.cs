using System.Text.Json;
using SiliconBench.Records;
using SiliconBench.Running;
using SiliconBench.Testing;
using SiliconBench.Testing.Engines;
using SiliconBench.Testing.Records;
using SiliconBench.Testing.Telemetry;
using Xunit;

namespace SiliconBench.Tests.Running;

public sealed class RunSessionTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sb-session-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    private static RunSchedule OnePoint(int reps = 2) => new()
    {
        Points = [new ScheduledPoint("b1-test", 1, (rep, warm) => [new SequenceSpec([1, 2, 3], 4)])],
        WarmupRepetitions = 1,
        Repetitions = reps,
    };

    private static RunManifest Draft() => TestManifests.Draft();

    private RunManifest ManifestOnDisk() =>
        JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(_dir, RunFiles.Manifest)), RecordJsonContext.Indented.RunManifest)!;

    private List<WindowRecord> Windows() =>
        [.. File.ReadAllLines(Path.Combine(_dir, RunFiles.Windows)).Select(l => JsonSerializer.Deserialize(l, RecordJsonContext.Compact.WindowRecord)!)];

    [Fact]
    public void Idle_baselines_bracket_the_work_and_samplers_cover_them()
    {
        var clock = new FakeTimeSource();
        var sampler = new ScriptedSampler("fake");
        using var writer = RunRecordWriter.Create(_dir);
        var session = new RunSession(clock, writer, [sampler]);

        var final = session.Run(new ScriptedEngine(clock), OnePoint(), Draft(), idleSeconds: 2, CancellationToken.None,
            wait: (span, _) => clock.Advance(span.TotalSeconds));

        Assert.True(final.Complete);
        Assert.True(ManifestOnDisk().Complete);
        var windows = Windows();
        var before = Assert.Single(windows, w => w.Name == "idle-before");
        var after = Assert.Single(windows, w => w.Name == "idle-after");
        var measured = Assert.Single(windows, w => w.Kind == WindowKind.Measured);
        Assert.Equal((0.0, 2.0), (before.TStart, before.TEnd));
        Assert.True(after.TStart >= measured.TEnd);
        Assert.Equal(2.0, after.TEnd - after.TStart, 9);
        Assert.Equal(1, sampler.StopCalls);
        // Both samples (start and stop) made it to telemetry.csv, bracketing the work.
        writer.Flush();
        var rows = File.ReadAllLines(Path.Combine(_dir, RunFiles.Telemetry));
        Assert.Equal(5, rows.Length);
        Assert.StartsWith("0,fake:0,power_w,100", rows[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Sampler_inventory_and_faults_reach_the_final_manifest()
    {
        var clock = new FakeTimeSource();
        var sampler = new ScriptedSampler("fake") { Fault = new SamplerFault("fake", 0.5, "device fell off the bus") };
        using var writer = RunRecordWriter.Create(_dir);

        var final = new RunSession(clock, writer, [sampler]).Run(new ScriptedEngine(clock), OnePoint(), Draft(), 0, CancellationToken.None);

        var onDisk = ManifestOnDisk();
        Assert.Equal("Scripted Accelerator 1", Assert.Single(onDisk.Accelerators).Name);
        var fault = Assert.Single(onDisk.SamplerFaults);
        Assert.Equal(("fake", 0.5, "device fell off the bus"), (fault.Sampler, fault.T, fault.Message));
        Assert.Equal(final.SamplerFaults, onDisk.SamplerFaults);
    }

    [Fact]
    public void A_sampler_that_cannot_start_is_noted_and_the_run_still_measures()
    {
        var clock = new FakeTimeSource();
        var broken = new ScriptedSampler("broken", failOnStart: true);
        using var writer = RunRecordWriter.Create(_dir);

        var final = new RunSession(clock, writer, [broken]).Run(new ScriptedEngine(clock), OnePoint(), Draft(), 0, CancellationToken.None);

        Assert.True(final.Complete);
        var note = Assert.Single(ManifestOnDisk().Notes);
        Assert.Contains("broken", note, StringComparison.Ordinal);
        Assert.Contains("device not found", note, StringComparison.Ordinal);
        Assert.Equal(0, broken.StopCalls);
    }

    [Fact]
    public void Ctrl_C_during_the_run_leaves_an_incomplete_but_readable_record()
    {
        var clock = new FakeTimeSource();
        using var cancel = new CancellationTokenSource();
        var engine = new ScriptedEngine(clock) { Cancellation = cancel, CancelAfterDecodeCall = 5 };
        var sampler = new ScriptedSampler("fake");
        using var writer = RunRecordWriter.Create(_dir);

        var final = new RunSession(clock, writer, [sampler]).Run(engine, OnePoint(reps: 5), Draft(), 0, cancel.Token);

        Assert.False(final.Complete);
        var onDisk = ManifestOnDisk();
        Assert.False(onDisk.Complete);
        Assert.Contains("interrupted", onDisk.IncompleteReason, StringComparison.Ordinal);
        Assert.Equal(1, sampler.StopCalls);
        Assert.NotEmpty(File.ReadAllLines(Path.Combine(_dir, RunFiles.Requests)));
    }
}
