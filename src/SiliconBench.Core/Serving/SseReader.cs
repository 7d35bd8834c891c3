using System.Buffers;
using System.Runtime.CompilerServices;
using SiliconBench.Running;

namespace SiliconBench.Serving;

/// <summary>The byte stream is not valid server-sent events (or an event is unreasonably large).</summary>
public sealed class SseFormatException(string message) : Exception(message);

/// <summary>
/// Reads server-sent events (the WHATWG "event stream" format) from a byte stream and stamps each event with the
/// run clock at the moment the read that completed it returned, before any parsing, so parsing cost never
/// shifts a token's arrival time. Only <c>data</c> fields are kept; comments and other fields are skipped.
/// </summary>
/// <remarks>
/// Allocation-free per event, also when a read waits on the network: a single-line <c>data</c> value is a slice of the read buffer (valid until the next
/// call), multi-line values are joined in one reused scratch buffer. The buffer grows only for an event larger
/// than it, up to <see cref="MaxEventBytes"/>.
/// </remarks>
public sealed class SseReader : IDisposable
{
    public const int MaxEventBytes = 1 << 20;
    private const int InitialBufferBytes = 8192;

    private readonly Stream _stream;
    private readonly ITimeSource _clock;
    private byte[] _buffer;
    private byte[]? _scratch;
    private int _start;      // first byte of the event being assembled
    private int _lineStart;  // first byte of the line not yet known to be complete
    private int _end;        // one past the last byte read
    private double _readTime;
    private bool _endOfStream;

    public SseReader(Stream stream, ITimeSource clock)
    {
        _stream = stream;
        _clock = clock;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferBytes);
    }

    /// <summary>The current event's data (data lines joined by LF); valid until the next <see cref="ReadAsync"/>.</summary>
    public ReadOnlyMemory<byte> Data { get; private set; }

    /// <summary>Run-clock time at which the current event's last byte had been received.</summary>
    public double Time { get; private set; }

    /// <summary>Bytes left over at end of stream that never formed a complete event (a cut stream).</summary>
    public int TrailingBytes => _endOfStream ? _end - _start : 0;

    /// <summary>Advances to the next event that has data; false at end of stream.</summary>
    /// <remarks>
    /// Awaited once per event, and most calls wait on the network, so the method's state machine is pooled rather
    /// than allocated at every wait (the returned task must be awaited exactly once, as any ValueTask).
    /// </remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> ReadAsync(CancellationToken cancel)
    {
        while (true)
        {
            if (TryTakeEvent())
                return true;
            if (_endOfStream)
                return false;
            MakeRoom();
            var n = await _stream.ReadAsync(_buffer.AsMemory(_end), cancel).ConfigureAwait(false);
            _readTime = _clock.Now;
            if (n == 0)
                _endOfStream = true;
            _end += n;
        }
    }

    private bool TryTakeEvent()
    {
        while (true)
        {
            var pending = _buffer.AsSpan(_lineStart, _end - _lineStart);
            var i = pending.IndexOfAny((byte)'\r', (byte)'\n');
            if (i < 0)
                return false;
            var terminator = 1;
            if (pending[i] == (byte)'\r')
            {
                if (i + 1 < pending.Length)
                    terminator = pending[i + 1] == (byte)'\n' ? 2 : 1;
                else if (!_endOfStream)
                    return false; // a CR at the buffer's end may be half of a CRLF
            }
            var next = _lineStart + i + terminator;
            if (i > 0)
            {
                _lineStart = next;
                continue;
            }
            // A blank line ends the event made of the lines in [_start, _lineStart).
            var hasData = Dispatch(_start, _lineStart);
            _start = _lineStart = next;
            if (hasData)
            {
                Time = _readTime;
                return true;
            }
        }
    }

    private bool Dispatch(int from, int to)
    {
        var lines = _buffer.AsSpan(from, to - from);
        var dataLines = 0;
        var scratchLength = 0;
        var offset = from;
        while (lines.Length > 0)
        {
            var i = lines.IndexOfAny((byte)'\r', (byte)'\n');
            var line = lines[..i];
            var terminator = lines[i] == (byte)'\r' && i + 1 < lines.Length && lines[i + 1] == (byte)'\n' ? 2 : 1;
            if (line.StartsWith("data"u8) && (line.Length == 4 || line[4] == (byte)':'))
            {
                var valueStart = Math.Min(line.Length, 5);
                if (valueStart < line.Length && line[valueStart] == (byte)' ')
                    valueStart++;
                var value = line[valueStart..];
                dataLines++;
                if (dataLines == 1)
                {
                    Data = _buffer.AsMemory(offset + valueStart, value.Length);
                }
                else
                {
                    if (dataLines == 2)
                        scratchLength = Append(0, Data.Span);
                    scratchLength = Append(scratchLength, "\n"u8);
                    scratchLength = Append(scratchLength, value);
                    Data = _scratch.AsMemory(0, scratchLength);
                }
            }
            lines = lines[(i + terminator)..];
            offset += i + terminator;
        }
        return dataLines > 0;
    }

    private int Append(int at, ReadOnlySpan<byte> bytes)
    {
        var needed = at + bytes.Length;
        if (_scratch is null || _scratch.Length < needed)
        {
            var bigger = new byte[Math.Max(needed, Math.Max(256, (_scratch?.Length ?? 0) * 2))];
            _scratch?.AsSpan(0, at).CopyTo(bigger);
            _scratch = bigger;
        }
        bytes.CopyTo(_scratch.AsSpan(at));
        return needed;
    }

    private void MakeRoom()
    {
        if (_start == _end)
        {
            _start = _lineStart = _end = 0;
            return;
        }
        if (_end < _buffer.Length)
            return;
        if (_start > 0)
        {
            var kept = _end - _start;
            _buffer.AsSpan(_start, kept).CopyTo(_buffer);
            _lineStart -= _start;
            _end = kept;
            _start = 0;
            return;
        }
        if (_buffer.Length >= MaxEventBytes)
            throw new SseFormatException($"an event is larger than {MaxEventBytes} bytes without ending (no blank line)");
        var grown = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
        _buffer.AsSpan(0, _end).CopyTo(grown);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = grown;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
            ArrayPool<byte>.Shared.Return(buffer);
    }
}
