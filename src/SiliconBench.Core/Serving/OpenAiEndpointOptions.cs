namespace SiliconBench.Serving;

/// <summary>Which OpenAI route is streamed.</summary>
public enum OpenAiApi
{
    /// <summary><c>POST /v1/completions</c>: a raw prompt (text or token ids).</summary>
    Completions,
    /// <summary><c>POST /v1/chat/completions</c>: the prompt as one user message (the chat template adds tokens).</summary>
    ChatCompletions,
}

/// <summary>
/// Settings of the <c>openai</c> endpoint backend. Holds the NAME of the environment variable with the API key,
/// never the key, so nothing that records these options can leak it.
/// </summary>
public sealed record OpenAiEndpointOptions
{
    /// <summary>Server root, e.g. <c>http://127.0.0.1:8000</c>; <c>/v1/…</c> is appended.</summary>
    public required Uri BaseUrl { get; init; }
    /// <summary>
    /// Connect to this Unix domain socket instead of the URL's host and port (vLLM's <c>--uds</c>, or any server
    /// behind a socket file); the URL still gives the path and the Host header. On one machine it halves the
    /// kernel's cost per streamed chunk against loopback TCP.
    /// </summary>
    public string? UnixSocketPath { get; init; }
    public required string Model { get; init; }
    public OpenAiApi Api { get; init; } = OpenAiApi.Completions;
    /// <summary>1.1, or 2.0 (on http:// this is HTTP/2 with prior knowledge, h2c).</summary>
    public Version HttpVersion { get; init; } = System.Net.HttpVersion.Version11;
    public string ApiKeyVariable { get; init; } = "OPENAI_API_KEY";
    /// <summary>Asks for <c>stream_options.include_usage</c> so output lengths come from the server's own count.</summary>
    public bool IncludeUsage { get; init; } = true;
    /// <summary>Sends vLLM's <c>min_tokens</c> equal to <c>max_tokens</c> so the output length is the one asked for.</summary>
    public bool SendMinTokens { get; init; } = true;
    /// <summary>Sends vLLM's <c>ignore_eos: true</c>, for the same reason; some servers reject unknown fields.</summary>
    public bool IgnoreEos { get; init; } = true;
    /// <summary>Sends token ids as the prompt on /v1/completions when the request has them (vLLM, SGLang accept them).</summary>
    public bool PromptAsTokenIds { get; init; }
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(10);
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>How much of an error response body goes into the request's error text.</summary>
    public int ErrorBodyExcerptBytes { get; init; } = 512;
    public double? Temperature { get; init; }

    internal Uri RequestUri => new(BaseUrl, Api == OpenAiApi.Completions ? "v1/completions" : "v1/chat/completions");

    /// <summary>The options for the manifest (<c>BackendInfo.Options</c>); contains no secret.</summary>
    public SortedDictionary<string, string> Describe() => new(StringComparer.Ordinal)
    {
        ["base_url"] = BaseUrl.ToString(),
        ["unix_socket"] = UnixSocketPath ?? "none",
        ["model"] = Model,
        ["api"] = Api == OpenAiApi.Completions ? "completions" : "chat_completions",
        ["http_version"] = HttpVersion.ToString(2),
        ["api_key_env"] = ApiKeyVariable,
        ["include_usage"] = IncludeUsage ? "true" : "false",
        ["min_tokens"] = SendMinTokens ? "true" : "false",
        ["ignore_eos"] = IgnoreEos ? "true" : "false",
        ["prompt_as_token_ids"] = PromptAsTokenIds ? "true" : "false",
        ["request_timeout_s"] = RequestTimeout.TotalSeconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
    };
}
