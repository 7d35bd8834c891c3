using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization.Metadata;
using SiliconBench.Analysis;
using SiliconBench.Catalog;
using SiliconBench.Costs;
using SiliconBench.Gating;
using SiliconBench.Metrics;
using SiliconBench.Records;
using SiliconBench.Workloads;

namespace SiliconBench.Contract;

/// <summary>One published schema: the file it is committed as under <c>schemas/</c>, and its content.</summary>
public sealed record ContractSchema(string FileName, JsonObject Schema);

/// <summary>
/// JSON Schemas (draft 2020-12) of every file the tool reads or writes, generated from the code that reads and
/// writes them: the record files from their source-generated serialization contexts (with the metric catalog for
/// the metrics of summary.json), the YAML inputs from their loaders' field tables. Committed under <c>schemas/</c>;
/// a test fails when the committed files drift from these. A schema says what a file may hold; the loaders and
/// readers check more (a kind's own keys, min ≤ max, a trace file that exists) and name the line when they refuse.
/// </summary>
public static class ContractSchemas
{
    private const string Draft = "https://json-schema.org/draft/2020-12/schema";

    private static readonly JsonSerializerOptions Output = new()
    {
        WriteIndented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Every schema, in the order the docs list them.</summary>
    public static IReadOnlyList<ContractSchema> All() =>
    [
        Record("manifest.schema.json", RunFiles.Manifest, "What ran, on what, and how (schema siliconbench.manifest/1). No secrets.", RecordJsonContext.Indented.RunManifest),
        Record("requests.schema.json", RunFiles.Requests, "One line of requests.jsonl: a request, its chunk arrival times and its status. Times are seconds on the run clock.", RecordJsonContext.Compact.RequestRecord),
        Record("steps.schema.json", RunFiles.Steps, "One line of steps.jsonl (engine mode): a timed prefill or decode step of a batch.", RecordJsonContext.Compact.StepRecord),
        Record("windows.schema.json", RunFiles.Windows, "One line of windows.jsonl: a named span of the run clock (warm-up, measured, idle, point, phase).", RecordJsonContext.Compact.WindowRecord),
        Record("summary.schema.json", RunFiles.Summary, "The analyzer's output (schema siliconbench.summary/1), re-derivable from the raw record with `siliconbench analyze`.", SummaryJsonContext.Instance.Summary),
        Input("workload.schema.json", "workloads/*.yaml", "A workload: named profiles (smoke, full, …) of operating points, lengths, arrival process and SLOs.", Workload()),
        Input("policy.schema.json", "workloads/policies/*.yaml", "A procurement gate policy: evidence required, requirements per workload, ranking.", Policy()),
        Input("cost-sheet.schema.json", "workloads/costs/*.yaml", "What a system costs to run: rented by the hour (cloud) or owned; every input with its source.", CostSheet()),
        Input("silicon-catalog.schema.json", "workloads/silicon.yaml", "Public datasheet figures of accelerators, each with the keys of its sources.", SiliconCatalogSchema()),
    ];

    /// <summary>A schema as committed: two-space indentation, LF line ends, a trailing newline.</summary>
    public static string Render(JsonNode schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return schema.ToJsonString(Output) + "\n";
    }

    private static ContractSchema Record(string fileName, string file, string description, JsonTypeInfo type)
    {
        var exported = (JsonObject)JsonSchemaExporter.GetJsonSchemaAsNode(type, new JsonSchemaExporterOptions
        {
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = Transform,
        });
        var root = Header(file, description);
        foreach (var (key, value) in exported.ToList())
        {
            exported.Remove(key);
            root[key] = value;
        }
        if (type.Type == typeof(Summary))
            root["$defs"] = SummaryDefinitions();
        return new ContractSchema(fileName, root);
    }

    private static ContractSchema Input(string fileName, string file, string description, JsonObject schema)
    {
        var root = Header(file, description);
        foreach (var (key, value) in schema.ToList())
        {
            schema.Remove(key);
            root[key] = value;
        }
        return new ContractSchema(fileName, root);
    }

    private static JsonObject Header(string file, string description) => new()
    {
        ["$schema"] = Draft,
        ["title"] = file,
        ["description"] = description,
    };

    /// <summary>
    /// Fills in what the exporter cannot see: types written by our own converters (rounded numbers, metric sets,
    /// energy scopes, chunks), the closed vocabularies of string fields, and each metric's definition.
    /// </summary>
    private static JsonNode Transform(JsonSchemaExporterContext context, JsonNode schema)
    {
        var type = context.TypeInfo.Type;
        var property = context.PropertyInfo;
        if ((type == typeof(double) || type == typeof(double?)) && context.TypeInfo.Options.Converters.Any(c => c is SignificantDigitsConverter))
            schema = new JsonObject { ["type"] = type == typeof(double?) ? new JsonArray("number", "null") : "number" };
        else if (type == typeof(MetricSet))
            schema = new JsonObject { ["$ref"] = "#/$defs/metrics" };
        else if (type == typeof(SortedDictionary<string, MetricSet>))
            schema = new JsonObject { ["type"] = "object", ["additionalProperties"] = new JsonObject { ["$ref"] = "#/$defs/energy_scope" } };
        else if (type == typeof(IReadOnlyList<Chunk>))
        {
            schema = new JsonObject
            {
                ["type"] = "array",
                ["items"] = new JsonObject
                {
                    ["type"] = "array",
                    ["prefixItems"] = new JsonArray(new JsonObject { ["type"] = "number" }, new JsonObject { ["type"] = "integer", ["minimum"] = 0 }),
                    ["items"] = false,
                    ["minItems"] = 2,
                    ["description"] = "[arrival time on the run clock (s), tokens the chunk carried]",
                },
            };
        }

        if (property is null || schema is not JsonObject o)
            return schema;
        if (Vocabulary(property.DeclaringType, property.Name) is { } words)
            o["enum"] = new JsonArray([.. words.Select(w => (JsonNode?)w)]);
        if (FieldDescription(property.DeclaringType, property.Name) is { } text)
            o["description"] = text;
        if (property.DeclaringType == typeof(CostSection) && MetricCatalog.Find(property.Name) is { } metric)
            o["description"] = Describe(metric);
        return o;
    }

    /// <summary>What a record field means where its name does not say it all (times are seconds on the run clock, 0 = run start).</summary>
    private static string? FieldDescription(Type declaring, string property) => (declaring.Name, property) switch
    {
        (nameof(RequestRecord), "point") or (nameof(StepRecord), "point") => "operating point id, e.g. b4-c1024-o128 (engine) or c8 / r2.5 (serving load)",
        (nameof(RequestRecord), "warmup") or (nameof(StepRecord), "warmup") => "warm-up work is excluded from every metric",
        (nameof(RequestRecord), "input_tokens") => "prompt tokens as the engine or server reported them",
        (nameof(RequestRecord), "output_tokens") => "output tokens as the engine or server reported them",
        (nameof(RequestRecord), "t_submit") => "when the request was sent (s)",
        (nameof(RequestRecord), "t_first") => "arrival of the first output token (s); equals the first chunk's time",
        (nameof(RequestRecord), "t_end") => "arrival of the last output token (s); equals the last chunk's time",
        (nameof(RequestRecord), "error") => "what went wrong, for a request whose status is not ok",
        (nameof(RequestRecord), "cached_tokens") => "prompt tokens the server reports it served from its prefix cache; only when it reports them",
        (nameof(RequestRecord), "shared_tokens") => "leading prompt tokens the workload means to share with earlier requests (shared prefix, previous turn)",
        (nameof(RequestRecord), "retries") => "earlier attempts of this request: a reused connection closed before any response byte",
        (nameof(RequestRecord), "retry_error") => "why the earlier attempt failed",
        (nameof(RequestRecord), "server_timings") => "the server's own timings of the request as it sent them (llama.cpp's timings)",
        (nameof(ClockInfo), "origin_timestamp") => "the machine's monotonic clock (CLOCK_MONOTONIC on Linux) at t = 0 of the run clock",
        (nameof(ClockInfo), "utc_before") or (nameof(ClockInfo), "utc_after") => "UTC wall time read just before / just after the origin timestamp",
        (nameof(StepRecord), "context") => "longest sequence (prompt + generated) the step attends over",
        (nameof(StepRecord), "tokens") => "tokens that count: prompt tokens for prefill, live sequences for decode",
        (nameof(StepRecord), "device_s") => "device-synchronized duration the engine reported, when it reports one",
        (nameof(WindowRecord), "point") => "the operating point of a point or phase window",
        (nameof(WorkloadInfo), "spec") => "the profile as it ran: workload.schema.json's profile with defaults and command-line overrides applied",
        (nameof(WorkloadInfo), "content_sha256") => "SHA-256 of the workload file's bytes",
        (nameof(RunManifest), "started_utc") => "UTC wall time of t = 0 on the run clock",
        (nameof(RunManifest), "sensor_note") => "why there is no sensor, when sensors is empty",
        (nameof(Summary), "complete") => "the run finished (manifest complete)",
        (nameof(Validity), "valid") => "complete, at least one measured request, and no failed measured request",
        (nameof(Validity), "window_s") => "length of the overall measurement window (s)",
        (nameof(Validity), "energy") => "measured: (or imported:, estimated:) each scope and its method; or not measured: the reason",
        (nameof(Validity), "notes") => "why metrics are null, and everything else that qualifies the numbers (coverage gaps, throttling, clock changes)",
        (nameof(CostSection), "provenance") => "imported (the sheet's prices), or weaker when the energy line rests on imported or estimated power",
        _ => null,
    };

    /// <summary>String fields whose values are a closed set (record constants), null allowed where the field is optional.</summary>
    private static string?[]? Vocabulary(Type declaring, string property) => (declaring.Name, property) switch
    {
        (nameof(RequestRecord), "status") => [RequestStatus.Ok, RequestStatus.Error, RequestStatus.Timeout, RequestStatus.Cancelled],
        (nameof(StepRecord), "phase") => [Phase.Prefill, Phase.Decode],
        (nameof(WindowRecord), "kind") => [WindowKind.Warmup, WindowKind.Measured, WindowKind.Idle, WindowKind.Point, WindowKind.Phase],
        (nameof(WindowRecord), "phase") => [Phase.Prefill, Phase.Decode, null],
        (nameof(Summary), "schema") => [RunFiles.SummarySchema],
        (nameof(RunManifest), "schema") => [RunFiles.ManifestSchema],
        _ => null,
    };

    /// <summary>The metric objects of summary.json, from the catalog: every id it may hold, its shape and its definition.</summary>
    private static JsonObject SummaryDefinitions()
    {
        JsonObject MetricSetSchema(Func<MetricDescriptor, bool> include, string description, bool withProvenance)
        {
            var properties = new JsonObject();
            if (withProvenance)
            {
                properties["provenance"] = new JsonObject
                {
                    ["enum"] = new JsonArray([.. Enum.GetValues<Provenance>().Select(p => (JsonNode)ProvenanceText.Of(p))]),
                    ["description"] = "Where the scope's figures come from: measured (sensors read beside this run), imported (a replayed trace) or estimated (a model, not a sensor).",
                };
            }
            foreach (var m in MetricCatalog.All.Where(include))
            {
                var value = m.Shape == MetricShape.Distribution
                    ? new JsonObject { ["anyOf"] = new JsonArray(new JsonObject { ["$ref"] = "#/$defs/distribution" }, new JsonObject { ["type"] = "null" }) }
                    : new JsonObject { ["type"] = new JsonArray("number", "null") };
                value["description"] = Describe(m);
                properties[m.Id] = value;
            }
            var o = new JsonObject { ["type"] = "object", ["description"] = description, ["properties"] = properties, ["additionalProperties"] = false };
            if (withProvenance)
                o["required"] = new JsonArray("provenance");
            return o;
        }

        var distribution = new JsonObject { ["type"] = "object", ["description"] = "A distribution over measured values; percentiles interpolate linearly between closest ranks." };
        var fields = new JsonObject();
        foreach (var stat in MetricStatistics.OfDistribution)
            fields[stat] = new JsonObject { ["type"] = "number" };
        fields["n"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1 };
        distribution["properties"] = fields;
        distribution["required"] = new JsonArray([.. MetricStatistics.OfDistribution.Append("n").Select(s => (JsonNode)s)]);
        distribution["additionalProperties"] = false;

        return new JsonObject
        {
            ["distribution"] = distribution,
            ["metrics"] = MetricSetSchema(m => !MetricSections.InEnergyScopes(m.Section) && m.Section != MetricSection.Cost,
                "Metrics over a window (overall, or one operating point), always measured from the record's timestamps; null: not measured, with the reason in validity.notes.", withProvenance: false),
            ["energy_scope"] = MetricSetSchema(m => MetricSections.InEnergyScopes(m.Section),
                "Energy metrics of one sensor scope (accelerator, cpu_package, node, wall); scopes are never added together.", withProvenance: true),
        };
    }

    private static string Describe(MetricDescriptor m) => $"{m.Title}. {m.Definition}";

    private static JsonObject Workload()
    {
        static JsonObject Lengths(string what) => new()
        {
            ["description"] = $"{what} lengths in tokens: a list of fixed lengths, or a distribution",
            ["anyOf"] = new JsonArray(
                Schema.Array(Schema.Integer(1, LengthDistribution.MaxTokens), unique: true),
                Schema.Object(WorkloadParser.LengthFields, new Dictionary<string, JsonNode>
                {
                    ["kind"] = Schema.OneOf(WorkloadParser.LengthKinds, "default fixed; each kind takes its own keys"),
                    ["nominal"] = Schema.Array(Schema.Integer(1, LengthDistribution.MaxTokens), unique: true, "lengths the points sweep (the median of a lognormal)"),
                    ["spread"] = Schema.Number(0, exclusive: false, below: 1, "uniform: ± this fraction of nominal"),
                    ["sigma"] = Schema.Number(0, exclusive: true, description: "lognormal: σ of the log"),
                    ["min"] = Schema.Integer(1, LengthDistribution.MaxTokens),
                    ["max"] = Schema.Integer(1, LengthDistribution.MaxTokens),
                    ["file"] = Schema.Text("trace: a CSV or JSON-lines file of lengths, relative to the workload file"),
                    ["column"] = Schema.Text("trace: the column to read"),
                })),
        };
        var profile = new Dictionary<string, JsonNode>
        {
            ["description"] = Schema.Text(),
            ["seed"] = Schema.Integer(0),
            ["batch_sizes"] = Schema.Array(Schema.Integer(1, WorkloadParser.MaxBatch), unique: true),
            ["context"] = Lengths("Prompt"),
            ["output"] = Lengths("Output"),
            ["mix"] = Schema.Array(Schema.Object(WorkloadParser.MixFields, new Dictionary<string, JsonNode>
            {
                ["context"] = Schema.Integer(1, LengthDistribution.MaxTokens),
                ["output"] = Schema.Integer(1, LengthDistribution.MaxTokens),
            }, required: WorkloadParser.MixFields), description: "explicit (context, output) pairs instead of the cross product"),
            ["shared_prefix_tokens"] = Schema.Integer(0, LengthDistribution.MaxTokens),
            ["turns"] = Schema.Integer(1, WorkloadParser.MaxTurns),
            ["warmup_repetitions"] = Schema.Integer(0),
            ["repetitions"] = Schema.Integer(1),
            ["min_duration_s"] = Schema.Number(0, exclusive: false),
            ["max_repetitions"] = Schema.Integer(1),
            ["request_count"] = Schema.Integer(1),
            ["arrival"] = Schema.OrNull(Schema.Object(WorkloadParser.ArrivalFields, new Dictionary<string, JsonNode>
            {
                ["kind"] = Schema.OneOf(WorkloadParser.ArrivalKinds),
                ["concurrency"] = Schema.Array(Schema.Integer(1, WorkloadParser.MaxBatch), unique: true, "closed_loop: requests in flight per point"),
                ["rates_per_s"] = Schema.Array(Schema.Number(0, exclusive: true), description: "poisson, gamma: arrival rates per point"),
                ["burstiness"] = Schema.Number(0, exclusive: true, description: "gamma: shape of the inter-arrival gaps (1 = Poisson)"),
            })),
            ["slo"] = Schema.OrNull(Schema.Object(WorkloadParser.SloFields, WorkloadParser.SloFields.ToDictionary(f => f, f => (JsonNode)Schema.OrNull(Schema.Number(0, exclusive: true, description: f + " bound: a request meets the SLO at or below it"))))),
        };
        var defaults = profile.Where(p => p.Key != "description").ToDictionary(p => p.Key, p => p.Value);
        return Schema.Object(WorkloadParser.RootFields, new Dictionary<string, JsonNode>
        {
            ["name"] = Schema.Text(),
            ["description"] = Schema.Text(),
            ["defaults"] = Schema.Object(WorkloadParser.DefaultsFields, defaults, description: "profile fields every profile starts from"),
            ["profiles"] = Schema.Map(Schema.OrNull(Schema.Object(WorkloadParser.ProfileFields, profile)), "profile name (smoke, full, …) → profile"),
        }, required: ["name", "profiles"]);
    }

    private static JsonObject Policy()
    {
        var metricIds = MetricCatalog.All.Select(m => m.Id).ToList();
        var requirement = Schema.Object(PolicyLoader.RequirementFields, new Dictionary<string, JsonNode>
        {
            ["metric"] = Schema.OneOf(metricIds, "a metric id of docs/metrics.md"),
            ["statistic"] = Schema.OneOf(MetricStatistics.All, "value for a number; mean, p50 … max for a distribution"),
            ["comparator"] = Schema.OneOf(Comparators.All),
            ["threshold"] = Schema.Number(0, exclusive: false),
        }, required: PolicyLoader.RequirementFields);
        return Schema.Object(PolicyLoader.RootFields, new Dictionary<string, JsonNode>
        {
            ["name"] = Schema.Text(),
            ["description"] = Schema.Text(),
            ["confidence"] = Schema.Number(0, exclusive: true, below: 1, "one-sided confidence of the bound each requirement is tested on (default 0.95)"),
            ["evidence"] = Schema.Object(PolicyLoader.EvidenceFields, new Dictionary<string, JsonNode>
            {
                ["energy_measured"] = Schema.Boolean(),
                ["min_window_s"] = Schema.Number(0, exclusive: false),
                ["min_repetitions"] = Schema.Integer(2),
                ["no_throttling"] = Schema.Boolean(),
                ["complete"] = Schema.Boolean(),
            }),
            ["workloads"] = Schema.Map(Schema.Object(PolicyLoader.WorkloadFields, new Dictionary<string, JsonNode>
            {
                ["point"] = Schema.Text("an operating point id, or overall (the default)"),
                ["requirements"] = Schema.Array(requirement),
            }, required: ["requirements"]), "workload name (the manifest's), or * for any → its requirements"),
            ["ranking"] = Schema.Object(PolicyLoader.RankingFields, new Dictionary<string, JsonNode>
            {
                ["metric"] = Schema.OneOf(metricIds),
                ["statistic"] = Schema.OneOf(MetricStatistics.All),
                ["order"] = Schema.OneOf(PolicyLoader.Orders, "default: the metric's better direction"),
                ["point"] = Schema.Text(),
            }, required: ["metric"]),
        }, required: ["name", "workloads"]);
    }

    private static JsonObject CostSheet()
    {
        JsonObject Sourced(bool positive) => Schema.Object(CostSheetLoader.SourcedFields, new Dictionary<string, JsonNode>
        {
            ["value"] = Schema.Number(0, exclusive: positive),
            ["source"] = Schema.Text("the document, URL or quote the figure comes from"),
        }, required: CostSheetLoader.SourcedFields);
        var schema = Schema.Object(CostSheetLoader.RootFields, new Dictionary<string, JsonNode>
        {
            ["name"] = Schema.Text(),
            ["system"] = Schema.Text("what is priced, e.g. 1× H100 SXM5 80GB, 3-year rental"),
            ["accelerators"] = Schema.Integer(1),
            ["as_of"] = Schema.Text("the date the prices were read"),
            ["cloud"] = Schema.Object(CostSheetLoader.CloudFields, new Dictionary<string, JsonNode> { ["usd_per_hour"] = Sourced(positive: true) }, required: CostSheetLoader.CloudFields),
            ["owned"] = Schema.Object(CostSheetLoader.OwnedFields, CostSheetLoader.OwnedFields.ToDictionary(f => f, f => (JsonNode)Sourced(positive: f is "amortization_years" or "pue")), required: CostSheetLoader.OwnedFields),
        }, required: ["name", "system", "as_of"]);
        schema["oneOf"] = new JsonArray(new JsonObject { ["required"] = new JsonArray("cloud") }, new JsonObject { ["required"] = new JsonArray("owned") });
        return schema;
    }

    private static JsonObject SiliconCatalogSchema()
    {
        var sourceKeys = Schema.Array(Schema.Text(), description: "keys of sources");
        var figure = Schema.Object(SiliconCatalog.FigureFields, new Dictionary<string, JsonNode>
        {
            ["value"] = Schema.OrNull(Schema.Number(0, exclusive: true)),
            ["source"] = sourceKeys,
            ["note"] = Schema.Text(),
        }, required: ["value"], description: "a datasheet figure with its sources; null with a note when not found");
        var text = Schema.Object(SiliconCatalog.TextFields, new Dictionary<string, JsonNode> { ["text"] = Schema.Text(), ["source"] = sourceKeys }, required: SiliconCatalog.TextFields);
        var figures = new[] { "memory_gb", "bandwidth_tb_s", "bf16_dense_tflops", "fp8_dense_tflops", "fp4_dense_tflops", "tdp_w" };
        var entry = new Dictionary<string, JsonNode>
        {
            ["id"] = Schema.Text(),
            ["name"] = Schema.Text(),
            ["vendor"] = Schema.Text(),
            ["match"] = Schema.Array(Schema.Text(), description: "case-insensitive regular expressions over the name a driver reports"),
            ["launch"] = text,
            ["price_signals"] = Schema.Array(text),
        };
        foreach (var f in figures)
            entry[f] = figure;
        return Schema.Object(SiliconCatalog.RootFields, new Dictionary<string, JsonNode>
        {
            ["sources"] = Schema.Map(Schema.Text(), "source key → what it is (document, URL, commit)"),
            ["accelerators"] = Schema.Array(Schema.Object(SiliconCatalog.EntryFields, entry, required: ["id", "name", "vendor", .. figures])),
        }, required: SiliconCatalog.RootFields);
    }
}
