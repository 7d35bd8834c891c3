using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using SiliconBench.Contract;
using SiliconBench.Records;
using SiliconBench.Testing;
using SiliconBench.Yaml;
using Xunit;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SiliconBench.Tests.Contract;

public sealed class ContractSchemasTests
{
    public static TheoryData<string> SchemaFiles()
    {
        var data = new TheoryData<string>();
        foreach (var s in ContractSchemas.All())
            data.Add(s.FileName);
        return data;
    }

    [Theory]
    [MemberData(nameof(SchemaFiles))]
    public void Committed_schema_matches_the_code(string fileName) =>
        ContractFiles.Check(Path.Combine("schemas", fileName), ContractSchemas.Render(ContractSchemas.All().Single(s => s.FileName == fileName).Schema));

    [Fact]
    public void Schemas_folder_holds_exactly_the_generated_schemas()
    {
        var committed = Directory.GetFiles(Path.Combine(RepoPaths.Root, "schemas"), "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(ContractSchemas.All().Select(s => s.FileName).Order(StringComparer.Ordinal), committed);
    }

    /// <summary>Every record file committed under results/ and every analysis data case is what its schema says.</summary>
    [Fact]
    public void Committed_record_files_validate()
    {
        var checkedFiles = 0;
        foreach (var root in new[] { RepoPaths.Results, DataCases.Root("Analysis") })
        {
            foreach (var file in Directory.GetFiles(root, "*.json*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(file);
                var schema = name switch
                {
                    RunFiles.Manifest => "manifest.schema.json",
                    RunFiles.Summary or "expected.summary.json" => "summary.schema.json",
                    RunFiles.Requests => "requests.schema.json",
                    RunFiles.Steps => "steps.schema.json",
                    RunFiles.Windows => "windows.schema.json",
                    _ => null,
                };
                if (schema is null)
                    continue;
                var content = File.ReadAllText(file);
                // A run killed mid-write leaves a last line without its newline; the reader drops it, and so does this.
                var lines = file.EndsWith(".jsonl", StringComparison.Ordinal)
                    ? content.Split('\n').SkipLast(1).Where(l => l.Length > 0)
                    : [content];
                foreach (var (text, i) in lines.Select((t, i) => (t, i)))
                    AssertValid(schema, JsonNode.Parse(text), $"{file}:{i + 1}");
                checkedFiles++;
            }
        }
        Assert.True(checkedFiles > 50, $"only {checkedFiles} record files found");
    }

    /// <summary>Every YAML input shipped in workloads/ is what its schema says.</summary>
    [Fact]
    public void Shipped_inputs_validate()
    {
        var w = RepoPaths.Workloads;
        var files = Directory.GetFiles(w, "*.yaml").Where(f => Path.GetFileName(f) != "silicon.yaml").Select(f => (f, "workload.schema.json"))
            .Concat(Directory.GetFiles(Path.Combine(w, "policies"), "*.yaml").Select(f => (f, "policy.schema.json")))
            .Concat(Directory.GetFiles(Path.Combine(w, "costs"), "*.yaml").Select(f => (f, "cost-sheet.schema.json")))
            .Append((Path.Combine(w, "silicon.yaml"), "silicon-catalog.schema.json"))
            .ToList();

        foreach (var (file, schema) in files)
            AssertValid(schema, Yaml(File.ReadAllText(file)), file);
        Assert.True(files.Count > 25);
    }

    [Theory]
    [InlineData("policy.schema.json", "name: p\nworkloads:\n  '*':\n    requirements:\n      - {metric: tokens_per_joule, statistic: value, comparator: '>=', threshold: 1}\n")]
    [InlineData("policy.schema.json", "name: p\nworkloads: {}\n")]
    [InlineData("workload.schema.json", "name: w\nprofiles:\n  smoke: {batch_sizes: [1], bogus: 1}\n")]
    [InlineData("workload.schema.json", "name: w\nprofiles:\n  smoke: {batch_sizes: [0]}\n")]
    [InlineData("cost-sheet.schema.json", "name: c\nsystem: s\nas_of: x\ncloud: {usd_per_hour: {value: 1, source: s}}\nowned: {}\n")]
    [InlineData("cost-sheet.schema.json", "name: c\nsystem: s\nas_of: x\ncloud: {usd_per_hour: {value: 1}}\n")]
    [InlineData("silicon-catalog.schema.json", "sources: {S1: x}\naccelerators: [{id: a, name: a, vendor: v}]\n")]
    public void Inputs_the_loaders_refuse_the_schemas_refuse_too(string schema, string yaml) =>
        Assert.False(Evaluate(schema, Yaml(yaml)).IsValid);

    [Fact]
    public void A_summary_whose_energy_scope_lacks_its_provenance_or_holds_an_unknown_metric_is_invalid()
    {
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(DataCases.Root("Analysis"), "engine-roofline", "expected.summary.json")))!;
        AssertValid("summary.schema.json", summary, "engine-roofline");

        var noProvenance = summary.DeepClone();
        noProvenance["energy"]!["accelerator"]!.AsObject().Remove("provenance");
        var unknown = summary.DeepClone();
        unknown["overall"]!["tokens_per_joule"] = 1;

        Assert.False(Evaluate("summary.schema.json", noProvenance).IsValid);
        Assert.False(Evaluate("summary.schema.json", unknown).IsValid);
    }

    private static void AssertValid(string schema, JsonNode? instance, string what)
    {
        var result = Evaluate(schema, instance);
        if (result.IsValid)
            return;
        var errors = (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));
        Assert.Fail($"{what} does not match {schema}: {string.Join("; ", errors.Take(5))}");
    }

    private static readonly Dictionary<string, JsonSchema> Loaded = [];

    private static EvaluationResults Evaluate(string schemaFile, JsonNode? instance)
    {
        JsonSchema schema;
        lock (Loaded)
        {
            if (!Loaded.TryGetValue(schemaFile, out schema!))
            {
                var text = ContractSchemas.Render(ContractSchemas.All().Single(s => s.FileName == schemaFile).Schema);
                schema = Loaded[schemaFile] = JsonSchema.FromText(text, new BuildOptions { SchemaRegistry = new SchemaRegistry() }, new Uri("https://siliconbench.invalid/" + schemaFile));
            }
        }
        using var document = JsonDocument.Parse(instance?.ToJsonString() ?? "null");
        return schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    /// <summary>YAML as the loaders read it (plain scalars typed by the loaders' own rules: null, booleans, integers, numbers), as JSON.</summary>
    private static JsonNode? Yaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return Convert(stream.Documents[0].RootNode);
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, Convert(c.Value)))),
        YamlSequenceNode s => new JsonArray([.. s.Children.Select(Convert)]),
        YamlScalarNode { Style: ScalarStyle.Plain } p => p.Value switch
        {
            null or "" or "~" or "null" or "Null" or "NULL" => null,
            "true" => true,
            "false" => false,
            var v when YamlFields.IntegerSyntax().IsMatch(v) => JsonValue.Create(long.Parse(v, CultureInfo.InvariantCulture)),
            var v when YamlFields.NumberSyntax().IsMatch(v) => JsonValue.Create(double.Parse(v, CultureInfo.InvariantCulture)),
            var v => JsonValue.Create(v),
        },
        YamlScalarNode q => JsonValue.Create(q.Value),
        _ => throw new InvalidOperationException("unexpected YAML node"),
    };
}
