using SiliconBench.Records;
using SiliconBench.Serving;
using SiliconBench.Serving.Batching;
using Xunit;

namespace SiliconBench.Tests.Batching;

/// <summary>Scheduling decisions of <see cref="BatchingScheduler"/> against a scripted engine on a manual clock.</summary>
public sealed class BatchingSchedulerTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Request <paramref name="name"/> ('a', 'b', …) with a prompt whose first token names it.</summary>
    private static ServingRequest Request(char name, int input, int output) => new()
    {
        Id = name.ToString(),
        InputTokens = input,
        OutputTokens = output,
        PromptTokenIds = [.. Enumerable.Range(0, input).Select(i => i == 0 ? name - 'a' + 1 : 100 + i)],
    };

    [Fact]
    public async Task Continuous_batching_admits_waiting_requests_between_steps_up_to_max_batch_and_sequences_leave_at_their_length()
    {
        var clock = new ManualClock();
        using var engine = new ScriptedBatchingEngine(clock, holdFirstCall: true);
        using var scheduler = new BatchingScheduler(engine, clock, new BatchingOptions { MaxBatch = 2 });

        var a = scheduler.SendAsync(Request('a', 2, 3), clock, Cancel);
        Assert.True(engine.FirstCallStarted.Wait(TimeSpan.FromSeconds(30), Cancel));
        var b = scheduler.SendAsync(Request('b', 2, 3), clock, Cancel);
        var c = scheduler.SendAsync(Request('c', 2, 2), clock, Cancel);
        engine.Release();
        var outcomes = await Task.WhenAll(a, b, c);

        Assert.Equal(["P a:2", "D a", "P b:2", "D a,b", "P c:2", "D b,c"], engine.Log);
        Assert.Equal(2, engine.MaxDecodeBatch);
        Assert.Equal([3, 3, 2], outcomes.Select(o => o.OutputTokens));
        Assert.All(outcomes, o => Assert.Equal(RequestStatus.Ok, o.Status));
        Assert.All(outcomes, o => Assert.All(o.Chunks, ch => Assert.Equal(1, ch.Tokens)));
    }

    [Fact]
    public async Task Every_token_is_stamped_at_the_end_of_its_step_and_steps_are_recorded_by_phase()
    {
        var clock = new ManualClock();
        using var engine = new ScriptedBatchingEngine(clock, holdFirstCall: true);
        using var scheduler = new BatchingScheduler(engine, clock, new BatchingOptions { MaxBatch = 4 });
        scheduler.SetPoint("c2", warmup: false);

        var a = scheduler.SendAsync(Request('a', 4, 3), clock, Cancel);
        Assert.True(engine.FirstCallStarted.Wait(TimeSpan.FromSeconds(30), Cancel));
        var b = scheduler.SendAsync(Request('b', 3, 2), clock, Cancel);
        engine.Release();
        var (ra, rb) = (await a, await b);
        var steps = scheduler.TakeSteps();

        // a: prefill 0→10 ms (first token), decode 10→15; then b joins: prefill 15→25, decode [a,b] 25→30.
        Assert.Equal([0.010, 0.015, 0.030], ra.Chunks.Select(ch => ch.T));
        Assert.Equal([0.025, 0.030], rb.Chunks.Select(ch => ch.T));
        Assert.Equal(0.0, ra.TSubmit);
        Assert.Equal(
            [("prefill", 1, 4, 0.000, 0.010), ("decode", 1, 1, 0.010, 0.015), ("prefill", 1, 3, 0.015, 0.025), ("decode", 2, 2, 0.025, 0.030)],
            steps.Select(s => (s.Phase, s.Batch, s.Tokens, s.TStart, s.TEnd)));
        Assert.All(steps, s => Assert.Equal("c2", s.Point));
        // a attends over its 4 prompt tokens and its 2 generated ones.
        Assert.Equal(6, steps[3].Context);
        Assert.Empty(scheduler.TakeSteps());
    }

    [Fact]
    public async Task Chunked_prefill_processes_at_most_the_chunk_of_prompt_tokens_per_step()
    {
        var clock = new ManualClock();
        using var engine = new ScriptedBatchingEngine(clock, holdFirstCall: true);
        using var scheduler = new BatchingScheduler(engine, clock, new BatchingOptions { MaxBatch = 4, PrefillChunkTokens = 3 });

        var a = scheduler.SendAsync(Request('a', 5, 2), clock, Cancel);
        Assert.True(engine.FirstCallStarted.Wait(TimeSpan.FromSeconds(30), Cancel));
        var b = scheduler.SendAsync(Request('b', 4, 2), clock, Cancel);
        engine.Release();
        await Task.WhenAll(a, b);

        Assert.Equal(["P a:3", "P a:2", "P b:1", "D a", "P b:3", "D b"], engine.Log);
        var prefills = scheduler.TakeSteps().Where(s => s.Phase == Phase.Prefill).ToList();
        Assert.Equal([3, 3, 3], prefills.Select(s => s.Tokens));
        Assert.Equal([1, 2, 1], prefills.Select(s => s.Batch));
        // a's first token comes only once its whole prompt is in: at the end of the second prefill step.
        Assert.Equal(prefills[1].TEnd, (await a).TFirst);
    }

    [Fact]
    public async Task Static_batching_runs_each_batch_to_completion_before_admitting_the_next_while_continuous_refills()
    {
        var clock = new ManualClock();
        using var engine = new ScriptedBatchingEngine(clock);
        // The manual clock stands still while idle, so the timeout never fires: only full batches start.
        using var scheduler = new BatchingScheduler(engine, clock, new BatchingOptions { Mode = BatchingMode.Static, MaxBatch = 2, BatchTimeoutSeconds = 1000 });
        var requests = new[] { Request('a', 1, 3), Request('b', 1, 6), Request('c', 1, 2), Request('d', 1, 2) };

        await Task.WhenAll(requests.Select(r => scheduler.SendAsync(r, clock, Cancel)));

        Assert.Equal(["P a:1", "P b:1", "D a,b", "D a,b", "D b", "D b", "D b", "P c:1", "P d:1", "D c,d"], engine.Log);

        var continuousClock = new ManualClock();
        using var continuousEngine = new ScriptedBatchingEngine(continuousClock, holdFirstCall: true);
        using var continuous = new BatchingScheduler(continuousEngine, continuousClock, new BatchingOptions { MaxBatch = 2 });
        var first = continuous.SendAsync(requests[0], continuousClock, Cancel);
        Assert.True(continuousEngine.FirstCallStarted.Wait(TimeSpan.FromSeconds(30), Cancel));
        var rest = requests.Skip(1).Select(r => continuous.SendAsync(r, continuousClock, Cancel)).ToList();
        continuousEngine.Release();
        await Task.WhenAll([first, .. rest]);

        // c joins as soon as a leaves, and d as soon as c leaves, while b is still decoding.
        Assert.Equal(["P a:1", "D a", "P b:1", "D a,b", "P c:1", "D b,c", "P d:1", "D b,d", "D b", "D b"], continuousEngine.Log);
    }

    [Fact]
    public async Task A_static_batch_that_is_not_full_starts_when_its_timeout_has_passed()
    {
        var clock = new ManualClock();
        using var engine = new ScriptedBatchingEngine(clock);
        using var scheduler = new BatchingScheduler(engine, clock, new BatchingOptions { Mode = BatchingMode.Static, MaxBatch = 4, BatchTimeoutSeconds = 0 });

        var outcome = await scheduler.SendAsync(Request('a', 2, 2), clock, Cancel);

        Assert.Equal(RequestStatus.Ok, outcome.Status);
        Assert.Equal(["P a:2", "D a"], engine.Log);
    }

    [Fact]
    public async Task A_failed_step_fails_the_requests_in_it_and_the_scheduler_keeps_serving()
    {
        var clock = new ManualClock();
        using var engine = new ScriptedBatchingEngine(clock) { FailDecodeCall = 1 };
        using var scheduler = new BatchingScheduler(engine, clock, new BatchingOptions { MaxBatch = 2 });

        var failed = await scheduler.SendAsync(Request('a', 2, 3), clock, Cancel);
        var next = await scheduler.SendAsync(Request('b', 2, 2), clock, Cancel);

        Assert.Equal(RequestStatus.Error, failed.Status);
        Assert.Contains("device lost", failed.Error, StringComparison.Ordinal);
        Assert.Equal(RequestStatus.Ok, next.Status);
        Assert.Equal(2, next.OutputTokens);
    }

    [Fact]
    public async Task A_request_cancelled_while_queued_ends_cancelled_without_reaching_the_engine()
    {
        var clock = new ManualClock();
        using var engine = new ScriptedBatchingEngine(clock, holdFirstCall: true);
        using var scheduler = new BatchingScheduler(engine, clock, new BatchingOptions { MaxBatch = 1 });
        using var cts = new CancellationTokenSource();

        var a = scheduler.SendAsync(Request('a', 1, 2), clock, Cancel);
        Assert.True(engine.FirstCallStarted.Wait(TimeSpan.FromSeconds(30), Cancel));
        var b = scheduler.SendAsync(Request('b', 1, 2), clock, cts.Token);
        await cts.CancelAsync();
        engine.Release();

        Assert.Equal(RequestStatus.Ok, (await a).Status);
        var outcome = await b;
        Assert.Equal(RequestStatus.Cancelled, outcome.Status);
        Assert.Empty(outcome.Chunks);
        Assert.DoesNotContain(engine.Log, l => l.Contains('b', StringComparison.Ordinal));
    }
}
