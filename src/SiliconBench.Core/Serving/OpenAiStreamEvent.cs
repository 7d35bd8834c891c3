using System.Text.Json;

namespace SiliconBench.Serving;

/// <summary>
/// What one streamed OpenAI event says, read with <see cref="Utf8JsonReader"/> without materializing text:
/// how many choices carried a non-empty piece of text, the usage counts if present (with the prompt tokens the server
/// took from its prefix cache, <c>usage.prompt_tokens_details.cached_tokens</c>), an error if the server reported one
/// inside the stream, and the server's own timings of the request where it sends them (llama.cpp's <c>timings</c>).
/// </summary>
public readonly record struct OpenAiStreamEvent(int Pieces, int? PromptTokens, int? CompletionTokens, string? Error,
    int? CachedTokens = null, IReadOnlyDictionary<string, double>? Timings = null)
{
    /// <summary>True for the <c>[DONE]</c> sentinel that ends an OpenAI stream.</summary>
    public static bool IsDone(ReadOnlySpan<byte> data) => data.SequenceEqual("[DONE]"u8);

    /// <summary>Parses one event's data. Throws <see cref="JsonException"/> for malformed JSON.</summary>
    public static OpenAiStreamEvent Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw new JsonException("an event's data is not a JSON object");
        var pieces = 0;
        int? prompt = null, completion = null, cached = null;
        Dictionary<string, double>? timings = null;
        string? error = null;
        var isErrorObject = false;
        string? message = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("choices"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        pieces += ChoiceCarriesText(ref reader) ? 1 : 0;
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("usage"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                    ReadUsage(ref reader, ref prompt, ref completion, ref cached);
                else
                    reader.Skip();
            }
            else if (reader.ValueTextEquals("timings"u8))
            {
                reader.Read();
                timings = ReadNumbers(ref reader);
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                error = ReadError(ref reader);
            }
            else if (reader.ValueTextEquals("object"u8))
            {
                reader.Read();
                isErrorObject = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("error"u8);
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                message = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject)
            throw new JsonException("an event's JSON object is not closed");
        if (error is null && isErrorObject)
            error = message ?? "the server sent an error object";
        return new OpenAiStreamEvent(pieces, prompt, completion, error, cached, timings);
    }

    // A choice counts once when its text (completions) or delta content / reasoning (chat) is non-empty: one
    // streamed piece is one token unless usage says otherwise.
    private static bool ChoiceCarriesText(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return false;
        }
        var carries = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("text"u8))
            {
                reader.Read();
                carries |= IsNonEmptyString(ref reader);
            }
            else if (reader.ValueTextEquals("delta"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var counted = reader.ValueTextEquals("content"u8) || reader.ValueTextEquals("reasoning_content"u8) || reader.ValueTextEquals("reasoning"u8);
                    reader.Read();
                    if (counted)
                        carries |= IsNonEmptyString(ref reader);
                    else
                        reader.Skip();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        return carries;
    }

    private static bool IsNonEmptyString(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
            return reader.HasValueSequence ? reader.ValueSequence.Length > 0 : reader.ValueSpan.Length > 0;
        reader.Skip();
        return false;
    }

    private static void ReadUsage(ref Utf8JsonReader reader, ref int? prompt, ref int? completion, ref int? cached)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens_details"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var isCached = reader.ValueTextEquals("cached_tokens"u8);
                        reader.Read();
                        if (isCached && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var c))
                            cached = c;
                        else
                            reader.Skip();
                    }
                }
                else
                {
                    reader.Skip();
                }
                continue;
            }
            var isPrompt = reader.ValueTextEquals("prompt_tokens"u8);
            var isCompletion = reader.ValueTextEquals("completion_tokens"u8);
            reader.Read();
            if ((isPrompt || isCompletion) && reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var n))
            {
                if (isPrompt)
                    prompt = n;
                else
                    completion = n;
            }
            else
            {
                reader.Skip();
            }
        }
    }

    /// <summary>The numeric members of an object, in the server's order; anything else in it is skipped.</summary>
    private static Dictionary<string, double>? ReadNumbers(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }
        var numbers = new Dictionary<string, double>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var value) && double.IsFinite(value))
                numbers[name] = value;
            else
                reader.Skip();
        }
        return numbers;
    }

    private static string ReadError(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
            return reader.GetString() ?? "error";
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return "the server reported an error";
        }
        string? message = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isMessage = reader.ValueTextEquals("message"u8);
            reader.Read();
            if (isMessage && reader.TokenType == JsonTokenType.String)
                message = reader.GetString();
            else
                reader.Skip();
        }
        return message ?? "the server reported an error";
    }
}
