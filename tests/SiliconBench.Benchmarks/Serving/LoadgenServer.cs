using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SiliconBench.Running;

namespace SiliconBench.Benchmarks.Serving;

/// <summary>
/// A deliberately cheap OpenAI-compatible <c>/v1/completions</c> SSE server on loopback (Kestrel, HTTP/1.1) for
/// measuring the load generator end to end. Per chunk it does one clock read, one number format and one
/// flush: the chunk's <c>id</c> carries the send time on the shared run clock in 100 ns units (the client ignores ids), and the
/// same value is kept in <see cref="Sends"/> under the request's key so arrivals can be matched exactly.
/// </summary>
/// <remarks>
/// The request's key travels as the prompt text and comes back as <c>usage.prompt_tokens</c>, so it lands in
/// the runner's own <see cref="SiliconBench.Records.RequestRecord.InputTokens"/> without any change to the
/// client path being measured.
/// </remarks>
internal sealed class LoadgenServer : IAsyncDisposable
{
    private static readonly byte[] ChunkPrefix = "data: {\"id\":\"t"u8.ToArray();
    private static readonly byte[] ChunkSuffix = "\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\" tok\",\"finish_reason\":null}]}\n\n"u8.ToArray();
    private static readonly byte[] Finish = "data: {\"choices\":[{\"index\":0,\"text\":\"\",\"finish_reason\":\"length\"}]}\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    private readonly ITimeSource _clock;
    private WebApplication? _app;
    private int _inFlight;
    private int _maxInFlight;
    private long _requests;

    private LoadgenServer(ITimeSource clock) => _clock = clock;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Pause between a stream's chunks; zero sends back to back (each chunk still flushed on its own).</summary>
    public TimeSpan Interval { get; set; }

    /// <summary>Send times (run clock, seconds) of each request's token chunks, by request key.</summary>
    public ConcurrentDictionary<int, double[]> Sends { get; } = new();

    public int InFlight => Volatile.Read(ref _inFlight);

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Starts the peak count again from the streams open now.</summary>
    public void ResetMaxInFlight() => Volatile.Write(ref _maxInFlight, Volatile.Read(ref _inFlight));

    public static async Task<LoadgenServer> StartAsync(ITimeSource clock, int backlog, int? ioQueues, bool inline)
    {
        var server = new LoadgenServer(clock);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseSockets(o =>
        {
            o.Backlog = backlog;
            // Inline: Kestrel's socket sends run in the flushing thread instead of hopping to an IOQueue thread.
            o.UnsafePreferInlineScheduling = inline;
            if (ioQueues is { } queues)
                o.IOQueueCount = queues;
        });
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxConcurrentConnections = null;
            k.Limits.MinResponseDataRate = null;
            k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        app.Run(server.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        server._app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.EndsWith('/') ? address : address + "/");
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var abort = context.RequestAborted;
        int key, tokens;
        using (var body = await JsonDocument.ParseAsync(context.Request.Body, default, abort).ConfigureAwait(false))
        {
            key = int.Parse(body.RootElement.GetProperty("prompt").GetString()!, NumberStyles.None, CultureInfo.InvariantCulture);
            tokens = body.RootElement.GetProperty("max_tokens").GetInt32();
        }
        Interlocked.Increment(ref _requests);
        var sends = new double[tokens];
        Sends[key] = sends;
        var now = Interlocked.Increment(ref _inFlight);
        for (var seen = Volatile.Read(ref _maxInFlight); now > seen; seen = Volatile.Read(ref _maxInFlight))
            Interlocked.CompareExchange(ref _maxInFlight, now, seen);
        var counted = true;
        try
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.StartAsync(abort).ConfigureAwait(false);
            var writer = context.Response.BodyWriter;
            var interval = Interval;
            for (var j = 0; j < tokens; j++)
            {
                if (interval > TimeSpan.Zero)
                {
                    // The first chunk waits a key-derived fraction of the interval (a TTFT), so streams that start
                    // together do not tick in lockstep and every chunk of a tick land in one burst.
                    var wait = j > 0 ? interval : interval * ((uint)key * 2654435761u % 1000 / 1000.0);
                    await Task.Delay(wait, abort).ConfigureAwait(false);
                }
                var t = _clock.Now;
                sends[j] = t;
                WriteChunk(writer, t);
                var flushed = await writer.FlushAsync(abort).ConfigureAwait(false);
                if (flushed.IsCanceled || flushed.IsCompleted)
                    return;
            }
            writer.Write(Finish);
            Write(writer, $"data: {{\"choices\":[],\"usage\":{{\"prompt_tokens\":{key},\"completion_tokens\":{tokens},\"total_tokens\":{key + tokens}}}}}\n\n");
            // Counted out before [DONE]: a closed-loop client sends its next request the moment [DONE] arrives.
            Interlocked.Decrement(ref _inFlight);
            counted = false;
            writer.Write(Done);
            await writer.FlushAsync(abort).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client went away; nothing more to send.
        }
        finally
        {
            if (counted)
                Interlocked.Decrement(ref _inFlight);
        }
    }

    private static void WriteChunk(PipeWriter writer, double t)
    {
        var span = writer.GetSpan(ChunkPrefix.Length + ChunkSuffix.Length + 32);
        ChunkPrefix.CopyTo(span);
        var n = ChunkPrefix.Length;
        // Integer 100 ns units of the run clock: exact enough, and far cheaper to format than a double.
        if (!((long)(t * 1e7)).TryFormat(span[n..], out var written, default, CultureInfo.InvariantCulture))
            throw new InvalidOperationException("no room for the timestamp");
        n += written;
        ChunkSuffix.CopyTo(span[n..]);
        writer.Advance(n + ChunkSuffix.Length);
    }

    private static void Write(PipeWriter writer, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        writer.Write(bytes);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null)
            return;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
