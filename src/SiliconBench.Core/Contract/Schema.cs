using System.Text.Json.Nodes;

namespace SiliconBench.Contract;

/// <summary>
/// Small builders of JSON Schema (draft 2020-12) nodes, for the YAML inputs whose shape lives in their loaders'
/// field tables rather than in a serialized type.
/// </summary>
internal static class Schema
{
    public static JsonObject Text(string? description = null) => Described(new JsonObject { ["type"] = "string", ["minLength"] = 1 }, description);

    public static JsonObject Boolean(string? description = null) => Described(new JsonObject { ["type"] = "boolean" }, description);

    public static JsonObject Integer(int minimum, int? maximum = null, string? description = null)
    {
        var o = new JsonObject { ["type"] = "integer", ["minimum"] = minimum };
        if (maximum is { } max)
            o["maximum"] = max;
        return Described(o, description);
    }

    /// <summary>A number ≥ <paramref name="minimum"/> (&gt; when <paramref name="exclusive"/>), below <paramref name="below"/> when given.</summary>
    public static JsonObject Number(double minimum, bool exclusive, double? below = null, string? description = null)
    {
        var o = new JsonObject { ["type"] = "number", [exclusive ? "exclusiveMinimum" : "minimum"] = minimum };
        if (below is { } b)
            o["exclusiveMaximum"] = b;
        return Described(o, description);
    }

    public static JsonObject OneOf(IEnumerable<string> values, string? description = null) =>
        Described(new JsonObject { ["enum"] = new JsonArray([.. values.Select(v => (JsonNode)v)]) }, description);

    public static JsonObject Array(JsonNode items, bool unique = false, string? description = null)
    {
        var o = new JsonObject { ["type"] = "array", ["items"] = items, ["minItems"] = 1 };
        if (unique)
            o["uniqueItems"] = true;
        return Described(o, description);
    }

    public static JsonObject OrNull(JsonNode schema) => new() { ["anyOf"] = new JsonArray(schema, new JsonObject { ["type"] = "null" }) };

    public static JsonObject Map(JsonNode values, string? description = null) =>
        Described(new JsonObject { ["type"] = "object", ["additionalProperties"] = values, ["minProperties"] = 1 }, description);

    /// <summary>
    /// A closed mapping whose keys are exactly a loader's field table: every field needs a schema here and every
    /// schema a field there, so the two cannot drift apart.
    /// </summary>
    public static JsonObject Object(IReadOnlyList<string> fields, IReadOnlyDictionary<string, JsonNode> schemas, IEnumerable<string>? required = null, string? description = null)
    {
        var missing = fields.Where(f => !schemas.ContainsKey(f)).ToList();
        var extra = schemas.Keys.Where(k => !fields.Contains(k)).ToList();
        if (missing.Count > 0 || extra.Count > 0)
            throw new InvalidOperationException($"schema and loader disagree: no schema for [{string.Join(", ", missing)}], no field for [{string.Join(", ", extra)}]");
        var properties = new JsonObject();
        foreach (var f in fields)
            properties[f] = schemas[f].DeepClone();
        var o = new JsonObject { ["type"] = "object", ["properties"] = properties, ["additionalProperties"] = false };
        if (required?.ToList() is { Count: > 0 } r)
            o["required"] = new JsonArray([.. r.Select(x => (JsonNode)x)]);
        return Described(o, description);
    }

    public static JsonObject Described(JsonObject schema, string? description)
    {
        if (description is not null)
            schema["description"] = description;
        return schema;
    }
}
