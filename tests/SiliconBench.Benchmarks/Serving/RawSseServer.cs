using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace SiliconBench.Benchmarks.Serving;

/// <summary>
/// A lean OpenAI-compatible <c>/v1/completions</c> SSE server on raw sockets, so the load generator's end-to-end
/// figures measure the client rather than the fixture. HTTP/1.1 keep-alive; the request's <c>prompt</c> text is an
/// integer key (it comes back as <c>usage.prompt_tokens</c>) and <c>max_tokens</c> the number of token chunks.
/// </summary>
/// <remarks>
/// Every stream's chunks are paced by ONE thread from one schedule (a priority queue on due time): a stream's
/// first chunk is due a key-derived fraction of the interval after its request arrived, so phases spread
/// uniformly and a tick is never a burst; then one chunk every interval. A chunk is a constant, preformatted
/// chunked-encoding SSE event written with one non-blocking synchronous send: no formatting, no allocation, no
/// flush machinery per chunk. The send time (a raw <see cref="Stopwatch.GetTimestamp"/>, CLOCK_MONOTONIC on
/// Linux and so comparable across processes) is logged per chunk and handed back by <c>GET /loadgen/sends</c>.
/// A send that the kernel cannot take whole (the client is not reading) keeps its remainder and defers the
/// stream's next chunk until it is written: backpressure, counted, never an unbounded buffer.
/// </remarks>
internal sealed class RawSseServer : IDisposable
{
    public const string SendsPath = "/loadgen/sends";
    public const string ClockPath = "/loadgen/clock";

    private static readonly byte[] ResponseHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n"u8.ToArray();
    private static readonly byte[] TokenChunk = HttpChunk(LoadgenChunks.TokenEvent);
    private static readonly byte[] NotFound = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"u8.ToArray();
    private static readonly byte[] BadRequest = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray();
    private static readonly long RetryTicks = Stopwatch.Frequency / 10_000; // 100 µs between tries of a deferred send
    private static readonly long IdlePollTicks = Stopwatch.Frequency / 1_000;

    private readonly Socket _listener;
    private readonly long _intervalTicks;
    private readonly ConcurrentQueue<Connection> _arrivals = new();
    private readonly ConcurrentQueue<ServedRequest> _served = new();
    private readonly PriorityQueue<Connection, long> _schedule = new(8192);
    private readonly Thread _pacer;
    private readonly CancellationTokenSource _stop = new();
    private long _deferredSends;
    private long _droppedStreams;

    /// <summary>The URL requests name when they go over a Unix socket (the socket, not the host, says where).</summary>
    public static readonly Uri UnixBaseUrl = new("http://localhost/");

