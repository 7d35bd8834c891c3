using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using SiliconBench.Benchmarks.Serving;
using SiliconBench.Records;
using SiliconBench.Running;
using SiliconBench.Serving;
using Xunit;

namespace SiliconBench.Benchmarks.Tests.Serving;

public class RawSseServerTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static OpenAiEndpoint Endpoint(Uri baseUrl, string? unixSocketPath = null) => new(new OpenAiEndpointOptions
    {
        BaseUrl = baseUrl,
        UnixSocketPath = unixSocketPath,
        Model = "loadgen",
        ApiKeyVariable = "SB_TEST_UNSET_" + Guid.NewGuid().ToString("N"),
        SendMinTokens = false,
        IgnoreEos = false,
    });

    private static ServingRequest Request(int key, int tokens) => new() { Id = $"r-{key:D6}", InputTokens = 1, OutputTokens = tokens, PromptText = key.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    [Theory]
    [InlineData(0.0)]
    [InlineData(2.0)]
    public async Task The_real_endpoint_streams_every_chunk_and_the_key_returns_as_prompt_tokens(double intervalMs)
    {
        using var server = new RawSseServer(TimeSpan.FromMilliseconds(intervalMs));
        using var endpoint = Endpoint(server.BaseUrl);
        var clock = new MonotonicClock();

        var outcome = await endpoint.SendAsync(Request(key: 42, tokens: 7), clock, Cancel);

        Assert.Equal(RequestStatus.Ok, outcome.Status);
        Assert.Equal(7, outcome.Chunks.Count);
        Assert.Equal(7, outcome.OutputTokens);
        Assert.Equal(42, outcome.InputTokens);
        var served = Assert.Single(server.DrainServed());
        Assert.Equal(42, served.Key);
        Assert.Equal(7, served.Sends.Length);
        // Every chunk was sent before the client stamped it, on the same clock.
        for (var j = 0; j < served.Sends.Length; j++)
            Assert.True(clock.ToRunSeconds(served.Sends[j]) <= outcome.Chunks[j].T);
        Assert.True(served.Accepted <= served.Sends[0] && served.Sends[^1] <= served.Done);
    }

    [Fact]
    public async Task On_a_unix_socket_it_serves_the_same_stream_and_removes_the_socket_file_when_done()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sb-raw-{Guid.NewGuid():N}.sock");
        using (var server = new RawSseServer(TimeSpan.FromMilliseconds(1), unixSocketPath: path))
        {
            using var endpoint = Endpoint(server.BaseUrl, server.UnixSocketPath);

            var outcome = await endpoint.SendAsync(Request(key: 9, tokens: 5), new MonotonicClock(), Cancel);

            Assert.Equal(RequestStatus.Ok, outcome.Status);
            Assert.Equal(5, outcome.Chunks.Count);
            Assert.Equal(9, outcome.InputTokens);
            Assert.Equal($"unix:{path}", server.Address);
            Assert.True(File.Exists(path));
        }
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task Paced_chunks_are_never_sent_before_their_slot_on_the_schedule()
    {
        using var server = new RawSseServer(TimeSpan.FromMilliseconds(5));
        using var endpoint = Endpoint(server.BaseUrl);

        var outcome = await endpoint.SendAsync(Request(key: 3, tokens: 4), new MonotonicClock(), Cancel);

        Assert.Equal(RequestStatus.Ok, outcome.Status);
        var served = Assert.Single(server.DrainServed());
        // Chunk j is due j intervals after the first, which is due no earlier than the request's arrival; lateness
        // (a busy machine) can only push sends later, so this holds however slow the machine is.
        for (var j = 0; j < served.Sends.Length; j++)
            Assert.True(Stopwatch.GetElapsedTime(served.Accepted, served.Sends[j]) >= TimeSpan.FromMilliseconds(5 * j));
    }

    [Fact]
    public async Task Consecutive_requests_share_one_keep_alive_connection()
    {
        using var server = new RawSseServer(TimeSpan.Zero);
        using var endpoint = Endpoint(server.BaseUrl);
        var clock = new MonotonicClock();

        for (var key = 1; key <= 3; key++)
            Assert.Equal(RequestStatus.Ok, (await endpoint.SendAsync(Request(key, tokens: 2), clock, Cancel)).Status);

        Assert.Equal([1, 2, 3], server.DrainServed().Select(s => s.Key).Order());
    }

    [Fact]
    public async Task A_client_that_stops_reading_defers_sends_instead_of_buffering_without_bound_and_then_gets_every_chunk()
    {
        const int Tokens = 50_000;
        using var server = new RawSseServer(TimeSpan.Zero);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await client.ConnectAsync(server.BaseUrl.Host, server.BaseUrl.Port, Cancel);
        var body = $"{{\"model\":\"loadgen\",\"prompt\":\"9\",\"max_tokens\":{Tokens},\"stream\":true}}";
        await client.SendAsync(Encoding.ASCII.GetBytes($"POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n{body}"), SocketFlags.None, Cancel);

        // Not reading: the socket buffers fill and the pacer must defer rather than fail.
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 10;
        while (server.DeferredSends == 0 && Stopwatch.GetTimestamp() < deadline)
            await Task.Delay(10, Cancel);
        Assert.True(server.DeferredSends > 0);

        var received = new MemoryStream();
        var buffer = new byte[65536];
        while (!received.ToArray().AsSpan().EndsWith("data: [DONE]\n\n\r\n0\r\n\r\n"u8))
        {
            var n = await client.ReceiveAsync(buffer, SocketFlags.None, Cancel);
            Assert.NotEqual(0, n);
            received.Write(buffer, 0, n);
        }
        var text = Encoding.UTF8.GetString(received.ToArray());
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", text, StringComparison.Ordinal);
        Assert.Equal(Tokens, CountOf(text, "\"text\":\" tok\""));
        Assert.Equal(0, server.DroppedStreams);
        Assert.Equal(Tokens, Assert.Single(server.DrainServed()).Sends.Length);
    }

    [Fact]
    public async Task Control_routes_answer_the_clock_and_the_send_log_and_unknown_paths_get_404()
    {
        using var server = new RawSseServer(TimeSpan.Zero);
        using var endpoint = Endpoint(server.BaseUrl);
        await endpoint.SendAsync(Request(key: 5, tokens: 3), new MonotonicClock(), Cancel);
        using var http = new HttpClient { BaseAddress = server.BaseUrl };

        var before = Stopwatch.GetTimestamp();
        var stamp = long.Parse(await http.GetStringAsync(new Uri(RawSseServer.ClockPath, UriKind.Relative), Cancel), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(stamp, before, Stopwatch.GetTimestamp());

        var (deferred, dropped, served) = RawSseServer.DecodeServed(await http.GetByteArrayAsync(new Uri(RawSseServer.SendsPath, UriKind.Relative), Cancel));
        Assert.Equal(0, deferred);
        Assert.Equal(0, dropped);
        var one = Assert.Single(served);
        Assert.Equal(5, one.Key);
        Assert.Equal(3, one.Sends.Length);
        Assert.Empty(server.DrainServed());

        using var missing = await http.GetAsync(new Uri("/nowhere", UriKind.Relative), Cancel);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_completion_without_an_integer_key_is_a_bad_request()
    {
        using var server = new RawSseServer(TimeSpan.Zero);
        using var http = new HttpClient { BaseAddress = server.BaseUrl };

        using var response = await http.PostAsync(new Uri("/v1/completions", UriKind.Relative), new StringContent("{\"prompt\":\"hello\",\"max_tokens\":3}"), Cancel);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }

    private static int CountOf(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
            count++;
        return count;
    }
}
