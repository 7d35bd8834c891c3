using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
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

namespace SiliconBench.Benchmarks.Serving;

/// <summary>
/// The first loadgen fixture, kept for comparison: an OpenAI-compatible <c>/v1/completions</c> SSE server on
/// loopback (Kestrel, HTTP/1.1) in the client's own process, one <see cref="Task.Delay(TimeSpan)"/> timer and one
/// flush per chunk. Each chunk's send time (a raw <see cref="Stopwatch"/> timestamp) is logged under the request's
/// key, as <see cref="RawSseServer"/> does, so both are measured the same way.
/// </summary>
/// <remarks>
/// The request's key travels as the prompt text and comes back as <c>usage.prompt_tokens</c>, so it lands in
/// the runner's own <see cref="SiliconBench.Records.RequestRecord.InputTokens"/> without any change to the
/// client path being measured.
/// </remarks>
internal sealed class LoadgenServer : ILoadgenFixture
{
    private static readonly byte[] TokenEvent = Encoding.UTF8.GetBytes(LoadgenChunks.TokenEvent);
    private static readonly byte[] Finish = Encoding.UTF8.GetBytes(LoadgenChunks.FinishEvent);
    private static readonly byte[] Done = Encoding.UTF8.GetBytes(LoadgenChunks.DoneEvent);

    private readonly ConcurrentQueue<ServedRequest> _served = new();
    private WebApplication? _app;
    private string _options = "";

    private LoadgenServer()
    {
    }

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Pause between a stream's chunks; zero sends back to back (each chunk still flushed on its own).</summary>
    public TimeSpan Interval { get; set; }

    public string Description => $"Kestrel in the client's process ({_options}), {BaseUrl}";

    public Process? ServerProcess => null;

    public Task<FixtureLog> CollectAsync()
    {
        var list = new List<ServedRequest>(_served.Count);
        while (_served.TryDequeue(out var served))
            list.Add(served);
        return Task.FromResult(new FixtureLog(0, 0, list));
    }

    public static async Task<LoadgenServer> StartAsync(TimeSpan interval, int backlog, int? ioQueues, bool inline)
    {
        var server = new LoadgenServer { Interval = interval, _options = $"backlog {backlog}, inline sends {inline}, IO queues {ioQueues?.ToString(CultureInfo.InvariantCulture) ?? "default"}" };
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
        var accepted = Stopwatch.GetTimestamp();
        int key, tokens;
        using (var body = await JsonDocument.ParseAsync(context.Request.Body, default, abort).ConfigureAwait(false))
        {
            key = int.Parse(body.RootElement.GetProperty("prompt").GetString()!, NumberStyles.None, CultureInfo.InvariantCulture);
            tokens = body.RootElement.GetProperty("max_tokens").GetInt32();
        }
        var sends = new long[tokens];
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
                sends[j] = Stopwatch.GetTimestamp();
                writer.Write(TokenEvent);
                var flushed = await writer.FlushAsync(abort).ConfigureAwait(false);
                if (flushed.IsCanceled || flushed.IsCompleted)
                    return;
            }
            writer.Write(Finish);
            writer.Write(Encoding.UTF8.GetBytes(LoadgenChunks.UsageEvent(key, tokens)));
            // Logged before [DONE]: a closed-loop client sends its next request the moment [DONE] arrives.
            _served.Enqueue(new ServedRequest(key, accepted, Stopwatch.GetTimestamp(), sends));
            writer.Write(Done);
            await writer.FlushAsync(abort).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client went away; nothing more to send.
        }
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
