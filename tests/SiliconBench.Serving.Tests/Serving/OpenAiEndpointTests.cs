using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using SiliconBench.Records;
using SiliconBench.Running;
using SiliconBench.Serving;
using Xunit;

namespace SiliconBench.Tests.Serving;

public class OpenAiEndpointTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static OpenAiEndpoint Endpoint(Uri baseUrl, Func<OpenAiEndpointOptions, OpenAiEndpointOptions>? configure = null)
    {
        var options = new OpenAiEndpointOptions { BaseUrl = baseUrl, Model = "test-model", ApiKeyVariable = "SB_TEST_UNSET_" + Guid.NewGuid().ToString("N") };
        return new OpenAiEndpoint(configure?.Invoke(options) ?? options);
    }

    private static ServingRequest Request(int output = 8, int input = 32) => new() { Id = "r-000001", InputTokens = input, OutputTokens = output };

    [Fact]
    public async Task Streams_completions_with_each_chunk_timestamped_in_order()
    {
        await using var server = await ScriptedSseServer.StartAsync();
        using var endpoint = Endpoint(server.BaseUrl);
        var clock = new MonotonicClock();

        var outcome = await endpoint.SendAsync(Request(output: 8), clock, Cancel);

        Assert.Equal(RequestStatus.Ok, outcome.Status);
        Assert.Null(outcome.Error);
        Assert.Equal(8, outcome.Chunks.Count);
        Assert.All(outcome.Chunks, c => Assert.Equal(1, c.Tokens));
        for (var i = 1; i < outcome.Chunks.Count; i++)
            Assert.True(outcome.Chunks[i].T >= outcome.Chunks[i - 1].T);
        Assert.True(outcome.TSubmit < outcome.Chunks[0].T);
        Assert.Equal(outcome.Chunks[0].T, outcome.TFirst);
        Assert.Equal(outcome.Chunks[^1].T, outcome.TEnd);
        Assert.Equal(8, outcome.OutputTokens);
        Assert.Equal(ScriptedSseServer.PromptTokens, outcome.InputTokens);
    }

    [Fact]
    public async Task Sends_length_controls_usage_request_and_the_prompt()
    {
        await using var server = await ScriptedSseServer.StartAsync();
        using var endpoint = Endpoint(server.BaseUrl);

        await endpoint.SendAsync(Request(output: 4, input: 10), new MonotonicClock(), Cancel);

        var body = Assert.Single(server.Seen).Body;
        Assert.Equal("test-model", body.GetProperty("model").GetString());
        Assert.Equal(4, body.GetProperty("max_tokens").GetInt32());
        Assert.Equal(4, body.GetProperty("min_tokens").GetInt32());
        Assert.True(body.GetProperty("ignore_eos").GetBoolean());
        Assert.True(body.GetProperty("stream").GetBoolean());
        Assert.True(body.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.Equal(10, body.GetProperty("prompt").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task Vllm_extras_can_be_switched_off_and_prompts_sent_as_token_ids()
    {
        await using var server = await ScriptedSseServer.StartAsync();
        using var endpoint = Endpoint(server.BaseUrl, o => o with { SendMinTokens = false, IgnoreEos = false, PromptAsTokenIds = true });

        var request = Request(output: 2) with { PromptTokenIds = [5, 6, 7] };
        var outcome = await endpoint.SendAsync(request, new MonotonicClock(), Cancel);

        Assert.Equal(RequestStatus.Ok, outcome.Status);
        var body = Assert.Single(server.Seen).Body;
        Assert.False(body.TryGetProperty("min_tokens", out _));
        Assert.False(body.TryGetProperty("ignore_eos", out _));
        Assert.Equal([5, 6, 7], body.GetProperty("prompt").EnumerateArray().Select(e => e.GetInt32()));
    }

    [Fact]
    public async Task Output_length_comes_from_usage_when_pieces_hold_several_tokens()
    {
        await using var server = await ScriptedSseServer.StartAsync();
        server.PackPairs = true;
        using var endpoint = Endpoint(server.BaseUrl);

        var outcome = await endpoint.SendAsync(Request(output: 9), new MonotonicClock(), Cancel);

        Assert.Equal(RequestStatus.Ok, outcome.Status);
        Assert.Equal(5, outcome.Chunks.Count);
        Assert.Equal(9, outcome.OutputTokens);
    }

    [Fact]
    public async Task Without_usage_the_output_length_is_the_pieces_seen()
    {
        await using var server = await ScriptedSseServer.StartAsync();
        using var endpoint = Endpoint(server.BaseUrl, o => o with { IncludeUsage = false });

        var outcome = await endpoint.SendAsync(Request(output: 6), new MonotonicClock(), Cancel);

        Assert.Equal(6, outcome.OutputTokens);
        Assert.Null(outcome.InputTokens);
    }

    [Fact]
    public async Task Chat_completions_count_content_deltas_but_not_the_role_chunk()
    {
        await using var server = await ScriptedSseServer.StartAsync();
        using var endpoint = Endpoint(server.BaseUrl, o => o with { Api = OpenAiApi.ChatCompletions });

        var outcome = await endpoint.SendAsync(Request(output: 5), new MonotonicClock(), Cancel);

        Assert.Equal(RequestStatus.Ok, outcome.Status);
        Assert.Equal(5, outcome.Chunks.Count);
        var seen = Assert.Single(server.Seen);
        Assert.Equal("/v1/chat/completions", seen.Path);
        Assert.Equal("user", seen.Body.GetProperty("messages")[0].GetProperty("role").GetString());
    }

    [Fact]
    public async Task Http2_with_prior_knowledge_works()
    {
        await using var server = await ScriptedSseServer.StartAsync(HttpProtocols.Http2);
        using var endpoint = Endpoint(server.BaseUrl, o => o with { HttpVersion = HttpVersion.Version20 });

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => endpoint.SendAsync(Request(output: 4), new MonotonicClock(), Cancel)));

        Assert.All(outcomes, o => Assert.Equal(RequestStatus.Ok, o.Status));
        Assert.All(outcomes, o => Assert.Equal(4, o.OutputTokens));
        Assert.All(server.Seen, s => Assert.Equal("HTTP/2", s.Protocol));
    }

    [Theory]
    [InlineData(HttpProtocols.Http1)]
    [InlineData(HttpProtocols.Http2)]
    public async Task A_server_on_a_unix_socket_streams_as_over_tcp(HttpProtocols protocols)
    {
        var socket = Path.Combine(Path.GetTempPath(), $"sb-{Guid.NewGuid():N}.sock");
        try
        {
            await using var server = await ScriptedSseServer.StartAsync(protocols, socket);
            using var endpoint = Endpoint(server.BaseUrl, o => o with
            {
                UnixSocketPath = socket,
                HttpVersion = protocols == HttpProtocols.Http2 ? HttpVersion.Version20 : HttpVersion.Version11,
            });

            var outcome = await endpoint.SendAsync(Request(output: 6), new MonotonicClock(), Cancel);

            Assert.Equal(RequestStatus.Ok, outcome.Status);
            Assert.Equal(6, outcome.OutputTokens);
            Assert.Equal(6, outcome.Chunks.Count);
            Assert.Equal(protocols == HttpProtocols.Http2 ? "HTTP/2" : "HTTP/1.1", Assert.Single(server.Seen).Protocol);
            Assert.Equal($"unix:{socket}", endpoint.Describe().Device);
            Assert.Equal(socket, endpoint.Describe().Options["unix_socket"]);
        }
        finally
        {
            File.Delete(socket);
        }
    }

    [Fact]
    public async Task A_unix_socket_nobody_listens_on_is_an_error_outcome()
    {
        using var endpoint = Endpoint(new Uri("http://localhost/"), o => o with { UnixSocketPath = Path.Combine(Path.GetTempPath(), $"sb-none-{Guid.NewGuid():N}.sock") });

        var outcome = await endpoint.SendAsync(Request(), new MonotonicClock(), Cancel);

        Assert.Equal(RequestStatus.Error, outcome.Status);
        Assert.Contains("connection failed", outcome.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_connection_is_an_error_outcome()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var endpoint = Endpoint(new Uri($"http://127.0.0.1:{port}/"));

        var outcome = await endpoint.SendAsync(Request(), new MonotonicClock(), Cancel);

        Assert.Equal(RequestStatus.Error, outcome.Status);
        Assert.StartsWith("connection failed", outcome.Error);
        Assert.Empty(outcome.Chunks);
    }

    [Theory]
    [InlineData(ServerFault.TooManyRequests, "HTTP 429", "rate limited, retry later")]
    [InlineData(ServerFault.ServerError, "HTTP 500", "engine crashed")]
    public async Task An_error_status_is_recorded_with_a_body_excerpt(ServerFault fault, string status, string excerpt)
    {
        await using var server = await ScriptedSseServer.StartAsync();
        server.FaultFor = _ => fault;
        using var endpoint = Endpoint(server.BaseUrl);

        var outcome = await endpoint.SendAsync(Request(), new MonotonicClock(), Cancel);

        Assert.Equal(RequestStatus.Error, outcome.Status);
        Assert.StartsWith(status, outcome.Error);
        Assert.Contains(excerpt, outcome.Error);
    }

    [Theory]
    [InlineData(ServerFault.EndBeforeDone, "ended before [DONE]")]
    [InlineData(ServerFault.MalformedJson, "malformed JSON")]
    public async Task A_stream_broken_midway_is_an_error_that_keeps_the_chunks_received(ServerFault fault, string expected)
    {
        await using var server = await ScriptedSseServer.StartAsync();
        server.FaultFor = _ => fault;
        server.FaultAfterTokens = 3;
        using var endpoint = Endpoint(server.BaseUrl, o => o with { RequestTimeout = TimeSpan.FromSeconds(5) });

        var outcome = await endpoint.SendAsync(Request(output: 8), new MonotonicClock(), Cancel);

        Assert.Equal(RequestStatus.Error, outcome.Status);
        Assert.Contains(expected, outcome.Error);
        Assert.Equal(3, outcome.Chunks.Count);
        Assert.Equal(3, outcome.OutputTokens);
    }

    [Fact]
    public async Task A_connection_aborted_midway_is_an_error()
    {
        await using var server = await ScriptedSseServer.StartAsync();
        server.FaultFor = _ => ServerFault.Abort;
        using var endpoint = Endpoint(server.BaseUrl, o => o with { RequestTimeout = TimeSpan.FromSeconds(5) });

        var outcome = await endpoint.SendAsync(Request(output: 8), new MonotonicClock(), Cancel);

        // A reset may discard bytes the client had not read yet, so only an upper bound on the chunks holds.
        Assert.Equal(RequestStatus.Error, outcome.Status);
        Assert.InRange(outcome.Chunks.Count, 0, 3);
        Assert.Equal(outcome.Chunks.Count, outcome.OutputTokens);
    }

    [Fact]
    public async Task A_request_past_its_timeout_is_a_timeout()
    {
        await using var server = await ScriptedSseServer.StartAsync();
        server.FaultFor = _ => ServerFault.Stall;
        using var endpoint = Endpoint(server.BaseUrl, o => o with { RequestTimeout = TimeSpan.FromMilliseconds(200) });

        var outcome = await endpoint.SendAsync(Request(), new MonotonicClock(), Cancel);

        Assert.Equal(RequestStatus.Timeout, outcome.Status);
        Assert.Contains("0.2 s", outcome.Error);
    }

    [Fact]
    public async Task Cancelling_an_in_flight_request_records_it_as_cancelled()
    {
        await using var server = await ScriptedSseServer.StartAsync();
        server.FaultFor = _ => ServerFault.Stall;
        using var endpoint = Endpoint(server.BaseUrl);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Cancel);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(200));

        var outcome = await endpoint.SendAsync(Request(), new MonotonicClock(), cancel.Token);

        Assert.Equal(RequestStatus.Cancelled, outcome.Status);
    }

    [Fact]
    public async Task The_api_key_is_sent_as_a_bearer_token_but_redacted_from_errors_and_the_manifest()
    {
        var variable = "SB_TEST_KEY_" + Guid.NewGuid().ToString("N");
        const string secret = "sk-test-5f1c0d9e-not-a-real-key";
        Environment.SetEnvironmentVariable(variable, secret);
        try
        {
            await using var server = await ScriptedSseServer.StartAsync();
            server.FaultFor = i => i == 0 ? ServerFault.EchoAuthorization : ServerFault.None;
            using var endpoint = new OpenAiEndpoint(new OpenAiEndpointOptions { BaseUrl = server.BaseUrl, Model = "m", ApiKeyVariable = variable });

            var rejected = await endpoint.SendAsync(Request(), new MonotonicClock(), Cancel);
            var accepted = await endpoint.SendAsync(Request(), new MonotonicClock(), Cancel);

            Assert.True(endpoint.HasApiKey);
            Assert.All(server.Seen, s => Assert.Equal($"Bearer {secret}", s.Authorization));
            Assert.Equal(RequestStatus.Error, rejected.Status);
            Assert.Contains("[redacted]", rejected.Error);
            Assert.DoesNotContain(secret, rejected.Error);
            Assert.Equal(RequestStatus.Ok, accepted.Status);
            var described = string.Join(";", endpoint.Describe().Options.Select(kv => kv.Key + "=" + kv.Value));
            Assert.Contains(variable, described);
            Assert.DoesNotContain(secret, described);
            Assert.DoesNotContain(secret, endpoint.Options.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
