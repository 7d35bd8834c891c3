using SiliconBench.Records;
using SiliconBench.Running;
using SiliconBench.Serving;
using Xunit;

namespace SiliconBench.Tests.Serving;

/// <summary>Load-generator logic against an in-process backend on a clock the test moves, so counts are exact.</summary>
public class ServingRunnerFakeBackendTests
{
    private sealed class SteppedClock : ITimeSource
    {
        private long _ticks;

        public double Now => Interlocked.Read(ref _ticks) / 1000.0;

        public void AdvanceMs(long ms) => Interlocked.Add(ref _ticks, ms);
    }

    /// <summary>Each request takes 10 ms of the stepped clock and returns two one-token chunks; calls listed in ThrowOnCall throw.</summary>
    private sealed class SteppedBackend(SteppedClock clock) : IRequestBackend
    {
        public HashSet<int> ThrowOnCall { get; } = [];
        private int _calls;

        public async Task<RequestOutcome> SendAsync(ServingRequest request, ITimeSource _, CancellationToken cancel)
        {
            var call = Interlocked.Increment(ref _calls);
            await Task.Yield();
            if (ThrowOnCall.Contains(call))
                throw new InvalidOperationException("engine exploded");
            var submit = clock.Now;
            clock.AdvanceMs(5);
            var first = clock.Now;
            clock.AdvanceMs(5);
            return new RequestOutcome { TSubmit = submit, Chunks = [new Chunk(first, 1), new Chunk(clock.Now, 1)], OutputTokens = 2 };
        }
    }

    private static ServingPlan Plan(ServingPoint point) => new() { Points = [point], Requests = s => new ServingRequestSpec(8, 2) };

    [Fact]
    public async Task A_duration_point_stops_issuing_requests_at_its_deadline()
    {
        var clock = new SteppedClock();
        var backend = new SteppedBackend(clock);
        using var dir = new TestRunDirectory();
        using var writer = RunRecordWriter.Create(dir.Path);

        var outcome = await new ServingRunner(clock).RunAsync(backend, Plan(ServingPoint.Closed(1, durationSeconds: 0.1)), writer, TestContext.Current.CancellationToken);

        Assert.True(outcome.Complete);
        var lines = File.ReadAllLines(Path.Combine(dir.Path, RunFiles.Requests));
        Assert.Equal(10, lines.Length);
    }

    [Fact]
    public async Task A_backend_that_throws_is_recorded_as_an_error_not_a_crash()
    {
        var clock = new SteppedClock();
        var backend = new SteppedBackend(clock);
        backend.ThrowOnCall.Add(2);
        using var dir = new TestRunDirectory();
        using var writer = RunRecordWriter.Create(dir.Path);

        var outcome = await new ServingRunner(clock).RunAsync(backend, Plan(ServingPoint.Closed(1, requests: 4)), writer, TestContext.Current.CancellationToken);

        Assert.True(outcome.Complete);
        var lines = File.ReadAllLines(Path.Combine(dir.Path, RunFiles.Requests));
        Assert.Equal(4, lines.Length);
        Assert.Single(lines, l => l.Contains("\"status\":\"error\"") && l.Contains("backend failed: engine exploded"));
    }

    [Fact]
    public async Task A_request_delegate_sees_every_index_of_its_point_once()
    {
        var clock = new SteppedClock();
        var backend = new SteppedBackend(clock);
        using var dir = new TestRunDirectory();
        using var writer = RunRecordWriter.Create(dir.Path);
        var slots = new System.Collections.Concurrent.ConcurrentBag<RequestSlot>();
        var plan = new ServingPlan
        {
            Points = [ServingPoint.Closed(3, requests: 12)],
            Requests = s => { slots.Add(s); return new ServingRequestSpec(8, 2); },
            WarmupRequests = 2,
        };

        await new ServingRunner(clock).RunAsync(backend, plan, writer, TestContext.Current.CancellationToken);

        Assert.Equal(Enumerable.Range(0, 12), slots.Where(s => !s.Warmup).Select(s => s.Index).Order());
        Assert.Equal([0, 1], slots.Where(s => s.Warmup).Select(s => s.Index).Order());
        Assert.All(slots, s => Assert.Equal("c3", s.Point));
    }
}
