using SiliconBench.Records;
using SiliconBench.Running;

namespace SiliconBench.Serving;

/// <summary>
/// A request-level backend: sends one generation request and reports when each piece of output arrived.
/// The OpenAI-compatible endpoint is one; an in-process engine scheduler can be another.
/// </summary>
/// <remarks>
/// Faults are data: an implementation returns an outcome with status error, timeout or cancelled rather than
/// throwing, so one bad request never ends a run. Only programming errors may throw.
/// </remarks>
public interface IRequestBackend
{
    /// <summary>Sends <paramref name="request"/>; every time in the outcome is read from <paramref name="clock"/>.</summary>
    Task<RequestOutcome> SendAsync(ServingRequest request, ITimeSource clock, CancellationToken cancel);
}

/// <summary>What the load generator asks for: lengths in tokens and, optionally, the prompt itself.</summary>
public sealed record ServingRequest
{
    public required string Id { get; init; }
    /// <summary>Nominal prompt length in tokens (the length of <see cref="PromptTokenIds"/> when given).</summary>
    public required int InputTokens { get; init; }
    /// <summary>Output tokens asked for (max_tokens, and min_tokens where the backend forces the length).</summary>
    public required int OutputTokens { get; init; }
    /// <summary>Prompt as token ids, for servers that accept them; null lets the backend use text.</summary>
    public IReadOnlyList<int>? PromptTokenIds { get; init; }
    /// <summary>Prompt as text; null lets the backend synthesize text of about <see cref="InputTokens"/> tokens.</summary>
    public string? PromptText { get; init; }
}

/// <summary>
/// What happened to one request. Chunks hold only pieces that carried tokens, in arrival order, so the first
/// chunk's time is the first token time and the last chunk's time is the last token time.
/// </summary>
public sealed record RequestOutcome
{
    public required double TSubmit { get; init; }
    public IReadOnlyList<Chunk> Chunks { get; init; } = [];
    /// <summary>Prompt tokens as the server counted them; null when it did not say.</summary>
    public int? InputTokens { get; init; }
    /// <summary>Output tokens actually produced: the server's count when it gave one, else the tokens seen in chunks.</summary>
    public int OutputTokens { get; init; }
    /// <summary>Prompt tokens the server served from its prefix cache (<c>usage.prompt_tokens_details.cached_tokens</c>); null when it did not say.</summary>
    public int? CachedTokens { get; init; }
    /// <summary>The server's own timings of the request, where it reports them (llama.cpp's <c>timings</c>).</summary>
    public IReadOnlyDictionary<string, double>? ServerTimings { get; init; }
    /// <summary>Attempts before the one recorded: 1 when a reused connection closed before any response byte and the request went again on a fresh one.</summary>
    public int Retries { get; init; }
    /// <summary>Why the earlier attempt failed, when there was one.</summary>
    public string? RetryError { get; init; }
    public string Status { get; init; } = RequestStatus.Ok;
    public string? Error { get; init; }

    public double? TFirst => Chunks.Count > 0 ? Chunks[0].T : null;

    public double? TEnd => Chunks.Count > 0 ? Chunks[^1].T : null;
}
