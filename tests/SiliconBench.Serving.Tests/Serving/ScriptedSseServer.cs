using System.Collections.Concurrent;
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

namespace SiliconBench.Tests.Serving;

/// <summary>What the scripted server does with one request.</summary>
public enum ServerFault
{
    None,
    TooManyRequests,
    ServerError,
    /// <summary>Sends a few tokens, then ends the response cleanly without [DONE].</summary>
    EndBeforeDone,
    /// <summary>Sends a few tokens, then aborts the connection.</summary>
    Abort,
    /// <summary>Starts the stream and never sends a token.</summary>
    Stall,
    /// <summary>Sends a few tokens, then an event whose JSON is cut off.</summary>
    MalformedJson,
    /// <summary>401 whose body echoes the Authorization header, as some servers do.</summary>
    EchoAuthorization,
}

/// <summary>A request as the server saw it.</summary>
public sealed record SeenRequest(string Path, string Protocol, string? Authorization, JsonElement Body);

/// <summary>
/// An OpenAI-compatible server on loopback (Kestrel, port 0) that streams scripted tokens as SSE with controllable
/// delays and faults, and counts how many streams it serves at once.
/// </summary>
public sealed class ScriptedSseServer : IAsyncDisposable
{
    public const int PromptTokens = 17;

    private readonly WebApplication _app;
    private int _requests;
    private int _inFlight;
    private int _maxInFlight;

    private ScriptedSseServer(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;
    public TimeSpan FirstTokenDelay { get; set; } = TimeSpan.FromMilliseconds(5);
    public TimeSpan TokenDelay { get; set; } = TimeSpan.FromMilliseconds(2);
    /// <summary>Fault for the request with this 0-based arrival index.</summary>
    public Func<int, ServerFault> FaultFor { get; set; } = _ => ServerFault.None;
    /// <summary>Puts two tokens' text into each streamed piece; usage still counts every token.</summary>
    public bool PackPairs { get; set; }
    public int FaultAfterTokens { get; set; } = 3;
    /// <summary>Counts the request's prompt tokens for usage, as a real server's tokenizer would; null reports <see cref="PromptTokens"/>.</summary>
    public Func<JsonElement, int>? CountPromptTokens { get; set; }
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);
    public int RequestCount => Volatile.Read(ref _requests);
    public ConcurrentQueue<SeenRequest> Seen { get; } = new();

    /// <summary>Starts on a loopback port, or on the Unix socket <paramref name="unixSocketPath"/> when one is given.</summary>
    public static async Task<ScriptedSseServer> StartAsync(HttpProtocols protocols = HttpProtocols.Http1, string? unixSocketPath = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            if (unixSocketPath is not null)
                k.ListenUnixSocket(unixSocketPath, l => l.Protocols = protocols);
            else
                k.Listen(IPAddress.Loopback, 0, l => l.Protocols = protocols);
        });
        var app = builder.Build();
        var server = new ScriptedSseServer(app);
        app.MapPost("/v1/completions", context => server.HandleAsync(context, chat: false));
        app.MapPost("/v1/chat/completions", context => server.HandleAsync(context, chat: true));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = unixSocketPath is not null ? new Uri("http://localhost/") : new Uri(address.EndsWith('/') ? address : address + "/");
        return server;
    }

    private async Task HandleAsync(HttpContext context, bool chat)
    {
        var index = Interlocked.Increment(ref _requests) - 1;
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var headers = context.Request.Headers;
        Seen.Enqueue(new SeenRequest(context.Request.Path, context.Request.Protocol, headers.Authorization.FirstOrDefault(), body.RootElement.Clone()));
        var fault = FaultFor(index);
        switch (fault)
        {
            case ServerFault.TooManyRequests:
                context.Response.StatusCode = 429;
                await context.Response.WriteAsync("rate limited, retry later");
                return;
            case ServerFault.ServerError:
                context.Response.StatusCode = 500;
                await context.Response.WriteAsync("{\"error\":\"engine crashed\"}");
                return;
            case ServerFault.EchoAuthorization:
                context.Response.StatusCode = 401;
                await context.Response.WriteAsync($"invalid credentials: {headers.Authorization}");
                return;
        }

        var maxTokens = body.RootElement.GetProperty("max_tokens").GetInt32();
        var promptTokens = CountPromptTokens?.Invoke(body.RootElement) ?? PromptTokens;
        var includeUsage = body.RootElement.TryGetProperty("stream_options", out var so) && so.GetProperty("include_usage").GetBoolean();
        var abort = context.RequestAborted;
        var counted = true;
        var now = Interlocked.Increment(ref _inFlight);
        for (var seen = Volatile.Read(ref _maxInFlight); now > seen; seen = Volatile.Read(ref _maxInFlight))
            Interlocked.CompareExchange(ref _maxInFlight, now, seen);
        try
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.StartAsync(abort);
            if (fault == ServerFault.Stall)
                await Task.Delay(Timeout.Infinite, abort);
            if (chat)
                await SendAsync(context, """{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}""");
            var step = PackPairs ? 2 : 1;
            for (var k = 0; k < maxTokens; k += step)
            {
                await Task.Delay(k == 0 ? FirstTokenDelay : TokenDelay, abort);
                if (k >= FaultAfterTokens)
                {
                    switch (fault)
                    {
                        case ServerFault.EndBeforeDone:
                            return;
                        case ServerFault.Abort:
                            context.Abort();
                            return;
                        case ServerFault.MalformedJson:
                            await SendAsync(context, """{"choices":[{"index":0,"text":" tok""");
                            await Task.Delay(Timeout.Infinite, abort);
                            return;
                    }
                }
                var text = string.Concat(Enumerable.Repeat($" t{k}", Math.Min(step, maxTokens - k)));
                await SendAsync(context, chat
                    ? $$"""{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"{{text}}"},"finish_reason":null}]}"""
                    : $$"""{"id":"c","object":"text_completion","choices":[{"index":0,"text":"{{text}}","finish_reason":null}]}""");
            }
            await SendAsync(context, chat
                ? """{"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}"""
                : """{"choices":[{"index":0,"text":"","finish_reason":"length"}]}""");
            if (includeUsage)
                await SendAsync(context, $$$"""{"choices":[],"usage":{"prompt_tokens":{{{promptTokens}}},"completion_tokens":{{{maxTokens}}},"total_tokens":{{{promptTokens + maxTokens}}}}}""");
            // Counted out before [DONE]: a closed-loop client may send its next request the moment [DONE] arrives.
            Interlocked.Decrement(ref _inFlight);
            counted = false;
            await SendAsync(context, "[DONE]");
        }
        catch (OperationCanceledException)
        {
            // The client went away (timeout or cancellation): nothing more to send.
        }
        finally
        {
            if (counted)
                Interlocked.Decrement(ref _inFlight);
        }
    }

    private static async Task SendAsync(HttpContext context, string data)
    {
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes($"data: {data}\n\n"), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
