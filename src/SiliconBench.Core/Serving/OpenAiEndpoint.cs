using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using SiliconBench.Planning;
using SiliconBench.Records;
using SiliconBench.Running;

namespace SiliconBench.Serving;

/// <summary>
/// The <c>openai</c> endpoint backend: streams <c>/v1/completions</c> or <c>/v1/chat/completions</c> from an
/// OpenAI-compatible server (vLLM, SGLang, TensorRT-LLM, TGI, llama.cpp, …) and timestamps every streamed event
/// on the run clock as its bytes arrive. One <see cref="HttpClient"/> with an unbounded connection pool serves
/// every concurrent stream.
/// </summary>
public sealed class OpenAiEndpoint : IRequestBackend, IDisposable
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");
    private static readonly MediaTypeWithQualityHeaderValue EventStream = new("text/event-stream");

    // Common words that are one token in the usual BPE vocabularies, for prompts synthesized as text.
    private static readonly string[] Words =
    [
        " the", " of", " and", " to", " in", " is", " that", " for", " it", " as", " was", " with", " be", " by",
        " on", " not", " he", " this", " are", " or", " his", " from", " at", " which", " but", " have", " an",
        " had", " they", " you", " were", " their", " one", " all", " we", " can", " her", " has", " there",
        " been", " if", " more", " when", " will", " would", " who", " so", " no", " time", " people", " year",
    ];

    private readonly OpenAiEndpointOptions _options;
    private readonly HttpClient _http;
    private readonly string? _apiKey;
    private readonly Uri _uri;
    private HttpClient? _fresh;

    /// <summary>Creates the endpoint; the API key is read once from the environment variable the options name.</summary>
    public OpenAiEndpoint(OpenAiEndpointOptions options, HttpMessageHandler? handler = null)
    {
        _options = options;
        _uri = options.RequestUri;
        var key = Environment.GetEnvironmentVariable(options.ApiKeyVariable);
        _apiKey = string.IsNullOrEmpty(key) ? null : key;
        _http = new HttpClient(handler ?? CreateHandler(options), disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan, // per-request timeouts are ours, so they can be recorded as such
        };
    }

    public OpenAiEndpointOptions Options => _options;

    /// <summary>Whether an API key was found (never the key itself).</summary>
    public bool HasApiKey => _apiKey is not null;

    /// <summary>
    /// A handler sized for thousands of concurrent streams: no per-server connection cap, several HTTP/2 connections;
    /// connections go to the Unix socket when the options name one.
    /// </summary>
    public static SocketsHttpHandler CreateHandler(OpenAiEndpointOptions options)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = int.MaxValue,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        };
        // Every connection is tracked, so a request knows whether its connection was a reused one (retry on close).
        handler.ConnectCallback = options.UnixSocketPath is { } path
            ? async (_, cancel) => new TrackedConnectionStream(await ConnectUnixAsync(path, cancel).ConfigureAwait(false))
            : (context, cancel) => TrackedConnectionStream.ConnectTcpAsync(context.DnsEndPoint, cancel);
        return handler;
    }

    /// <summary>A stream over a new connection to the Unix domain socket at <paramref name="path"/>.</summary>
    public static async ValueTask<Stream> ConnectUnixAsync(string path, CancellationToken cancel)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancel).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The backend as the manifest records it; the key's variable name appears, the key never does.</summary>
    public BackendInfo Describe(string version = "openai-compatible") => new()
    {
        Id = "openai",
        Version = version,
        Device = _options.UnixSocketPath is { } socket ? $"unix:{socket}" : _options.BaseUrl.ToString(),
        Options = _options.Describe(),
    };

    /// <summary>
    /// Sends the request; when it fails before any response byte on a connection that had carried an earlier request
    /// (the server closed it while it sat in the pool: llama.cpp's server closes after every stream though it announces
    /// keep-alive), sends it once more on a fresh connection and records that it did. Never after a response byte:
    /// then the server has seen the request, and a second one would be a second load on it.
    /// </summary>
    public async Task<RequestOutcome> SendAsync(ServingRequest request, ITimeSource clock, CancellationToken cancel)
    {
        var body = BuildBody(request);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(_options.RequestTimeout);
        var tSubmit = clock.Now;
        var first = await SendOnceAsync(_http, body, request.OutputTokens, clock, tSubmit, timeout, cancel).ConfigureAwait(false);
        if (!first.RetryOnFreshConnection)
            return first.Outcome;
        var second = await SendOnceAsync(FreshConnectionClient, body, request.OutputTokens, clock, tSubmit, timeout, cancel).ConfigureAwait(false);
        return second.Outcome with { Retries = 1, RetryError = first.Outcome.Error };
    }

    /// <summary>A client whose every request opens its own connection, for the one retry.</summary>
    private HttpClient FreshConnectionClient
    {
        get
        {
            if (_fresh is { } existing)
                return existing;
            var handler = CreateHandler(_options);
            handler.PooledConnectionLifetime = TimeSpan.Zero;
            var client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
            if (Interlocked.CompareExchange(ref _fresh, client, null) is { } raced)
            {
                client.Dispose();
                return raced;
            }
            return client;
        }
    }

    private readonly record struct Attempt(RequestOutcome Outcome, bool RetryOnFreshConnection = false);

    private async Task<Attempt> SendOnceAsync(HttpClient http, byte[] body, int outputTokens, ITimeSource clock, double tSubmit,
        CancellationTokenSource timeout, CancellationToken cancel)
    {
        var chunks = new List<Chunk>(outputTokens + 1);
        int? promptTokens = null, completionTokens = null, cachedTokens = null;
        IReadOnlyDictionary<string, double>? timings = null;
        var tokensSeen = 0;
        var headersReceived = false;
        // The connection that carries this attempt learns it from the async flow (HTTP/1.1; see RequestAttempt).
        var attempt = new RequestAttempt();
        RequestAttempt.Current = attempt;
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, _uri)
            {
                Version = _options.HttpVersion,
                // Exact: an http:// URI with 2.0 then means HTTP/2 prior knowledge (h2c), never a silent downgrade.
                VersionPolicy = _options.HttpVersion.Major >= 2 ? HttpVersionPolicy.RequestVersionExact : HttpVersionPolicy.RequestVersionOrLower,
                Content = new ByteArrayContent(body) { Headers = { ContentType = JsonMediaType } },
            };
            message.Headers.Accept.Add(EventStream);
            if (_apiKey is not null)
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);

            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            headersReceived = true;
            if (!response.IsSuccessStatusCode)
            {
                var excerpt = await ReadExcerptAsync(response.Content, timeout.Token).ConfigureAwait(false);
                return Failed(RequestStatus.Error, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}: {excerpt}");
            }

            var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var sse = new SseReader(stream, clock);
                while (await sse.ReadAsync(timeout.Token).ConfigureAwait(false))
                {
                    var data = sse.Data.Span;
                    if (OpenAiStreamEvent.IsDone(data))
                        return new Attempt(Outcome(RequestStatus.Ok, null));
                    var e = OpenAiStreamEvent.Parse(data);
                    if (e.Error is { } serverError)
                        return Failed(RequestStatus.Error, $"the server reported an error in the stream: {serverError}");
                    var tokens = e.Pieces;
                    // With per-chunk usage (vLLM continuous_usage_stats) the server's running count says how many tokens this piece held.
                    if (e.Pieces > 0 && e.CompletionTokens is { } running && running > tokensSeen)
                        tokens = running - tokensSeen;
                    if (tokens > 0)
                    {
                        chunks.Add(new Chunk(sse.Time, tokens));
                        tokensSeen += tokens;
                    }
                    promptTokens = e.PromptTokens ?? promptTokens;
                    completionTokens = e.CompletionTokens ?? completionTokens;
                    cachedTokens = e.CachedTokens ?? cachedTokens;
                    timings = e.Timings ?? timings;
                }
                var tail = sse.TrailingBytes > 0 ? $" ({sse.TrailingBytes} bytes of an unfinished event)" : "";
                return Failed(RequestStatus.Error, $"the stream ended before [DONE] after {tokensSeen} tokens{tail}");
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return Failed(RequestStatus.Cancelled, "cancelled before the response finished");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return Failed(RequestStatus.Timeout, $"no complete response within {_options.RequestTimeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError && !headersReceived && attempt.BytesReceived == 0 && !attempt.Bound)
        {
            var what = e.HttpRequestError == HttpRequestError.NameResolutionError ? "host name not resolved" : "connection failed";
            return Failed(RequestStatus.Error, $"{what}: {Describe(e)}");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return Cut(e);
        }
        catch (JsonException e)
        {
            return Failed(RequestStatus.Error, $"malformed JSON in a streamed event: {e.Message}");
        }
        catch (SseFormatException e)
        {
            return Failed(RequestStatus.Error, $"malformed event stream: {e.Message}");
        }
        finally
        {
            RequestAttempt.Current = null;
        }

        // The connection ended under the request: before any response byte (retried once when the connection was a
        // reused one), before the headers were complete, or after the stream began.
        Attempt Cut(Exception e)
        {
            if (headersReceived)
                return Failed(RequestStatus.Error, $"the stream was cut after {tokensSeen} tokens: {Describe(e)}");
            if (attempt.BytesReceived > 0)
                return Failed(RequestStatus.Error, $"the connection closed during the response headers: {Describe(e)}");
            if (attempt.ConnectionReused)
                return Failed(RequestStatus.Error, $"the connection closed before a response (a reused connection, closed by the server while idle): {Describe(e)}") with { RetryOnFreshConnection = true };
            return Failed(RequestStatus.Error, $"the connection closed before a response: {Describe(e)}");
        }

        Attempt Failed(string status, string error) => new(Outcome(status, Redact(error)));

        RequestOutcome Outcome(string status, string? error) => new()
        {
            TSubmit = tSubmit,
            Chunks = chunks,
            InputTokens = promptTokens,
            OutputTokens = completionTokens ?? tokensSeen,
            CachedTokens = cachedTokens,
            ServerTimings = timings,
            Status = status,
            Error = error,
        };
    }

    private static string Describe(Exception e) =>
        e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal) ? $"{e.Message} ({inner.Message})" : e.Message;

    /// <summary>A server that echoes the request (some do, on 401) must not put the key into the record.</summary>
    private string Redact(string text) =>
        _apiKey is null ? text : text.Replace(_apiKey, "[redacted]", StringComparison.Ordinal);

    private async Task<string> ReadExcerptAsync(HttpContent content, CancellationToken cancel)
    {
        var limit = Math.Max(0, _options.ErrorBodyExcerptBytes);
        var buffer = ArrayPool<byte>.Shared.Rent(limit + 1);
        try
        {
            var stream = await content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var filled = 0;
                while (filled < limit + 1)
                {
                    var n = await stream.ReadAsync(buffer.AsMemory(filled, limit + 1 - filled), cancel).ConfigureAwait(false);
                    if (n == 0)
                        break;
                    filled += n;
                }
                var text = Encoding.UTF8.GetString(buffer, 0, Math.Min(filled, limit));
                text = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
                return filled > limit ? text + " …" : text;
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            return $"(body unreadable: {e.Message})";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    internal byte[] BuildBody(ServingRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + request.InputTokens * 6);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model"u8, _options.Model);
            if (_options.Api == OpenAiApi.Completions)
            {
                if (_options.PromptAsTokenIds && request.PromptTokenIds is { } ids)
                {
                    json.WriteStartArray("prompt"u8);
                    foreach (var id in ids)
                        json.WriteNumberValue(id);
                    json.WriteEndArray();
                }
                else
                {
                    json.WriteString("prompt"u8, PromptText(request));
                }
            }
            else
            {
                json.WriteStartArray("messages"u8);
                json.WriteStartObject();
                json.WriteString("role"u8, "user"u8);
                json.WriteString("content"u8, PromptText(request));
                json.WriteEndObject();
                json.WriteEndArray();
            }
            json.WriteNumber("max_tokens"u8, request.OutputTokens);
            if (_options.SendMinTokens)
                json.WriteNumber("min_tokens"u8, request.OutputTokens);
            if (_options.IgnoreEos)
                json.WriteBoolean("ignore_eos"u8, true);
            if (_options.Temperature is { } temperature)
                json.WriteNumber("temperature"u8, temperature);
            json.WriteBoolean("stream"u8, true);
            if (_options.IncludeUsage)
            {
                json.WriteStartObject("stream_options"u8);
                json.WriteBoolean("include_usage"u8, true);
                json.WriteEndObject();
            }
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The request's text, or words picked from the request id's own seed so prompts differ (no accidental prefix-cache hits).</summary>
    internal static string PromptText(ServingRequest request)
    {
        if (request.PromptText is { } text)
            return text;
        var random = StableRandom.FromKey(StreamKey.Mix(StreamKey.Of(0), request.Id));
        var sb = new StringBuilder(request.InputTokens * 6);
        for (var i = 0; i < request.InputTokens; i++)
            sb.Append(Words[random.NextInt(Words.Length)]);
        return sb.ToString();
    }

    public void Dispose()
    {
        _http.Dispose();
        _fresh?.Dispose();
    }
}
