using System.Net.Sockets;

namespace SiliconBench.Serving;

/// <summary>
/// What one attempt of a request saw of its connection: whether the connection had served an earlier request, and
/// how many response bytes arrived. HTTP/1.1 only: there a connection carries one request at a time, and the
/// request is written from the request's own async flow, which is how the connection learns which attempt it is
/// serving. On HTTP/2 the connection's own loops do the writing, no attempt is ever bound, and nothing is retried.
/// </summary>
public sealed class RequestAttempt
{
    private static readonly AsyncLocal<RequestAttempt?> CurrentAttempt = new();

    /// <summary>The attempt whose request is being sent from this async flow, if any.</summary>
    public static RequestAttempt? Current
    {
        get => CurrentAttempt.Value;
        set => CurrentAttempt.Value = value;
    }

    /// <summary>True once the attempt's request was written to a connection.</summary>
    public bool Bound { get; internal set; }

    /// <summary>The connection had carried an earlier request: the server may have closed it while it sat in the pool.</summary>
    public bool ConnectionReused { get; internal set; }

    /// <summary>Response bytes read from the connection after this attempt's request was written.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    private long _bytesReceived;

    internal void AddReceived(int bytes) => Interlocked.Add(ref _bytesReceived, bytes);
}

/// <summary>
/// A connection's stream that tells each <see cref="RequestAttempt"/> whether it reused the connection and how many
/// bytes it received. The handler's <c>ConnectCallback</c> wraps every new connection in one.
/// </summary>
public sealed class TrackedConnectionStream(Stream inner) : Stream
{
    private RequestAttempt? _serving;
    private int _requests;

    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>Opens a TCP connection with the handler's defaults (no Nagle) and wraps it.</summary>
    public static async ValueTask<Stream> ConnectTcpAsync(System.Net.DnsEndPoint endpoint, CancellationToken cancel)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancel).ConfigureAwait(false);
            return new TrackedConnectionStream(new NetworkStream(socket, ownsSocket: true));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void Bind()
    {
        if (RequestAttempt.Current is { } attempt && !ReferenceEquals(attempt, _serving))
        {
            attempt.ConnectionReused = _requests > 0;
            attempt.Bound = true;
            _requests++;
            _serving = attempt;
        }
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        Bind();
        inner.Write(buffer, offset, count);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Bind();
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Bind();
        return inner.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Bind();
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Count(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).ConfigureAwait(false));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    // Bytes count for the request last written on this connection, whichever flow reads them (the pool's read-ahead included).
    private int Count(int n)
    {
        if (n > 0)
            _serving?.AddReceived(n);
        return n;
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
