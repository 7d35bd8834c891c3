using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SiliconBench.Engines;

namespace SiliconBench.Tests.Serving;

/// <summary>
/// An OpenAI-compatible streaming server on loopback whose tokens come from a real engine: each request's
/// token-id prompt is prefilled and decoded step by step, one SSE chunk per generated token, usage at the end.
/// Requests take the engine one at a time (the engine holds one batch); the point is real tokens over real HTTP.
/// </summary>
public sealed class EngineSseServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly IEngine _engine;
    private readonly SemaphoreSlim _engineGate = new(1, 1);

    private EngineSseServer(WebApplication app, IEngine engine) => (_app, _engine) = (app, engine);

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Token ids the engine generated per request, in completion order.</summary>
    public List<int[]> Generated { get; } = [];

    public static async Task<EngineSseServer> StartAsync(IEngine engine)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new EngineSseServer(app, engine);
        app.MapPost("/v1/completions", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.EndsWith('/') ? address : address + "/");
        return server;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var prompt = body.RootElement.GetProperty("prompt").EnumerateArray().Select(t => t.GetInt32()).ToArray();
        var maxTokens = body.RootElement.GetProperty("max_tokens").GetInt32();
        context.Response.ContentType = "text/event-stream";
        await context.Response.StartAsync();
        var tokens = new List<int>(maxTokens);
        await _engineGate.WaitAsync(context.RequestAborted);
        try
        {
            var step = _engine.Prefill([prompt]);
            for (var k = 0; ; k++)
            {
                tokens.Add(step.Tokens[0]);
                await SendAsync(context, $$"""{"object":"text_completion","choices":[{"index":0,"text":" <{{step.Tokens[0]}}>","finish_reason":null}]}""");
                if (k + 1 == maxTokens)
                    break;
                step = _engine.Decode();
            }
        }
        finally
        {
            _engine.EndBatch();
            _engineGate.Release();
        }
        lock (Generated)
            Generated.Add([.. tokens]);
        await SendAsync(context, $$$"""{"choices":[],"usage":{"prompt_tokens":{{{prompt.Length}}},"completion_tokens":{{{tokens.Count}}},"total_tokens":{{{prompt.Length + tokens.Count}}}}}""");
        await SendAsync(context, "[DONE]");
    }

    private static async Task SendAsync(HttpContext context, string data)
    {
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes($"data: {data}\n\n"), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _engineGate.Dispose();
    }
}
