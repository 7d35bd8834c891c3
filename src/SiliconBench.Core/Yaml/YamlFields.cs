using System.Globalization;
using System.Text.RegularExpressions;
using SiliconBench.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SiliconBench.Yaml;

/// <summary>A YAML node and the dotted path (<c>profiles.smoke.batch_sizes[1]</c>) that names it in errors.</summary>
internal readonly record struct YNode(YamlNode Node, string Path)
{
    public int Line => checked((int)Node.Start.Line);

    public bool IsNull => Node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    public string Child(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>What the node holds, for "expected …, got …".</summary>
    public string Describe() => Node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        _ when IsNull => "nothing (null)",
        YamlScalarNode { Style: ScalarStyle.Plain } s => $"'{s.Value}'",
        YamlScalarNode s => $"the quoted text '{s.Value}'",
        _ => Node.NodeType.ToString(),
    };
}

/// <summary>One field of a mapping: its key, the key's line (where an unknown field is reported) and its value.</summary>
internal sealed record Field(string Key, int KeyLine, YNode Value)
{
    /// <summary>Set when this field is a block of a profile merged key by key over the same block in defaults.</summary>
    public Block? Merged { get; init; }
}

/// <summary>The fields of one mapping, or of a profile's mapping merged over defaults (fields keep their own paths).</summary>
internal sealed class Block(string path, int line, IReadOnlyList<Field> fields)
{
    public string Path { get; } = path;
    public int Line { get; } = line;
    public IReadOnlyList<Field> Fields { get; } = fields;

    public Field? this[string key] => Fields.FirstOrDefault(f => f.Key == key);

    public string Child(string key) => Path.Length == 0 ? key : $"{Path}.{key}";
}

/// <summary>Typed, strict reads of YAML nodes; every failure is an <see cref="InputException"/> with file, line and path.</summary>
internal sealed partial class YamlFields(string file)
{
    public string File { get; } = file;

    /// <summary>Reads a file's text; an unreadable file is an <see cref="InputException"/> naming it.</summary>
    public static string ReadFile(string path, string what)
    {
        try
        {
            return System.IO.File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new InputException(path, null, null, $"cannot read the {what}: {e.Message}", e);
        }
    }

    /// <summary>
    /// The root node of <paramref name="text"/>, which must hold exactly one YAML document; malformed YAML is
    /// reported at the line where the reader stopped. <paramref name="expected"/> describes the document for errors.
    /// </summary>
    public YNode LoadDocument(string text, string expected)
    {
        var scanner = new Scanner(new StringReader(text));
        var stream = new YamlStream();
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (YamlException e)
        {
            throw new InputException(File, checked((int)e.Start.Line), null, $"malformed YAML: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            throw new InputException(File, checked((int)scanner.CurrentPosition.Line), null,
                "malformed YAML: the reader could not continue here (an unclosed '[' or '{' above?)", e);
        }
        if (stream.Documents.Count == 0)
            throw new InputException(File, 1, null, $"the file holds no YAML document; expected {expected}");
        if (stream.Documents.Count > 1)
            throw new InputException(File, checked((int)stream.Documents[1].RootNode.Start.Line), null,
                $"expected one YAML document, found {stream.Documents.Count}");
        return new YNode(stream.Documents[0].RootNode, "");
    }

    /// <summary>A required field of <paramref name="block"/>.</summary>
    public Field Require(Block block, string key) => block[key] ?? throw Missing(block, key);

    /// <summary>Text that is one of <paramref name="choices"/>.</summary>
    public string Choice(YNode node, IReadOnlyList<string> choices)
    {
        var expected = "one of " + string.Join(", ", choices);
        var value = Text(node, expected);
        return choices.Contains(value) ? value : throw Expected(node, expected);
    }