    /// <summary>Listens on a loopback TCP port, or on the Unix socket <paramref name="unixSocketPath"/> (replacing a stale file).</summary>
    public RawSseServer(TimeSpan interval, int backlog = 8192, string? unixSocketPath = null)
    {
        _intervalTicks = (long)(interval.TotalSeconds * Stopwatch.Frequency);
        if (unixSocketPath is not null)
        {
            File.Delete(unixSocketPath);
            _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            _listener.Bind(new UnixDomainSocketEndPoint(unixSocketPath));
            UnixSocketPath = unixSocketPath;
            BaseUrl = UnixBaseUrl;
        }
        else
        {
            _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}/");
        }
        _listener.Listen(backlog);
        _pacer = new Thread(PaceLoop) { IsBackground = true, Name = "loadgen pacer" };
        _pacer.Start();
        _ = AcceptLoopAsync();
    }

    public Uri BaseUrl { get; }

    public string? UnixSocketPath { get; }

    /// <summary>Where it listens, as the harness reports it: the URL, or <c>unix:PATH</c>.</summary>
    public string Address => UnixSocketPath is { } path ? $"unix:{path}" : BaseUrl.ToString();

    /// <summary>Sends the kernel could not take whole at once; each deferred its stream's next chunk.</summary>
    public long DeferredSends => Interlocked.Read(ref _deferredSends);

    /// <summary>Streams whose connection failed or closed before their last chunk.</summary>
    public long DroppedStreams => Interlocked.Read(ref _droppedStreams);

    /// <summary>Takes the log of every request finished since the last call.</summary>
    public List<ServedRequest> DrainServed()
    {
        var list = new List<ServedRequest>(_served.Count);
        while (_served.TryDequeue(out var served))
            list.Add(served);
        return list;
    }

    private static byte[] HttpChunk(string payload)
    {
        var bytes = Encoding.UTF8.GetBytes(payload);
        return [.. Encoding.ASCII.GetBytes(bytes.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"), .. bytes, .. "\r\n"u8];
    }

    /// <summary>The finish event, the usage event that carries the key back, [DONE] and the last HTTP chunk.</summary>
    private static byte[] Tail(int key, int tokens) =>
        [.. HttpChunk(LoadgenChunks.FinishEvent), .. HttpChunk(LoadgenChunks.UsageEvent(key, tokens)), .. HttpChunk(LoadgenChunks.DoneEvent), .. "0\r\n\r\n"u8];

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            if (socket.AddressFamily != AddressFamily.Unix)
                socket.NoDelay = true; // Unix sockets have no Nagle to turn off
            // Sends never block the pacer; receives stay async (the runtime's engine handles those either way).
            socket.Blocking = false;
            _ = new Connection(this, socket).ServeAsync();
        }
    }

    /// <summary>The one pacing thread: sends every stream's chunks at their due times, sleeping in between.</summary>
    private void PaceLoop()
    {
        PreciseSleep.TightenTimerSlack();
        while (!_stop.IsCancellationRequested)
        {
            var now = Stopwatch.GetTimestamp();
            while (_arrivals.TryDequeue(out var arrived))
                Begin(arrived, now);
            if (!_schedule.TryPeek(out var connection, out var due))
            {
                PreciseSleep.Until(now + IdlePollTicks);
                continue;
            }
            if (due > now)
            {
                // Woken early at most by the idle poll, so a new request's first chunk never waits long.
                PreciseSleep.Until(Math.Min(due, now + IdlePollTicks));
                continue;
            }
            _schedule.Dequeue();
            Advance(connection, due);
        }
    }

    private void Begin(Connection c, long now)
    {
        if (!c.TrySend(ResponseHead))
        {
            Drop(c);
            return;
        }
        // The golden-ratio sequence of the keys spreads first chunks (and so all later ones) evenly over the interval.
        var phase = (long)(_intervalTicks * (c.Key * 0.6180339887498949 % 1.0));
        _schedule.Enqueue(c, now + phase);
    }

    private void Advance(Connection c, long due)
    {
        if (c.Closed)
        {
            Drop(c);
            return;
        }
        if (c.HasPending)
        {
            if (!c.TryFlushPending())
            {
                Drop(c);
                return;
            }
            if (c.HasPending)
            {
                _schedule.Enqueue(c, Stopwatch.GetTimestamp() + RetryTicks);
                return;
            }
            if (c.TailSent)
                return;
        }
        if (c.Sent < c.Tokens)
        {
            var stamp = Stopwatch.GetTimestamp();
            c.Stamps[c.Sent++] = stamp;
            if (!c.TrySend(TokenChunk))
            {
                Drop(c);
                return;
            }
            if (c.HasPending)
                Interlocked.Increment(ref _deferredSends);
            // The schedule keeps its own cadence (due + interval), so a late tick does not shift the next one;
            // interval 0 saturates: every stream again as soon as the others had their turn.
            var next = _intervalTicks > 0 ? due + _intervalTicks : stamp;
            if (c.Sent < c.Tokens)
            {
                _schedule.Enqueue(c, next);
                return;
            }
        }
        // Last token sent: the tail goes out at once, and the request is logged before the client can send its next.
        c.Finish(Stopwatch.GetTimestamp());
        if (!c.TrySend(c.Tail))
        {
            Drop(c);
            return;
        }
        if (c.HasPending)
            _schedule.Enqueue(c, Stopwatch.GetTimestamp() + RetryTicks);
    }

    private void Drop(Connection c)
    {
        if (c.Sent < c.Tokens)
            Interlocked.Increment(ref _droppedStreams);
        c.Close();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        if (UnixSocketPath is { } path)
            File.Delete(path);
        _pacer.Join(TimeSpan.FromSeconds(2));
        _stop.Dispose();
    }

    /// <summary>
    /// One keep-alive connection: its receive loop parses requests (async, once per request) and hands streams to
    /// the pacer, which alone sends on it.
    /// </summary>
    private sealed class Connection(RawSseServer server, Socket socket)
    {
        private const int MaxRequestBytes = 64 * 1024;
        private byte[] _receive = new byte[4096];
        private int _received;
        private byte[] _pending = new byte[1024];
        private int _pendingStart;
        private int _pendingEnd;
        private byte[] _tail = [];
        private long _accepted;
        private volatile bool _closed;

        public int Key { get; private set; }

        public int Tokens { get; private set; }

        public int Sent { get; set; }

        public long[] Stamps { get; private set; } = [];

        public bool Closed => _closed;

        public bool HasPending => _pendingEnd > _pendingStart;

        public async Task ServeAsync()
        {
            try
            {
                while (true)
                {
                    var request = await ReadRequestAsync().ConfigureAwait(false);
                    if (request is not { } r)
                        break;
                    if (r.Method == "POST" && r.Path == "/v1/completions" && TryParseCompletion(r.Body, out var key, out var tokens))
                    {
                        Key = key;
                        Tokens = tokens;
                        Sent = 0;
                        TailSent = false;
                        Stamps = new long[tokens];
                        _tail = Tail(key, tokens);
                        _accepted = Stopwatch.GetTimestamp();
                        // The client sends its next request only after this stream's [DONE], so the pacer owns the socket's sends until then.
                        server._arrivals.Enqueue(this);
                    }
                    else if (r.Method == "GET" && r.Path == SendsPath)
                    {
                        await socket.SendAsync(server.EncodeServed(), SocketFlags.None).ConfigureAwait(false);
                    }
                    else if (r.Method == "GET" && r.Path == ClockPath)
                    {
                        var text = Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture);
                        await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {text.Length}\r\n\r\n{text}"), SocketFlags.None).ConfigureAwait(false);
                    }
                    else if (r.Method == "POST")
                    {
                        await socket.SendAsync(BadRequest, SocketFlags.None).ConfigureAwait(false);
                        break;
                    }
                    else
                    {
                        await socket.SendAsync(NotFound, SocketFlags.None).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or FormatException or OverflowException)
            {
                // A broken or malformed connection just ends; the pacer drops a stream it was serving.
            }
            Close();
        }

        /// <summary>The next request on the connection; null once the client has closed it.</summary>
        private async Task<(string Method, string Path, byte[] Body)?> ReadRequestAsync()
        {
            while (true)
            {
                var headEnd = _receive.AsSpan(0, _received).IndexOf("\r\n\r\n"u8);
                if (headEnd >= 0)
                {
                    var head = Encoding.ASCII.GetString(_receive, 0, headEnd);
                    var lines = head.Split("\r\n");
                    var requestLine = lines[0].Split(' ');
                    if (requestLine.Length < 3)
                        return null;
                    var length = 0;
                    foreach (var line in lines.AsSpan(1))
                    {
                        var colon = line.IndexOf(':', StringComparison.Ordinal);
                        if (colon > 0 && line.AsSpan(0, colon).Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                            length = int.Parse(line.AsSpan(colon + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
                    }
                    var total = headEnd + 4 + length;
                    if (total > MaxRequestBytes)
                        return null;
                    if (_received >= total)
                    {
                        var body = _receive.AsSpan(headEnd + 4, length).ToArray();
                        _receive.AsSpan(total, _received - total).CopyTo(_receive);
                        _received -= total;
                        return (requestLine[0], requestLine[1], body);
                    }
                    if (_receive.Length < total)
                        Array.Resize(ref _receive, total);
                }
                else if (_received == _receive.Length)
                {
                    if (_receive.Length >= MaxRequestBytes)
                        return null;
                    Array.Resize(ref _receive, _receive.Length * 2);
                }
                var n = await socket.ReceiveAsync(_receive.AsMemory(_received), SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                    return null;
                _received += n;
            }
        }

        private static bool TryParseCompletion(byte[] body, out int key, out int tokens)
        {
            key = -1;
            tokens = -1;
            try
            {
                var reader = new Utf8JsonReader(body);
                while (reader.Read())
                {
                    if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1)
                        continue;
                    if (reader.ValueTextEquals("prompt"u8) && reader.Read() && reader.TokenType == JsonTokenType.String)
                        key = int.TryParse(reader.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var k) ? k : -1;
                    else if (reader.ValueTextEquals("max_tokens"u8) && reader.Read() && reader.TokenType == JsonTokenType.Number)
                        tokens = reader.TryGetInt32(out var t) ? t : -1;
                }
            }
            catch (JsonException)
            {
                return false;
            }
            return key >= 0 && tokens > 0;
        }

        /// <summary>One non-blocking send; a remainder the kernel did not take is kept. False when the connection is gone.</summary>
        public bool TrySend(ReadOnlySpan<byte> bytes)
        {
            if (_closed)
                return false;
            int sent;
            try
            {
                socket.Blocking = false;
                sent = socket.Send(bytes, SocketFlags.None, out var error);
                if (error == SocketError.WouldBlock)
                    sent = 0;
                else if (error != SocketError.Success)
                    return false;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
            if (sent < bytes.Length)
            {
                var rest = bytes[sent..];
                if (_pending.Length < rest.Length)
                    _pending = new byte[rest.Length];
                rest.CopyTo(_pending);
                _pendingStart = 0;
                _pendingEnd = rest.Length;
            }
            return true;
        }

        public bool TryFlushPending()
        {
            var rest = _pending.AsSpan(_pendingStart, _pendingEnd - _pendingStart);
            _pendingStart = _pendingEnd = 0;
            return TrySend(rest);
        }

        public byte[] Tail => _tail;

        public bool TailSent { get; private set; }

        public void Finish(long done)
        {
            TailSent = true;
            server._served.Enqueue(new ServedRequest(Key, _accepted, done, Stamps));
        }

        /// <summary>Idempotent, and safe while the pacer is sending: a send on the disposed socket just fails.</summary>
        public void Close()
        {
            _closed = true;
            socket.Dispose();
        }
    }

    /// <summary>
    /// The log as little-endian binary: deferred sends, dropped streams, request count, then per request its key,
    /// chunk count, accept and finish stamps and one send stamp per chunk.
    /// </summary>
    private byte[] EncodeServed()
    {
        var served = DrainServed();
        var bodyLength = 8 + 8 + 4 + served.Sum(s => 4 + 4 + 8 + 8 + 8 * s.Sends.Length);
        var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {bodyLength}\r\n\r\n");
        var bytes = new byte[head.Length + bodyLength];
        head.CopyTo(bytes, 0);
        var span = bytes.AsSpan(head.Length);
        BinaryPrimitives.WriteInt64LittleEndian(span, DeferredSends);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], DroppedStreams);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], served.Count);
        var at = 20;
        foreach (var s in served)
        {
            BinaryPrimitives.WriteInt32LittleEndian(span[at..], s.Key);
            BinaryPrimitives.WriteInt32LittleEndian(span[(at + 4)..], s.Sends.Length);
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 8)..], s.Accepted);
            BinaryPrimitives.WriteInt64LittleEndian(span[(at + 16)..], s.Done);
            at += 24;
            foreach (var stamp in s.Sends)
            {
                BinaryPrimitives.WriteInt64LittleEndian(span[at..], stamp);
                at += 8;
            }
        }
        return bytes;
    }

    /// <summary>Reads what <c>GET /loadgen/sends</c> returns.</summary>
    public static (long DeferredSends, long DroppedStreams, List<ServedRequest> Served) DecodeServed(ReadOnlySpan<byte> body)
    {
        var deferred = BinaryPrimitives.ReadInt64LittleEndian(body);
        var dropped = BinaryPrimitives.ReadInt64LittleEndian(body[8..]);
        var count = BinaryPrimitives.ReadInt32LittleEndian(body[16..]);
        var served = new List<ServedRequest>(count);
        var at = 20;
        for (var i = 0; i < count; i++)
        {
            var key = BinaryPrimitives.ReadInt32LittleEndian(body[at..]);
            var n = BinaryPrimitives.ReadInt32LittleEndian(body[(at + 4)..]);
            var accepted = BinaryPrimitives.ReadInt64LittleEndian(body[(at + 8)..]);
            var done = BinaryPrimitives.ReadInt64LittleEndian(body[(at + 16)..]);
            at += 24;
            var sends = new long[n];
            for (var j = 0; j < n; j++, at += 8)
                sends[j] = BinaryPrimitives.ReadInt64LittleEndian(body[at..]);
            served.Add(new ServedRequest(key, accepted, done, sends));
        }
        return (deferred, dropped, served);
    }
}

/// <summary>What a fixture server did for one request: raw <see cref="Stopwatch"/> stamps of its arrival, its end and each chunk's send.</summary>
internal sealed record ServedRequest(int Key, long Accepted, long Done, long[] Sends);
