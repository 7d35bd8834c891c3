using System.Text.Json;

namespace SiliconBench.Diagnostics;

/// <summary>Turns the serializer's <see cref="JsonException"/> into the user's terms: the field's JSON path and what was expected.</summary>
public static partial class JsonErrors
{
    private const string MissingRequired = "missing required properties including: ";

    /// <summary>An <see cref="InputException"/> naming the file, the line (the exception's, unless <paramref name="line"/> is given) and the field.</summary>
    public static InputException ToInput(JsonException e, string file, int? line = null)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new InputException(file, line ?? (int)(e.LineNumber ?? 0) + 1, FieldOf(e), ProblemOf(e), e);
    }

    /// <summary>The JSON path of the bad value without its <c>$.</c> root (e.g. <c>chunks[3]</c>), or the missing required field under its parent.</summary>
    public static string? FieldOf(JsonException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var path = e.Path is null or "$" ? null : e.Path.StartsWith("$.", StringComparison.Ordinal) ? e.Path[2..] : e.Path;
        var at = e.Message.IndexOf(MissingRequired, StringComparison.Ordinal);
        if (at < 0)
            return path;
        var missing = e.Message[(at + MissingRequired.Length)..].TrimEnd('.', ' ').Replace("'", "", StringComparison.Ordinal);
        return path is null ? missing : $"{path}.{missing}";
    }

    /// <summary>What was expected, in the user's terms rather than the serializer's .NET type names.</summary>
    public static string ProblemOf(JsonException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        // The outer message names the target type; the inner one, when there is one, says what was found instead.
        var message = e.Message + " " + e.InnerException?.Message;
        if (message.Contains(MissingRequired, StringComparison.Ordinal))
            return "required field is missing";
        foreach (var (type, expected) in new[]
        {
            ("System.Int32", "expected an integer"), ("System.Int64", "expected an integer"),
            ("System.Double", "expected a number"), ("System.Boolean", "expected true or false"),
            ("System.String", "expected a string"), ("System.DateTimeOffset", "expected an ISO 8601 date-time"),
        })
        {
            if (message.Contains("could not be converted to " + type, StringComparison.Ordinal))
                return expected;
        }
        if (message.Contains("as a number", StringComparison.Ordinal))
            return "expected a number";
        if (TokenTypeMismatch().Match(message) is { Success: true } m)
            return $"expected a {m.Groups[2].Value}, found {Describe(m.Groups[1].Value)}";
        var detail = e.InnerException is { } inner and not JsonException ? inner.Message : e.Message;
        var cut = detail.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut < 0)
            cut = detail.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        var text = (cut >= 0 ? detail[..cut] : detail).Trim();
        // A message our own converters wrote is already in the user's terms.
        return e.Data.Contains(OwnMessage) ? text : "not valid JSON: " + text;
    }

    // "Cannot get the value of a token type 'Number' as a string."
    [System.Text.RegularExpressions.GeneratedRegex("token type '(\\w+)' as an? (\\w+)")]
    private static partial System.Text.RegularExpressions.Regex TokenTypeMismatch();

    private static string Describe(string tokenType) => tokenType switch
    {
        "Number" => "a number",
        "String" => "a string",
        "True" or "False" => "true or false",
        "Null" => "null",
        "StartObject" => "an object",
        "StartArray" => "an array",
        _ => tokenType,
    };

    /// <summary>Marks a <see cref="JsonException"/> whose message needs no "not valid JSON" prefix (a converter's own words).</summary>
    public const string OwnMessage = "siliconbench.message";

    /// <summary>A converter's error in the user's terms; the serializer adds the path and line.</summary>
    public static JsonException Problem(string problem)
    {
        var e = new JsonException(problem);
        e.Data[OwnMessage] = true;
        return e;
    }
}
