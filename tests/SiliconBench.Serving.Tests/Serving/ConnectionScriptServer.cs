using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SiliconBench.Tests.Serving;

/// <summary>What the server does with one request on one connection.</summary>
public enum ConnectionAction
{
    /// <summary>Streams <see cref="ConnectionScriptServer.Tokens"/> tokens, usage and [DONE], and keeps the connection open.</summary>
    Respond,
    /// <summary>Closes the connection without a byte of response (as a server that closed it while idle, racing the request).</summary>
    CloseBeforeResponse,
    /// <summary>Sends part of the status line, then closes.</summary>
    CloseInHeaders,
    /// <summary>Sends the headers and two tokens, then closes.</summary>
    CloseMidStream,
}

/// <summary>
/// An HTTP/1.1 server on raw sockets whose every connection follows a script: for the n-th request on the m-th
/// connection it responds (keeping the connection alive) or closes at a chosen moment. It makes the race of a
/// server that announces keep-alive but closes after each stream (llama.cpp's) deterministic.
/// </summary>
public sealed class ConnectionScriptServer : IAsyncDisposable
{
    public const int Tokens = 3;
    public const int PromptTokens = 11;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private int _connections;
    private int _requests;

    public ConnectionScriptServer(Func<int, int, ConnectionAction> script)
    {
        Script = script;
        _listener.Start();
        BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accept = AcceptAsync();
    }

    public Uri BaseUrl { get; }

    /// <summary>(connection index, request index on that connection) → what to do; both 0-based.</summary>
    public Func<int, int, ConnectionAction> Script { get; }

    public int Connections => Volatile.Read(ref _connections);

    public int Requests => Volatile.Read(ref _requests);

    private async Task AcceptAsync()
    {
        var handlers = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                var index = Interlocked.Increment(ref _connections) - 1;
                handlers.Add(ServeAsync(client, index));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
        await Task.WhenAll(handlers);
    }

    private async Task ServeAsync(TcpClient client, int connection)
    {
        using var _ = client;
        var stream = client.GetStream();
        var buffer = new List<byte>();
        try
        {
            for (var request = 0; ; request++)
            {
                if (!await ReadRequestAsync(stream, buffer))
                    return;
                Interlocked.Increment(ref _requests);
                switch (Script(connection, request))
                {
                    case ConnectionAction.CloseBeforeResponse:
                        return;
                    case ConnectionAction.CloseInHeaders:
                        await stream.WriteAsync("HTTP/1.1 2"u8.ToArray(), _stop.Token);
                        return;
                    case ConnectionAction.CloseMidStream:
                        await WriteResponseAsync(stream, tokens: 2, finish: false);
                        return;
                    default:
                        await WriteResponseAsync(stream, Tokens, finish: true);
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
        {
        }
    }

    /// <summary>Reads one request (headers and a Content-Length body); false when the client closed the connection.</summary>
    private async Task<bool> ReadRequestAsync(NetworkStream stream, List<byte> pending)
    {
        var chunk = new byte[4096];
        while (true)
        {
            var text = Encoding.ASCII.GetString([.. pending]);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var length = 0;
                foreach (var line in text[..end].Split("\r\n"))
                {
                    if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                        length = int.Parse(line["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
                }
                if (pending.Count >= end + 4 + length)
                {
                    pending.RemoveRange(0, end + 4 + length);
                    return true;
                }
            }
            var n = await stream.ReadAsync(chunk, _stop.Token);
            if (n == 0)
                return false;
            pending.AddRange(chunk.AsSpan(0, n));
        }
    }

    private async Task WriteResponseAsync(NetworkStream stream, int tokens, bool finish)
    {
        var head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
        for (var i = 0; i < tokens; i++)
            await WriteChunkAsync(stream, $"data: {{\"choices\":[{{\"index\":0,\"text\":\"t{i}\"}}]}}\n\n");
        if (!finish)
            return;
        await WriteChunkAsync(stream, $"data: {{\"choices\":[],\"usage\":{{\"prompt_tokens\":{PromptTokens},\"completion_tokens\":{tokens}}}}}\n\n");
        await WriteChunkAsync(stream, "data: [DONE]\n\n");
        await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), _stop.Token);
    }

    private async Task WriteChunkAsync(NetworkStream stream, string data)
    {
        var bytes = Encoding.UTF8.GetBytes(data);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{bytes.Length:x}\r\n"), _stop.Token);
        await stream.WriteAsync(bytes, _stop.Token);
        await stream.WriteAsync("\r\n"u8.ToArray(), _stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accept;
        _stop.Dispose();
    }
}