    public bool Bool(YNode node)
    {
        CheckTag(node);
        return node.Node is YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } s
            ? s.Value == "true"
            : throw Expected(node, "true or false");
    }

    /// <summary>An error at <paramref name="node"/>; the document root has no field name.</summary>
    public InputException Error(YNode node, string problem) =>
        new(File, node.Line, node.Path.Length == 0 ? null : node.Path, problem);

    public InputException Expected(YNode node, string expected) => Error(node, $"expected {expected}, got {node.Describe()}");

    public InputException Missing(Block block, string key) =>
        new(File, block.Line, block.Child(key), $"missing required field '{key}'");

    /// <summary>
    /// A mapping's fields. Duplicate keys are already rejected by the YAML reader. <paramref name="line"/> is where a
    /// missing field is reported: the line of the mapping's own key where it has one, not that of its first field.
    /// </summary>
    public Block Mapping(YNode node, string expected, int? line = null)
    {
        CheckTag(node);
        if (node.Node is not YamlMappingNode map)
            throw Expected(node, expected);
        var fields = new List<Field>(map.Children.Count);
        foreach (var (keyNode, value) in map.Children)
        {
            var key = new YNode(keyNode, node.Path);
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } name } || key.IsNull)
                throw Error(key, $"expected a field name, got {key.Describe()}");
            fields.Add(new Field(name, key.Line, new YNode(value, node.Child(name))));
        }
        return new Block(node.Path, line ?? node.Line, fields);
    }

    /// <summary>Rejects fields not in <paramref name="allowed"/>; one that exists elsewhere in the schema "does not apply".</summary>
    public void CheckKeys(Block block, IReadOnlyList<string> allowed, string? appliesTo = null, IReadOnlyCollection<string>? known = null)
    {
        foreach (var f in block.Fields)
        {
            if (allowed.Contains(f.Key))
                continue;
            var problem = appliesTo is not null && known is not null && known.Contains(f.Key)
                ? $"'{f.Key}' does not apply to {appliesTo}; allowed: {string.Join(", ", allowed)}"
                : $"unknown field '{f.Key}'; allowed: {string.Join(", ", allowed)}";
            throw new InputException(File, f.KeyLine, f.Value.Path, problem);
        }
    }

    public IReadOnlyList<YNode> Sequence(YNode node, string expected)
    {
        CheckTag(node);
        if (node.Node is not YamlSequenceNode seq)
            throw Expected(node, expected);
        if (seq.Children.Count == 0)
            throw Error(node, $"expected {expected}, got an empty list");
        return [.. seq.Children.Select((item, i) => new YNode(item, $"{node.Path}[{i}]"))];
    }

    public string Text(YNode node, string expected)
    {
        CheckTag(node);
        if (node.Node is not YamlScalarNode { Value: { Length: > 0 } value } || node.IsNull || string.IsNullOrWhiteSpace(value))
            throw Expected(node, expected);
        return value;
    }

    public int Int(YNode node, int min, int max = int.MaxValue)
    {
        CheckTag(node);
        var expected = IntExpectation(min, max);
        if (node.Node is not YamlScalarNode { Style: ScalarStyle.Plain, Value: { } text } || !IntegerSyntax().IsMatch(text))
            throw Expected(node, expected);
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw Expected(node, expected);
        return (int)value;
    }

    /// <summary>A finite number (integer or decimal) above <paramref name="min"/> (or at it, when <paramref name="inclusive"/>).</summary>
    public double Number(YNode node, double min, bool inclusive, double? below = null)
    {
        CheckTag(node);
        var expected = (min, inclusive) switch
        {
            (0, false) => "a positive number",
            (0, true) => "a number ≥ 0",
            _ => inclusive ? $"a number ≥ {min}" : $"a number > {min}",
        };
        if (below is { } b)
            expected += $" and below {b.ToString(CultureInfo.InvariantCulture)}";
        if (node.Node is not YamlScalarNode { Style: ScalarStyle.Plain, Value: { } text } || !NumberSyntax().IsMatch(text)
            || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            throw Expected(node, expected);
        if (value < min || (!inclusive && value == min) || value >= below)
            throw Expected(node, expected);
        return value;
    }

    /// <summary>A non-empty list of distinct integers in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public IReadOnlyList<int> IntList(YNode node, int min, int max, Action<int, int, YNode>? seen = null)
    {
        var items = Sequence(node, "a list of integers");
        var values = new int[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            values[i] = Int(items[i], min, max);
            var first = Array.IndexOf(values, values[i], 0, i);
            if (first >= 0)
                throw Error(items[i], $"{values[i]} appears twice (also at {node.Path}[{first}])");
            seen?.Invoke(i, values[i], items[i]);
        }
        return values;
    }

    private void CheckTag(YNode node)
    {
        if (!node.Node.Tag.IsEmpty && !node.Node.Tag.IsNonSpecific)
            throw Error(node, $"YAML tags ({node.Node.Tag}) are not used in SiliconBench files; write the plain value");
    }

    private static string IntExpectation(int min, int max)
    {
        var text = min switch
        {
            1 => "a positive integer",
            0 => "a non-negative integer",
            _ => $"an integer ≥ {min}",
        };
        return max == int.MaxValue ? text : $"{text} no larger than {max}";
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    internal static partial Regex IntegerSyntax();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    internal static partial Regex NumberSyntax();
}
