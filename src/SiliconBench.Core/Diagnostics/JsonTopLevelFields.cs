using System.Text.Json;

namespace SiliconBench.Diagnostics;

/// <summary>A top-level field of a JSON object file and the line it starts on, so an error about it can name the line.</summary>
public readonly record struct JsonTopLevelField(JsonElement Value, int Line);

/// <summary>Reads the top-level fields of a JSON object file (config.json, tokenizer.json) with their line numbers.</summary>
public static class JsonTopLevelFields
{
    /// <summary>The fields of the object; malformed JSON or a non-object is an <see cref="InputException"/> naming the line.</summary>
    public static Dictionary<string, JsonTopLevelField> Read(ReadOnlySpan<byte> json, string source, string what)
    {
        var fields = new Dictionary<string, JsonTopLevelField>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw new InputException(source, 1, null, $"{what} must hold one JSON object");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var line = LineAt(json, reader.TokenStartIndex);
                var name = reader.GetString()!;
                reader.Read();
                using var doc = JsonDocument.ParseValue(ref reader);
                fields[name] = new JsonTopLevelField(doc.RootElement.Clone(), line);
            }
        }
        catch (JsonException e)
        {
            throw new InputException(source, (int)(e.LineNumber ?? 0) + 1, null, $"not valid JSON: {e.Message}", e);
        }
        return fields;
    }

    private static int LineAt(ReadOnlySpan<byte> json, long offset) =>
        json[..(int)Math.Min(offset, json.Length)].Count((byte)'\n') + 1;
}
