using System.Text;
using SiliconBench.Running;
using SiliconBench.Serving;
using Xunit;

namespace SiliconBench.Tests.Serving;

public class SseReaderTests
{
    /// <summary>What a read-only, forward-only test stream leaves unsupported.</summary>
    private abstract class ReadOnlyStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Returns the given segments one per read, like a network stream delivering packets.</summary>
    private sealed class SegmentedStream(IEnumerable<byte[]> segments) : ReadOnlyStream
    {
        private readonly Queue<byte[]> _segments = new(segments);

        public int Reads { get; private set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            Reads++;
            if (_segments.Count == 0)
                return 0;
            var next = _segments.Dequeue();
            var n = Math.Min(count, next.Length);
            next.AsSpan(0, n).CopyTo(buffer.AsSpan(offset));
            if (n < next.Length)
            {
                // The rest comes with the next read, ahead of the later segments.
                var rest = new Queue<byte[]>([next[n..], .. _segments]);
                _segments.Clear();
                foreach (var s in rest)
                    _segments.Enqueue(s);
            }
            return n;
        }
    }

    /// <summary>A clock whose time is the number of reads the stream has served, so each event's time names the read that completed it.</summary>
    private sealed class ReadCountClock(SegmentedStream stream) : ITimeSource
    {
        public double Now => stream.Reads;
    }

    private static async Task<List<(string Data, double Time)>> ReadAll(params string[] segments)
    {
        var stream = new SegmentedStream(segments.Select(Encoding.UTF8.GetBytes));
        using var reader = new SseReader(stream, new ReadCountClock(stream));
        var events = new List<(string, double)>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            events.Add((Encoding.UTF8.GetString(reader.Data.Span), reader.Time));
        return events;
    }

    [Fact]
    public async Task Each_event_is_stamped_with_the_read_that_completed_it()
    {
        var events = await ReadAll("data: a\n\ndata: b", "\n", "\ndata: c\n\n");
        Assert.Equal([("a", 1.0), ("b", 3.0), ("c", 3.0)], events);
    }

    [Fact]
    public async Task Events_split_at_every_byte_are_reassembled()
    {
        const string text = "data: {\"x\":1}\r\n\r\n: comment\r\ndata: two\rdata: lines\r\rdata:[DONE]\n\n";
        var bytes = Encoding.UTF8.GetBytes(text);
        var stream = new SegmentedStream(bytes.Select(b => new[] { b }));
        using var reader = new SseReader(stream, new ReadCountClock(stream));
        var data = new List<string>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            data.Add(Encoding.UTF8.GetString(reader.Data.Span));
        Assert.Equal(["{\"x\":1}", "two\nlines", "[DONE]"], data);
    }

    [Fact]
    public async Task Fields_other_than_data_and_events_without_data_are_skipped()
    {
        var events = await ReadAll("event: ping\nid: 7\n\n: keep-alive\n\nretry: 10\ndata:x\n\n");
        Assert.Equal(["x"], events.Select(e => e.Data));
    }

    [Fact]
    public async Task An_unfinished_event_at_end_of_stream_is_not_delivered()
    {
        var stream = new SegmentedStream([Encoding.UTF8.GetBytes("data: a\n\ndata: half")]);
        using var reader = new SseReader(stream, new ReadCountClock(stream));
        Assert.True(await reader.ReadAsync(TestContext.Current.CancellationToken));
        Assert.False(await reader.ReadAsync(TestContext.Current.CancellationToken));
        Assert.Equal("data: half".Length, reader.TrailingBytes);
    }

    /// <summary>Completes every read later, on another thread, so every ReadAsync really waits.</summary>
    private sealed class YieldingStream(byte[] data, int bytesPerRead) : ReadOnlyStream
    {
        private int _position;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            var n = Math.Min(Math.Min(buffer.Length, bytesPerRead), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer.Span);
            _position += n;
            return n;
        }
    }

    [Fact]
    public async Task Readers_that_wait_on_every_read_interleave_without_mixing_events()
    {
        // ReadAsync's state machine is pooled: two readers suspended over and over must each keep their own state.
        static byte[] Stream(string name) => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 200).Select(i => $"data: {name}{i}\n\n")));
        async Task<List<string>> ReadAllOf(byte[] bytes, int bytesPerRead)
        {
            using var reader = new SseReader(new YieldingStream(bytes, bytesPerRead), new MonotonicClock());
            var events = new List<string>();
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
                events.Add(Encoding.UTF8.GetString(reader.Data.Span));
            return events;
        }

        var both = await Task.WhenAll(ReadAllOf(Stream("a"), 7), ReadAllOf(Stream("b"), 11));

        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"a{i}"), both[0]);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"b{i}"), both[1]);
    }

    [Fact]
    public async Task Events_larger_than_the_initial_buffer_grow_it()
    {
        var big = new string('x', 50_000);
        var events = await ReadAll($"data: {big[..20_000]}", $"{big[20_000..]}\n\n");
        Assert.Equal(big, Assert.Single(events).Data);
    }

    [Fact]
    public async Task A_stream_that_never_ends_an_event_is_malformed()
    {
        var stream = new SegmentedStream(Enumerable.Range(0, 300).Select(_ => Encoding.UTF8.GetBytes(new string('x', 8000))));
        using var reader = new SseReader(stream, new ReadCountClock(stream));
        await Assert.ThrowsAsync<SseFormatException>(async () => await reader.ReadAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Stream_events_count_pieces_and_read_usage_and_errors()
    {
        var piece = OpenAiStreamEvent.Parse("""{"id":"x","choices":[{"index":0,"text":"hi","logprobs":null,"finish_reason":null}]}"""u8);
        Assert.Equal(new OpenAiStreamEvent(1, null, null, null), piece);
        var chat = OpenAiStreamEvent.Parse("""{"choices":[{"delta":{"role":"assistant","content":""}},{"delta":{"reasoning_content":"\u00e9"}}]}"""u8);
        Assert.Equal(1, chat.Pieces);
        var usage = OpenAiStreamEvent.Parse("""{"choices":[],"usage":{"prompt_tokens":5,"total_tokens":12,"completion_tokens":7}}"""u8);
        Assert.Equal(new OpenAiStreamEvent(0, 5, 7, null), usage);
        Assert.Equal("boom", OpenAiStreamEvent.Parse("""{"error":{"message":"boom","code":500}}"""u8).Error);
        // llama.cpp's last event: the prefix-cache count in the usage, and its own timings beside it.
        var last = OpenAiStreamEvent.Parse("""{"choices":[],"usage":{"completion_tokens":5,"prompt_tokens":9,"prompt_tokens_details":{"cached_tokens":4,"audio_tokens":0}},"timings":{"cache_n":4,"prompt_n":5,"predicted_per_token_ms":0.29875,"note":"x"}}"""u8);
        Assert.Equal((9, 5, 4), (last.PromptTokens, last.CompletionTokens, last.CachedTokens));
        Assert.Equal(new Dictionary<string, double> { ["cache_n"] = 4, ["prompt_n"] = 5, ["predicted_per_token_ms"] = 0.29875 }, last.Timings);
        Assert.Null(usage.CachedTokens);
        Assert.Equal("bad", OpenAiStreamEvent.Parse("""{"object":"error","message":"bad"}"""u8).Error);
        Assert.True(OpenAiStreamEvent.IsDone("[DONE]"u8));
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => OpenAiStreamEvent.Parse("""{"choices":[{"text":"x"""u8));
    }
}
