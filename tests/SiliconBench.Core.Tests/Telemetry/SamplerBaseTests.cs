using SiliconBench.Records;
using SiliconBench.Telemetry;
using SiliconBench.Testing;
using Xunit;

namespace SiliconBench.Tests.Telemetry;

public sealed class SamplerBaseTests
{
    /// <summary>Writes a counter per tick; throws on the tick numbered <c>failOn</c>.</summary>
    private sealed class CountingSampler(int failOn = -1) : PeriodicSampler("counting", TimeSpan.FromMilliseconds(1))
    {
        private int _ticks;
        public int? ThreadId;

        public override IReadOnlyList<SensorInfo> Sensors { get; } = [new("counting:0", SensorScope.Node, "test")];

        protected internal override void Sample(double t, ITelemetrySink sink)
        {
            ThreadId = Environment.CurrentManagedThreadId;
            if (++_ticks == failOn)
                throw new InvalidOperationException("sensor went away");
            sink.Write(new TelemetrySample(t, "counting:0", Quantities.PowerW, _ticks));
        }
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        while (!condition())
            await Task.Delay(2, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Samples_on_its_own_thread_with_the_run_clock_and_once_more_at_stop()
    {
        var clock = new FakeTimeSource(3);
        var sink = new ListTelemetrySink();
        using var sampler = new CountingSampler();
        sampler.Start(clock, sink);
        sampler.Start(clock, sink);
        await WaitFor(() => sink.Count >= 3);
        clock.Advance(2);
        sampler.Stop();
        var samples = sink.Snapshot();
        Assert.Equal(3.0, samples[0].T);
        Assert.Equal(5.0, samples[^1].T);
        // One thread only, even though Start was called twice: the tick numbers are consecutive.
        Assert.Equal(Enumerable.Range(1, samples.Count).Select(i => (double)i), samples.Select(s => s.Value));
        Assert.NotEqual(Environment.CurrentManagedThreadId, sampler.ThreadId);
        Assert.False(sampler.IsRunning);
        Assert.Empty(sampler.Faults);
        sampler.Stop();
    }

    [Fact]
    public async Task An_exception_stops_only_that_sampler_and_is_recorded_as_a_fault_on_the_run_clock()
    {
        var clock = new FakeTimeSource(7.25);
        var sink = new ListTelemetrySink();
        using var failing = new CountingSampler(failOn: 3);
        failing.Start(clock, sink);
        await WaitFor(() => !failing.IsRunning && failing.Faults.Count > 0);
        var fault = Assert.Single(failing.Faults);
        Assert.Equal(new SamplerFault("counting", 7.25, "InvalidOperationException: sensor went away"), fault);
        Assert.Equal(2, sink.Count);
        failing.Stop();
        Assert.Single(((ISampler)failing).Faults);
    }

    [Fact]
    public void Stop_before_start_and_dispose_twice_are_harmless()
    {
        var sampler = new CountingSampler();
        sampler.Stop();
        sampler.Dispose();
        sampler.Dispose();
        Assert.Throws<ObjectDisposedException>(() => sampler.Start(new FakeTimeSource(), new ListTelemetrySink()));
    }
}
