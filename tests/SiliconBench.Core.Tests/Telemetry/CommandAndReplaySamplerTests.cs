using System.Text.RegularExpressions;
using SiliconBench.Diagnostics;
using SiliconBench.Records;
using SiliconBench.Telemetry;
using SiliconBench.Testing;
using Xunit;

namespace SiliconBench.Tests.Telemetry;

public sealed class CommandAndReplaySamplerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sb-cmd-" + Guid.NewGuid().ToString("N"));

    public CommandAndReplaySamplerTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task WaitFor(Func<bool> condition)
    {
        while (!condition())
            await Task.Delay(5, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_periodic_command_is_parsed_into_power_at_the_declared_scope()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "uses /bin/sh");
        var sampler = (CommandSampler)Assert.Single(SamplerSpec.ParseAll(
            [@"command:scope=wall,unit=w,pattern=([0-9.]+) W,interval_ms=10,cmd=sh -c 'echo reading: 123.4 W'"], "--sampler"));
        Assert.Equal(new SensorInfo("command:wall", SensorScope.Wall, "command power (integrated)") { IntervalS = 0.01, Device = "sh -c 'echo reading: 123.4 W'" }, sampler.Sensors[0]);
        var sink = new ListTelemetrySink();
        using (sampler)
        {
            sampler.Start(new FakeTimeSource(4), sink);
            await WaitFor(() => sink.Count >= 2);
            sampler.Stop();
        }
        Assert.All(sink.Snapshot(), s => Assert.Equal(new TelemetrySample(4, "command:wall", Quantities.PowerW, 123.4), s));
        Assert.Empty(sampler.Faults);
    }

    [Fact]
    public async Task A_stream_command_yields_one_sample_per_matching_line_and_faults_when_it_ends_early()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "uses /bin/sh");
        using var sampler = new CommandSampler("command:node", SensorScope.Node, CommandUnit.Joules, new Regex(@"E=(\S+)"),
            "echo E=10.5; echo noise; echo E=12", TimeSpan.FromSeconds(1), stream: true);
        var sink = new ListTelemetrySink();
        sampler.Start(new FakeTimeSource(), sink);
        await WaitFor(() => sampler.Faults.Count > 0);
        Assert.Equal([10.5, 12.0], sink.Snapshot().Select(s => s.Value));
        Assert.All(sink.Snapshot(), s => Assert.Equal(Quantities.EnergyJ, s.Quantity));
        Assert.Contains("ended", sampler.Faults[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failing_or_unmatched_command_is_a_clear_error()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "uses /bin/sh");
        using var unmatched = new CommandSampler("c", SensorScope.Node, CommandUnit.Watts, new Regex(@"(\d+) W"), "echo no power here", TimeSpan.FromSeconds(1), false);
        Assert.Contains("did not match", Assert.Throws<FormatException>(() => unmatched.ReadOnce()).Message, StringComparison.Ordinal);
        using var failing = new CommandSampler("c", SensorScope.Node, CommandUnit.Watts, new Regex(@"(\d+) W"), "echo boom >&2; exit 3", TimeSpan.FromSeconds(1), false);
        Assert.Contains("exited with 3: boom", Assert.Throws<InvalidOperationException>(() => failing.ReadOnce()).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gpu", "sampler")]
    [InlineData("nvml:gpus=a", "gpus")]
    [InlineData("nvml:interval_ms=0", "interval_ms")]
    [InlineData("nvml:rate=5", "rate")]
    [InlineData("rapl:interval_ms=x", "interval_ms")]
    [InlineData("command:scope=node,unit=w,pattern=(\\d+)", "cmd")]
    [InlineData("command:unit=w,pattern=(\\d+),cmd=echo 1", "scope")]
    [InlineData("command:scope=rack,unit=w,pattern=(\\d+),cmd=echo 1", "scope")]
    [InlineData("command:scope=node,unit=kw,pattern=(\\d+),cmd=echo 1", "unit")]
    [InlineData("command:scope=node,unit=w,pattern=\\d+,cmd=echo 1", "pattern")]
    [InlineData("command:scope=node,unit=w,pattern=([,cmd=echo 1", "pattern")]
    [InlineData("command:scope=node,unit=w,pattern=(\\d+),stream=yes,cmd=echo 1", "stream")]
    [InlineData("replay:", "replay")]
    [InlineData("replay:/nonexistent/telemetry.csv", "replay")]
    public void Bad_specs_name_the_key_at_fault(string spec, string field)
    {
        var e = Assert.Throws<InputException>(() => SamplerSpec.ParseAll([spec], "--sampler"));
        Assert.Equal("--sampler", e.File);
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void The_command_line_keeps_its_commas_and_two_commands_get_distinct_ids()
    {
        var samplers = SamplerSpec.ParseAll([
            "command:scope=node,unit=j,pattern=(\\d+),cmd=printf '%s,%s' 1 2",
            "command:scope=node,unit=w,pattern=(\\d+),interval_ms=500,stream=true,cmd=tail -f /x"], "--sampler");
        var a = (CommandSampler)samplers[0];
        var b = (CommandSampler)samplers[1];
        Assert.Equal("printf '%s,%s' 1 2", a.CommandLine);
        Assert.Equal(CommandUnit.Joules, a.Unit);
        Assert.Equal("command:node", a.SensorId);
        Assert.Equal("command:node.2", b.SensorId);
        Assert.True(b.Stream);
        Assert.Equal(TimeSpan.FromMilliseconds(500), b.Interval);
        foreach (var s in samplers)
            s.Dispose();
    }

    [Fact]
    public async Task Replay_feeds_recorded_samples_when_the_run_clock_reaches_their_time()
    {
        var path = Path.Combine(_dir, RunFiles.Telemetry);
        File.WriteAllLines(path, ["t,sensor,quantity,value", "0.5,nvml:0,energy_j,100", "1.5,nvml:0,energy_j,130", "1.0,rapl:0,energy_j,7"]);
        var sampler = (ReplaySampler)Assert.Single(SamplerSpec.ParseAll(["replay:" + path], "--sampler"));
        Assert.Equal([("nvml:0", SensorScope.Accelerator), ("rapl:0", SensorScope.CpuPackage)], sampler.Sensors.Select(s => (s.Id, s.Scope)));
        var clock = new FakeTimeSource();
        var sink = new ListTelemetrySink();
        using (sampler)
        {
            sampler.Start(clock, sink);
            clock.Advance(1.0);
            await WaitFor(() => sink.Count == 2);
            Assert.Equal([0.5, 1.0], sink.Snapshot().Select(s => s.T));
            clock.Advance(1.0);
            await WaitFor(() => sink.Count == 3);
        }
        Assert.Equal(130, sink.Snapshot()[2].Value);
    }

    [Fact]
    public void Replay_of_an_unknown_sensor_without_a_manifest_is_rejected_and_bad_rows_name_their_line()
    {
        var path = Path.Combine(_dir, RunFiles.Telemetry);
        File.WriteAllLines(path, ["t,sensor,quantity,value", "0.5,pdu:3,power_w,100"]);
        Assert.Equal("replay", Assert.Throws<InputException>(() => SamplerSpec.ParseAll(["replay:" + path], "--sampler")).Field);
        File.WriteAllLines(path, ["t,sensor,quantity,value", "0.5,pdu:3,power_w,100", "x,pdu:3,power_w,1"]);
        var e = Assert.Throws<InputException>(() => TelemetryCsv.Read(path));
        Assert.Equal((3, "t"), (e.Line, e.Field));
    }
}
