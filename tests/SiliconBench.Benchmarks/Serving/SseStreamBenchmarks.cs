using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using SiliconBench.Running;
using SiliconBench.Serving;

namespace SiliconBench.Benchmarks.Serving;

/// <summary>
/// Client-side cost per streamed chunk: SSE framing, run-clock timestamp and OpenAI JSON parsing, over an
/// in-memory stream, so the load generator's own ceiling is known (the client must not be the bottleneck).
/// <see cref="BytesPerRead"/> 256 delivers about one event per read, as a token-by-token stream does; 16384
/// delivers many per read, as a busy connection does.
/// </summary>
[MemoryDiagnoser]
public class SseStreamBenchmarks
{
    private const int Chunks = 10_000;
    private byte[] _payload = [];
    private OpenAiEndpoint _endpoint = null!;
    private readonly MonotonicClock _clock = new();

    [Params(256, 16384)]
    public int BytesPerRead { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < Chunks; i++)
            sb.Append("data: {\"id\":\"cmpl-8f3a2c\",\"object\":\"text_completion\",\"created\":1732430000,\"model\":\"meta-llama/Llama-3.1-8B-Instruct\",\"choices\":[{\"index\":0,\"text\":\" token")
              .Append(i).Append("\",\"logprobs\":null,\"finish_reason\":null,\"stop_reason\":null}],\"usage\":null}\n\n");
        sb.Append("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1024,\"completion_tokens\":").Append(Chunks).Append(",\"total_tokens\":").Append(Chunks + 1024).Append("}}\n\n");
        sb.Append("data: [DONE]\n\n");
        _payload = Encoding.UTF8.GetBytes(sb.ToString());
        _endpoint = new OpenAiEndpoint(
            new OpenAiEndpointOptions { BaseUrl = new Uri("http://bench.invalid/"), Model = "m", ApiKeyVariable = "SB_BENCH_NO_KEY" },
            new InMemoryHandler(() => new ReadLimitedStream(_payload, BytesPerRead)));
    }

    [GlobalCleanup]
    public void Cleanup() => _endpoint.Dispose();

    /// <summary>SSE reader + timestamp + <see cref="OpenAiStreamEvent.Parse"/>; one operation = one chunk.</summary>
    [Benchmark(OperationsPerInvoke = Chunks)]
    public async Task<int> ReadAndParse()
    {
        using var reader = new SseReader(new ReadLimitedStream(_payload, BytesPerRead), _clock);
        var tokens = 0;
        while (await reader.ReadAsync(CancellationToken.None))
        {
            if (OpenAiStreamEvent.IsDone(reader.Data.Span))
                break;
            tokens += OpenAiStreamEvent.Parse(reader.Data.Span).Pieces;
        }
        return tokens;
    }

    /// <summary>The whole request path through <see cref="OpenAiEndpoint"/> and HttpClient, with the response served from memory.</summary>
    [Benchmark(OperationsPerInvoke = Chunks)]
    public async Task<int> EndpointRequest()
    {
        var outcome = await _endpoint.SendAsync(new ServingRequest { Id = "r-1", InputTokens = 8, OutputTokens = Chunks }, _clock, CancellationToken.None);
        return outcome.OutputTokens;
    }

    private sealed class InMemoryHandler(Func<Stream> body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body()), RequestMessage = request });
    }

    /// <summary>A memory stream that returns at most a fixed number of bytes per read, like packets off a socket.</summary>
    private sealed class ReadLimitedStream(byte[] data, int bytesPerRead) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => data.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(Math.Min(buffer.Length, bytesPerRead), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));
    }
}
