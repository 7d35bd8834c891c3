using SiliconBench.Records;
using SiliconBench.Running;
using SiliconBench.Serving;
using Xunit;

namespace SiliconBench.Tests.Serving;

/// <summary>
/// How the endpoint tells connection faults apart, and the one retry: a request that fails before any response byte
/// on a reused connection goes again on a fresh connection, and the record says so; nothing else is retried.
/// </summary>
public sealed class OpenAiEndpointConnectionTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static OpenAiEndpoint Endpoint(Uri baseUrl) =>
        new(new OpenAiEndpointOptions { BaseUrl = baseUrl, Model = "m", ApiKeyVariable = "SB_TEST_UNSET_" + Guid.NewGuid().ToString("N") });

    private static ServingRequest Request(string id) => new() { Id = id, InputTokens = 8, OutputTokens = ConnectionScriptServer.Tokens };

    private static async Task<(RequestOutcome First, RequestOutcome Second)> TwoInARowAsync(ConnectionScriptServer server)
    {
        using var endpoint = Endpoint(server.BaseUrl);
        var clock = new MonotonicClock();
        var first = await endpoint.SendAsync(Request("r-1"), clock, Cancel);
        var second = await endpoint.SendAsync(Request("r-2"), clock, Cancel);
        return (first, second);
    }

    [Fact]
    public async Task A_reused_connection_closed_before_a_response_is_retried_once_on_a_fresh_one_and_recorded()
    {
        // The keep-alive race: the server closes the connection the client is about to reuse.
        await using var server = new ConnectionScriptServer((connection, request) =>
            connection == 0 && request == 1 ? ConnectionAction.CloseBeforeResponse : ConnectionAction.Respond);

        var (first, second) = await TwoInARowAsync(server);

        Assert.Equal((RequestStatus.Ok, 0), (first.Status, first.Retries));
        Assert.True(second.Status == RequestStatus.Ok, second.Error);
        Assert.Equal(1, second.Retries);
        Assert.StartsWith("the connection closed before a response (a reused connection", second.RetryError, StringComparison.Ordinal);
        Assert.Equal((ConnectionScriptServer.Tokens, ConnectionScriptServer.PromptTokens), (second.OutputTokens, second.InputTokens));
        Assert.Equal((2, 3), (server.Connections, server.Requests));
        Assert.True(second.TSubmit < first.TEnd + 1 && second.TSubmit > first.TSubmit, "the retry keeps the request's own submit time");
    }

    [Fact]
    public async Task A_retry_that_fails_too_is_recorded_as_the_failure_with_its_retry()
    {
        await using var server = new ConnectionScriptServer((connection, request) =>
            (connection, request) is (0, 1) or (1, 0) ? ConnectionAction.CloseBeforeResponse : ConnectionAction.Respond);

        var (_, second) = await TwoInARowAsync(server);

        Assert.Equal(RequestStatus.Error, second.Status);
        Assert.Equal(1, second.Retries);
        Assert.StartsWith("the connection closed before a response: ", second.Error, StringComparison.Ordinal);
        Assert.NotNull(second.RetryError);
        Assert.Null(second.InputTokens);
        Assert.Equal((2, 3), (server.Connections, server.Requests));
    }

    [Fact]
    public async Task A_fresh_connection_closed_before_a_response_is_not_retried()
    {
        await using var server = new ConnectionScriptServer((_, _) => ConnectionAction.CloseBeforeResponse);
        using var endpoint = Endpoint(server.BaseUrl);

        var outcome = await endpoint.SendAsync(Request("r-1"), new MonotonicClock(), Cancel);

        Assert.Equal((RequestStatus.Error, 0), (outcome.Status, outcome.Retries));
        Assert.StartsWith("the connection closed before a response: ", outcome.Error, StringComparison.Ordinal);
        Assert.Equal((1, 1), (server.Connections, server.Requests));
    }

    [Fact]
    public async Task A_stream_cut_after_its_first_tokens_is_never_retried_and_says_how_many_came()
    {
        await using var server = new ConnectionScriptServer((_, request) => request == 1 ? ConnectionAction.CloseMidStream : ConnectionAction.Respond);

        var (_, second) = await TwoInARowAsync(server);

        Assert.Equal((RequestStatus.Error, 0), (second.Status, second.Retries));
        Assert.StartsWith("the stream was cut after 2 tokens: ", second.Error, StringComparison.Ordinal);
        Assert.Equal(2, second.Chunks.Count);
        Assert.Equal((1, 2), (server.Connections, server.Requests));
    }

    [Fact]
    public async Task A_response_cut_inside_its_headers_is_not_retried()
    {
        // Bytes of a response arrived: the server took the request, and a second one would be a second load on it.
        await using var server = new ConnectionScriptServer((_, request) => request == 1 ? ConnectionAction.CloseInHeaders : ConnectionAction.Respond);

        var (_, second) = await TwoInARowAsync(server);

        Assert.Equal((RequestStatus.Error, 0), (second.Status, second.Retries));
        Assert.StartsWith("the connection closed during the response headers: ", second.Error, StringComparison.Ordinal);
        Assert.Equal((1, 2), (server.Connections, server.Requests));
    }
}
