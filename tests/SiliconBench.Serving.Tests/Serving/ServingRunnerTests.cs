using System.Collections.Concurrent;
using SiliconBench.Analysis;
using SiliconBench.Diagnostics;
using SiliconBench.Metrics;
using SiliconBench.Records;
using SiliconBench.Running;
using SiliconBench.Serving;
using SiliconBench.Workloads;
using Xunit;

namespace SiliconBench.Tests.Serving;

public class ServingRunnerTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static OpenAiEndpoint Endpoint(Uri baseUrl, string? keyVariable = null) =>
        new(new OpenAiEndpointOptions
        {
            BaseUrl = baseUrl,
            Model = "m",
            ApiKeyVariable = keyVariable ?? "SB_TEST_UNSET_" + Guid.NewGuid().ToString("N"),
            RequestTimeout = TimeSpan.FromSeconds(20),
        });

    private static ServingPlan Plan(params ServingPoint[] points) => new()
    {
        Points = points,
        Requests = slot => new ServingRequestSpec(16 + slot.Index % 3, 4),
        Seed = 7,
    };

    private sealed class RecordingObserver : IServingObserver
    {
        public ConcurrentQueue<RequestRecord> Finished { get; } = new();
        public ConcurrentQueue<string> Points { get; } = new();

        public void PointStarted(ServingPoint point, bool warmup, int index, int count) => Points.Enqueue((warmup ? "warmup " : "") + point.Id);

        public void RequestFinished(RequestRecord record) => Finished.Enqueue(record);
    }

    private static async Task<(RunOutcome Outcome, RunRecord Record)> Run(IRequestBackend backend, ServingPlan plan, TestRunDirectory dir, CancellationToken cancel, IServingObserver? observer = null, BackendInfo? info = null)
    {
        RunOutcome outcome;
        using (var writer = RunRecordWriter.Create(dir.Path))
        {
            outcome = await new ServingRunner(new MonotonicClock(), observer).RunAsync(backend, plan, writer, cancel);
            writer.WriteManifest(TestRunDirectory.Manifest(info ?? new BackendInfo { Id = "openai", Version = "t", Device = "loopback" }, outcome.Complete, outcome.Reason));
        }
        return (outcome, RunRecordReader.Read(dir.Path));
    }

    [Fact]
    public async Task Closed_loop_keeps_exactly_N_requests_in_flight_and_writes_windows_the_analyzer_reads()
    {
        await using var server = await ScriptedSseServer.StartAsync();
        server.TokenDelay = TimeSpan.FromMilliseconds(3);
        using var endpoint = Endpoint(server.BaseUrl);
        using var dir = new TestRunDirectory();
        var plan = Plan(ServingPoint.Closed(4, requests: 24)) with { WarmupRequests = 4 };

        var (outcome, record) = await Run(endpoint, plan, dir, Cancel);

        Assert.True(outcome.Complete, outcome.Reason);
        Assert.Equal(4, server.MaxInFlight);
        Assert.Equal(28, record.Requests.Count);
        Assert.Equal(4, record.Requests.Count(r => r.Warmup));
        Assert.All(record.Requests, r => Assert.Equal(RequestStatus.Ok, r.Status));
        Assert.All(record.Requests, r => Assert.Equal("c4", r.Point));
        Assert.All(record.Requests, r => Assert.Equal(4, r.OutputTokens));
        Assert.All(record.Requests, r => Assert.Equal(ScriptedSseServer.PromptTokens, r.InputTokens));
        Assert.All(record.Requests, r => Assert.Equal(r.Chunks[0].T, r.TFirst));
        Assert.All(record.Requests, r => Assert.Equal(r.Chunks[^1].T, r.TEnd));
        Assert.Equal(28, record.Requests.Select(r => r.Id).Distinct().Count());

        var warmup = Assert.Single(record.Windows, w => w.Kind == WindowKind.Warmup);
        var measured = Assert.Single(record.Windows, w => w.Kind == WindowKind.Measured);
        var point = Assert.Single(record.Windows, w => w.Kind == WindowKind.Point);
        Assert.Equal("c4", point.Point);
        Assert.True(warmup.TEnd <= measured.TStart);
        var measuredRequests = record.Requests.Where(r => !r.Warmup).ToList();
        Assert.Equal(measuredRequests.Min(r => r.TSubmit), measured.TStart);
        Assert.Equal(measuredRequests.Max(r => r.TEnd!.Value), measured.TEnd);

        var summary = Analyzer.Analyze(record);
        Assert.Equal(24, summary.Overall.DistributionOf(MetricCatalog.TtftMs)!.N);
        Assert.Equal(24, summary.Overall.DistributionOf(MetricCatalog.TpotMs)!.N);
        Assert.Equal(24 * 3, summary.Overall.DistributionOf(MetricCatalog.ItlMs)!.N);
    }

    [Fact]
    public async Task A_sweep_runs_its_points_in_order_with_one_window_each()
    {
        await using var server = await ScriptedSseServer.StartAsync();
        using var endpoint = Endpoint(server.BaseUrl);
        using var dir = new TestRunDirectory();
        var observer = new RecordingObserver();
        var points = ServingPoint.Sweep(new ArrivalProcess { Kind = ArrivalKind.ClosedLoop, Concurrency = [1, 3] }, requestsPerPoint: 6, durationSeconds: null);

        var (outcome, record) = await Run(endpoint, Plan([.. points]), dir, Cancel, observer);

        Assert.True(outcome.Complete);
        Assert.Equal(["c1", "c3"], observer.Points);
        Assert.Equal(["c1", "c3"], record.Windows.Where(w => w.Kind == WindowKind.Point).Select(w => w.Point));
        Assert.Equal(12, observer.Finished.Count);
        var c1 = record.Windows.Single(w => w.Point == "c1");
        Assert.All(record.Requests.Where(r => r.Point == "c3"), r => Assert.True(r.TSubmit >= c1.TEnd));
    }

    [Fact]
    public async Task Open_loop_sends_the_requested_count_with_seeded_arrivals()
    {
        await using var server = await ScriptedSseServer.StartAsync();
        using var endpoint = Endpoint(server.BaseUrl);
        using var dir = new TestRunDirectory();

        var (outcome, record) = await Run(endpoint, Plan(ServingPoint.Open(200, burstiness: 1, requests: 20)), dir, Cancel);

        Assert.True(outcome.Complete);
        Assert.Equal(20, record.Requests.Count);
        Assert.All(record.Requests, r => Assert.Equal("r200.0", r.Point));
        Assert.All(record.Requests, r => Assert.Equal(RequestStatus.Ok, r.Status));
    }

    [Fact]
    public async Task A_spent_error_budget_stops_the_run_incomplete_with_the_reason()
    {
        await using var server = await ScriptedSseServer.StartAsync();
        server.FaultFor = i => i % 2 == 0 ? ServerFault.ServerError : ServerFault.None;
        using var endpoint = Endpoint(server.BaseUrl);
        using var dir = new TestRunDirectory();
        var plan = Plan(ServingPoint.Closed(2, requests: 200), ServingPoint.Closed(4, requests: 10)) with { ErrorBudget = new ErrorBudget(MaxFailedRequests: 3) };

        var (outcome, record) = await Run(endpoint, plan, dir, Cancel);

        Assert.False(outcome.Complete);
        Assert.StartsWith("error budget exceeded: 4 of", outcome.Reason);
        Assert.Contains("HTTP 500", outcome.Reason);
        Assert.InRange(record.Requests.Count, 4, 40);
        Assert.DoesNotContain(record.Requests, r => r.Point == "c4");
        // The other worker's request may fail in the same instant the budget runs out.
        Assert.InRange(record.Requests.Count(r => r.Status == RequestStatus.Error), 4, 5);
        Assert.False(record.Manifest.Complete);
    }

    [Fact]
    public async Task Failures_within_the_budget_are_recorded_and_the_run_completes()
    {
        await using var server = await ScriptedSseServer.StartAsync();
        server.FaultFor = i => i == 1 ? ServerFault.TooManyRequests : ServerFault.None;
        using var endpoint = Endpoint(server.BaseUrl);
        using var dir = new TestRunDirectory();

        var (outcome, record) = await Run(endpoint, Plan(ServingPoint.Closed(1, requests: 5)), dir, Cancel);

        Assert.True(outcome.Complete);
        var failed = Assert.Single(record.Requests, r => r.Status != RequestStatus.Ok);
        Assert.StartsWith("HTTP 429", failed.Error);
    }

    [Fact]
    public async Task Cancelling_the_run_records_in_flight_requests_as_cancelled_and_leaves_a_readable_record()
    {
        await using var server = await ScriptedSseServer.StartAsync();
        server.FaultFor = i => i < 3 ? ServerFault.None : ServerFault.Stall;
        using var endpoint = Endpoint(server.BaseUrl);
        using var dir = new TestRunDirectory();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Cancel);

        var runTask = Run(endpoint, Plan(ServingPoint.Closed(1, requests: 3), ServingPoint.Closed(2, requests: 50)), dir, cancel.Token);
        while (server.RequestCount < 5)
            await Task.Delay(10, Cancel);
        await cancel.CancelAsync();
        var (outcome, record) = await runTask;

        Assert.False(outcome.Complete);
        Assert.Contains("interrupted", outcome.Reason);
        Assert.Equal(3, record.Requests.Count(r => r.Status == RequestStatus.Ok));
        Assert.Equal(2, record.Requests.Count(r => r.Status == RequestStatus.Cancelled));
        Assert.Equal(5, record.Requests.Count);
    }

    [Fact]
    public async Task The_api_key_appears_in_no_file_of_the_run_record_and_no_observed_record()
    {
        var variable = "SB_TEST_KEY_" + Guid.NewGuid().ToString("N");
        const string secret = "sk-live-7d3a9b21-test-secret";
        Environment.SetEnvironmentVariable(variable, secret);
        try
        {
            await using var server = await ScriptedSseServer.StartAsync();
            server.FaultFor = i => i % 3 == 0 ? ServerFault.EchoAuthorization : ServerFault.None;
            using var endpoint = Endpoint(server.BaseUrl, variable);
            using var dir = new TestRunDirectory();
            var observer = new RecordingObserver();
            var plan = Plan(ServingPoint.Closed(2, requests: 9)) with { ErrorBudget = ErrorBudget.Unlimited };

            var (outcome, record) = await Run(endpoint, plan, dir, Cancel, observer, endpoint.Describe());

            Assert.True(outcome.Complete);
            Assert.All(server.Seen, s => Assert.Equal($"Bearer {secret}", s.Authorization));
            Assert.Equal(3, record.Requests.Count(r => r.Status == RequestStatus.Error));
            Assert.Contains(dir.AllFiles(), f => f.File.EndsWith(RunFiles.Manifest) && f.Text.Contains(variable));
            Assert.All(dir.AllFiles(), f => Assert.DoesNotContain(secret, f.Text));
            Assert.All(observer.Finished, r => Assert.DoesNotContain(secret, r.ToString()));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task A_trace_is_replayed_with_its_lengths()
    {
        await using var server = await ScriptedSseServer.StartAsync();
        using var endpoint = Endpoint(server.BaseUrl);
        using var dir = new TestRunDirectory();
        var trace = RequestTrace.Parse("trace.jsonl", System.Text.Encoding.UTF8.GetBytes(
            """
            {"arrival_s": 0.05, "input_tokens": 30, "output_tokens": 3}
            # a comment
            {"arrival_s": 0.0, "input_tokens": 10, "output_tokens": 2}
            {"arrival_s": 0.02, "input_length": 20, "output_length": 5}
            """));

        var (outcome, record) = await Run(endpoint, Plan(ServingPoint.Replay("trace", trace)), dir, Cancel);

        Assert.True(outcome.Complete);
        // Each request carries its own trace line's lengths (submit order is not asserted: a loaded machine may
        // dispatch two late arrivals in the same instant).
        Assert.Equal([2, 3, 5], record.Requests.Select(r => r.OutputTokens).Order());
        Assert.Equal([(10, 2), (20, 5), (30, 3)], server.Seen
            .Select(s => (s.Body.GetProperty("prompt").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length, s.Body.GetProperty("max_tokens").GetInt32()))
            .Order());
    }

    [Theory]
    [InlineData("{\"arrival_s\": 1, \"output_tokens\": 3}", 1, "input_tokens")]
    [InlineData("{\"arrival_s\": 1, \"input_tokens\": 3, \"output_tokens\": 3}\n{\"arrival_s\": -1, \"input_tokens\": 3, \"output_tokens\": 3}", 2, "arrival_s")]
    [InlineData("{\"arrival_s\": 1, \"input_tokens\": 0, \"output_tokens\": 3}", 1, "input_tokens")]
    [InlineData("not json", 1, null)]
    public void A_bad_trace_line_is_an_input_error_naming_line_and_field(string text, int line, string? field)
    {
        var e = Assert.Throws<InputException>(() => RequestTrace.Parse("t.jsonl", System.Text.Encoding.UTF8.GetBytes(text)));
        Assert.Equal(line, e.Line);
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public async Task A_retried_request_says_so_and_a_failed_one_keeps_no_planned_prompt_length()
    {
        // r-1 on connection 0; r-2 on connection 0 again, closed before a response, retried on 1; r-3 cut on 2.
        await using var server = new ConnectionScriptServer((connection, request) => (connection, request) switch
        {
            (0, 1) => ConnectionAction.CloseBeforeResponse,
            (2, _) => ConnectionAction.CloseMidStream,
            _ => ConnectionAction.Respond,
        });
        using var endpoint = Endpoint(server.BaseUrl);
        using var dir = new TestRunDirectory();
        var plan = Plan(ServingPoint.Closed(1, requests: 3)) with { ErrorBudget = ErrorBudget.Unlimited };

        var (_, record) = await Run(endpoint, plan, dir, Cancel);

        var byId = record.Requests.ToDictionary(r => r.Id);
        Assert.Equal((RequestStatus.Ok, 0, ConnectionScriptServer.PromptTokens), (byId["r-000001"].Status, byId["r-000001"].Retries, byId["r-000001"].InputTokens));
        Assert.Equal((RequestStatus.Ok, 1), (byId["r-000002"].Status, byId["r-000002"].Retries));
        Assert.StartsWith("the connection closed before a response (a reused connection", byId["r-000002"].RetryError, StringComparison.Ordinal);
        Assert.Equal(RequestStatus.Error, byId["r-000003"].Status);
        Assert.StartsWith("the stream was cut after 2 tokens", byId["r-000003"].Error, StringComparison.Ordinal);
        Assert.Null(byId["r-000003"].InputTokens);
        Assert.Equal(2, byId["r-000003"].OutputTokens);
    }

    [Fact]
    public async Task Warm_up_runs_at_the_highest_closed_loop_concurrency_of_the_sweep()
    {
        await using var server = await ScriptedSseServer.StartAsync();
        server.TokenDelay = TimeSpan.FromMilliseconds(5);
        using var endpoint = Endpoint(server.BaseUrl);
        using var dir = new TestRunDirectory();
        var plan = Plan(ServingPoint.Closed(1, requests: 2), ServingPoint.Closed(3, requests: 3)) with { WarmupRequests = 6 };

        var (_, record) = await Run(endpoint, plan, dir, Cancel);

        var warmup = record.Requests.Where(r => r.Warmup).ToList();
        Assert.Equal(6, warmup.Count);
        var mostAtOnce = warmup.Max(a => warmup.Count(b => b.TSubmit <= a.TSubmit && RequestTiming.Completion(b) > a.TSubmit));
        Assert.Equal(3, mostAtOnce);
    }
}
