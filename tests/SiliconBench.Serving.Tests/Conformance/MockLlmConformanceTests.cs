using SiliconBench.Records;
using SiliconBench.Running;
using SiliconBench.Serving;
using SiliconBench.Tests.Serving;
using Xunit;

namespace SiliconBench.Tests.Conformance;

/// <summary>
/// The <c>openai</c> endpoint against a server we did not write (<c>@dwmkerr/mock-llm</c>): streamed chat and
/// completions, an error sent inside the stream, an HTTP error, and a closed-loop run whose records the reader
/// accepts. mock-llm echoes the last user message (or the prompt) in 4-character pieces and sends no usage, so
/// each piece counts as one token and the input length stays the one we asked for.
/// </summary>
public sealed class MockLlmConformanceTests
{
    // Rules: last match wins. Echo on both routes (mock-llm streams chat-shaped chunks on /v1/completions too),
    // and an OpenAI rate-limit error for prompts that ask for it.
    private const string Config = """
        streaming:
          chunkSize: 4
          chunkIntervalMs: 2
        rules:
          - path: "^/v1/chat/completions$"
            match: "@"
            response:
              status: 200
              content: |
                {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "{{jmes request body.model}}",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": "{{jmes request body.messages[-1].content}}"}, "finish_reason": "stop"}]}
          - path: "^/v1/completions$"
            match: "@"
            response:
              status: 200
              content: |
                {"id": "cmpl-1", "object": "text_completion", "created": 1, "model": "{{jmes request body.model}}",
                 "choices": [{"index": 0, "message": {"role": "assistant", "content": "{{jmes request body.prompt}}"}, "finish_reason": "stop"}]}
          - path: "^/v1/chat/completions$"
            match: "contains(body.messages[-1].content, 'error-429')"
            response:
              status: 429
              content: |
                {"error": {"message": "Rate limit reached for requests", "type": "requests", "param": null, "code": "rate_limit_exceeded"}}
        """;

    // 22 characters: pieces of 4,4,4,4,4,2.
    private const string Prompt = "0123456789abcdefghijkl";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static OpenAiEndpoint Endpoint(Uri baseUrl, OpenAiApi api) => new(new OpenAiEndpointOptions
    {
        BaseUrl = baseUrl,
        Model = "mock-model",
        Api = api,
        ApiKeyVariable = "SB_TEST_UNSET_" + Guid.NewGuid().ToString("N"),
    });

    private static ServingRequest Request(string text) => new() { Id = "r-000001", InputTokens = 6, OutputTokens = 6, PromptText = text };

    [Theory]
    [InlineData(OpenAiApi.ChatCompletions)]
    [InlineData(OpenAiApi.Completions)]
    public async Task A_streamed_response_becomes_one_timed_chunk_per_piece(OpenAiApi api)
    {
        await using var server = await MockLlmServer.StartAsync(Config, Cancel);
        using var endpoint = Endpoint(server.BaseUrl, api);
        var clock = new MonotonicClock();

        var outcome = await endpoint.SendAsync(Request(Prompt), clock, Cancel);

        Assert.True(outcome.Status == RequestStatus.Ok, $"{outcome.Status}: {outcome.Error}\n{server.Output}");
        Assert.Null(outcome.Error);
        Assert.Equal(6, outcome.Chunks.Count);
        Assert.All(outcome.Chunks, c => Assert.Equal(1, c.Tokens));
        Assert.Equal(6, outcome.OutputTokens);
        Assert.Null(outcome.InputTokens); // mock-llm sends no usage
        Assert.True(outcome.TFirst >= outcome.TSubmit);
        // Arrival order; no claim on the gaps, which a loaded machine may squeeze into one read.
        Assert.Equal(outcome.Chunks.Select(c => c.T).Order(), outcome.Chunks.Select(c => c.T));
    }

    [Fact]
    public async Task An_error_sent_inside_the_stream_is_recorded_with_the_servers_message()
    {
        await using var server = await MockLlmServer.StartAsync(Config, Cancel);
        using var endpoint = Endpoint(server.BaseUrl, OpenAiApi.ChatCompletions);

        var outcome = await endpoint.SendAsync(Request("please error-429"), new MonotonicClock(), Cancel);

        Assert.Equal(RequestStatus.Error, outcome.Status);
        Assert.Contains("Rate limit reached", outcome.Error, StringComparison.Ordinal);
        Assert.Empty(outcome.Chunks);
    }

    [Fact]
    public async Task An_http_error_status_is_recorded_as_an_error_naming_it()
    {
        await using var server = await MockLlmServer.StartAsync(Config, Cancel);
        // No rule serves this prefix, so mock-llm answers 404.
        using var endpoint = Endpoint(new Uri(server.BaseUrl, "no-such-prefix/"), OpenAiApi.Completions);

        var outcome = await endpoint.SendAsync(Request(Prompt), new MonotonicClock(), Cancel);

        Assert.Equal(RequestStatus.Error, outcome.Status);
        Assert.Contains("404", outcome.Error, StringComparison.Ordinal);
        Assert.Empty(outcome.Chunks);
    }

    [Fact]
    public async Task A_closed_loop_run_against_it_leaves_a_record_the_reader_accepts()
    {
        await using var server = await MockLlmServer.StartAsync(Config, Cancel);
        using var endpoint = Endpoint(server.BaseUrl, OpenAiApi.ChatCompletions);
        using var dir = new TestRunDirectory();
        var plan = new ServingPlan
        {
            Points = [ServingPoint.Closed(4, requests: 12)],
            Requests = slot => new ServingRequestSpec(6, 6) { PromptText = Prompt[..(2 + (slot.Index % 5 * 4))] },
        };

        RunOutcome outcome;
        using (var writer = RunRecordWriter.Create(dir.Path))
        {
            outcome = await new ServingRunner(new MonotonicClock()).RunAsync(endpoint, plan, writer, Cancel);
            writer.WriteManifest(TestRunDirectory.Manifest(new BackendInfo { Id = "openai", Version = "mock-llm", Device = "loopback" }, outcome.Complete, outcome.Reason));
        }
        var record = RunRecordReader.Read(dir.Path);

        Assert.True(outcome.Complete, outcome.Reason);
        Assert.Equal(12, record.Requests.Count);
        Assert.All(record.Requests, r => Assert.Equal(RequestStatus.Ok, r.Status));
        // A prompt of n characters comes back in ceil(n / 4) pieces.
        Assert.Equal(
            Enumerable.Range(0, 12).Select(i => (2 + (i % 5 * 4) + 3) / 4).Order(),
            record.Requests.Select(r => r.OutputTokens).Order());
        Assert.All(record.Requests, r => Assert.Equal(6, r.InputTokens));
    }
}
