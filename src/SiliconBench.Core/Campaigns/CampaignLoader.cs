using System.Globalization;
using System.Text.RegularExpressions;
using SiliconBench.Campaigns.Scheduling.Kubernetes;
using SiliconBench.Costs;
using SiliconBench.Diagnostics;
using SiliconBench.Gating;
using SiliconBench.Models;
using SiliconBench.Workloads;
using SiliconBench.Yaml;

namespace SiliconBench.Campaigns;

/// <summary>A built-in workload's text by name, or null when there is none (the CLI carries the files of <c>workloads/</c>).</summary>
public delegate string? BuiltinWorkloads(string name);

/// <summary>
/// Reads a campaign file strictly (workloads/campaigns/README.md): unknown fields, wrong types, a profile a workload
/// lacks, a value Slurm or Kubernetes would refuse are <see cref="InputException"/>s naming file, line and field.
/// Workloads, cost sheets and the gate policy it names are loaded too, so their errors surface at submit, not on a node.
/// </summary>
public static partial class CampaignLoader
{
    private static readonly string[] RootFields = ["name", "description", "storage", "tool", "matrix", "run", "systems", "gate", "kubernetes"];
    private static readonly string[] MatrixFields = ["workloads", "profiles", "models", "repetitions"];
    private static readonly string[] RunFields = ["idle_s", "roofline", "cooldown_s"];
    private static readonly string[] SystemFields = ["backend", "device", "dtype", "options", "samplers", "cost", "kv_budget_gb", "exclusive", "slurm", "kubernetes"];
    private static readonly string[] SlurmFields = ["partition", "constraint", "gres", "cpus_per_task", "mem", "time", "account", "qos", "max_parallel", "options"];
    private static readonly string[] KubernetesSystemFields = ["image", "node_selector", "gpus", "gpu_resource", "cpu", "memory", "tolerations"];
    private static readonly string[] TolerationFields = ["key", "operator", "value", "effect"];
    private static readonly string[] KubernetesFields = ["namespace", "storage_claim", "image"];
    private static readonly string[] GateFields = ["policy"];
    private static readonly string[] Dtypes = ["fp32", "fp16", "bf16"];
    private static readonly string[] SamplerKinds = ["nvml", "rapl", "command", "replay"];

    /// <summary>Longest campaign name: run ids and Kubernetes Job names are built from it.</summary>
    public const int MaxNameLength = 40;

    public static Campaign Load(string path, BuiltinWorkloads builtins, IReadOnlyCollection<string>? backends = null)
    {
        var full = Path.GetFullPath(path);
        return Parse(YamlFields.ReadFile(full, "campaign file"), full, Path.GetDirectoryName(full)!, builtins, backends);
    }

    /// <param name="baseDirectory">Resolves relative paths (storage, workloads, models, cost sheets, policy).</param>
    /// <param name="backends">Engine ids this build knows; null skips the check.</param>
    public static Campaign Parse(string text, string source, string baseDirectory, BuiltinWorkloads builtins, IReadOnlyCollection<string>? backends = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(builtins);
        var y = new YamlFields(source);
        var root = y.Mapping(y.LoadDocument(text, "a campaign (name, storage, matrix, systems)"), "a campaign: a mapping with name, storage, matrix, systems");
        y.CheckKeys(root, RootFields);

        var nameField = y.Require(root, "name");
        var name = Slug(y, nameField.Value, "a campaign name", MaxNameLength);
        var storage = AbsolutePath(y, y.Require(root, "storage").Value, baseDirectory, "a directory on storage every node mounts");
        if (storage.Any(char.IsWhiteSpace))
            throw y.Error(y.Require(root, "storage").Value, "a storage path with whitespace cannot be named in an #SBATCH line; choose one without");

        var matrixField = y.Require(root, "matrix");
        var matrix = y.Mapping(matrixField.Value, "a mapping with workloads, profiles, models, repetitions", matrixField.KeyLine);
        y.CheckKeys(matrix, MatrixFields);
        var workloads = Workloads(y, y.Require(matrix, "workloads").Value, baseDirectory, builtins);
        var profiles = Profiles(y, y.Require(matrix, "profiles").Value, workloads);
        var models = Models(y, y.Require(matrix, "models").Value, baseDirectory);
        var repetitions = matrix["repetitions"] is { } r ? y.Int(r.Value, 1, 1000) : 1;

        var systemsField = y.Require(root, "systems");
        var systemsBlock = y.Mapping(systemsField.Value, "a mapping from system name to how it runs", systemsField.KeyLine);
        if (systemsBlock.Fields.Count == 0)
            throw y.Error(systemsField.Value, "expected at least one system");
        var systems = systemsBlock.Fields.Select(f => System(y, f, baseDirectory, backends)).ToList();

        string? policy = null;
        if (root["gate"] is { } g)
        {
            var gate = y.Mapping(g.Value, "a mapping with policy", g.KeyLine);
            y.CheckKeys(gate, GateFields);
            var policyField = y.Require(gate, "policy");
            policy = ExistingFile(y, policyField.Value, baseDirectory, "a gate policy file");
            PolicyLoader.Load(policy);
        }

        return new Campaign
        {
            Name = name,
            Description = root["description"] is { } d ? y.Text(d.Value, "a description") : null,
            File = source,
            ContentSha256 = CostSheetLoader.Sha256Hex(text),
            Storage = storage,
            Tool = root["tool"] is { } t ? Tool(y, t.Value, baseDirectory) : ["siliconbench"],
            Workloads = [.. workloads.Select(w => w.Entry)],
            Profiles = profiles,
            Models = models,
            Repetitions = repetitions,
            Run = root["run"] is { } run ? Run(y, run) : new RunSettings(),
            Systems = systems,
            GatePolicy = policy,
            Kubernetes = root["kubernetes"] is { } k ? Kubernetes(y, k) : new KubernetesSettings(),
        };
    }

    private static List<(CampaignWorkload Entry, Workload Parsed)> Workloads(YamlFields y, YNode node, string baseDirectory, BuiltinWorkloads builtins)
    {
        var result = new List<(CampaignWorkload, Workload)>();
        foreach (var item in y.Sequence(node, "a list of workloads (built-in names or files)"))
        {
            var spec = y.Text(item, "a built-in workload name or a workload file");
            var path = Path.GetFullPath(spec, baseDirectory);
            var builtinName = Path.GetFileNameWithoutExtension(spec);
            string text;
            string? file = null;
            if (File.Exists(path))
            {
                text = YamlFields.ReadFile(path, "workload file");
                file = path;
            }
            else
            {
                text = builtins(builtinName) ?? throw y.Error(item, $"no such workload file ({path}) and no built-in workload '{builtinName}'");
            }
            var workload = WorkloadLoader.Parse(text, file ?? $"builtin:{builtinName}.yaml", file is null ? null : Path.GetDirectoryName(file));
            if (result.FirstOrDefault(w => w.Item1.Name == workload.Name) is { Item1: { } twin })
                throw y.Error(item, $"workload '{workload.Name}' is already in the campaign (line {twin.Line})");
            result.Add((new CampaignWorkload(spec, workload.Name, file, text, CostSheetLoader.Sha256Hex(text), item.Line), workload));
        }
        return result;
    }

    private static List<string> Profiles(YamlFields y, YNode node, IReadOnlyList<(CampaignWorkload Entry, Workload Parsed)> workloads)
    {
        var result = new List<string>();
        foreach (var item in y.Sequence(node, "a list of profile names"))
        {
            var profile = y.Text(item, "a profile name");
            if (result.Contains(profile))
                throw y.Error(item, $"profile '{profile}' is listed twice");
            foreach (var (entry, parsed) in workloads)
            {
                if (!parsed.ProfileNames.Contains(profile))
                    throw y.Error(item, $"workload '{entry.Name}' has no profile '{profile}' (it has: {string.Join(", ", parsed.ProfileNames)})");
            }
            result.Add(profile);
        }
        return result;
    }

    private static List<CampaignModel> Models(YamlFields y, YNode node, string baseDirectory)
    {
        var result = new List<CampaignModel>();
        foreach (var item in y.Sequence(node, "a list of model specs (synthetic:<preset> or paths on shared storage)"))
        {
            var text = y.Text(item, "a model spec");
            string spec, slug;
            if (text.StartsWith(ModelSpec.SyntheticPrefix, StringComparison.OrdinalIgnoreCase))
            {
                try
                {
                    ModelSpec.Parse(text, y.File, "models");
                }
                catch (InputException e)
                {
                    throw y.Error(item, e.Problem);
                }
                spec = text;
                slug = text[ModelSpec.SyntheticPrefix.Length..];
            }
            else
            {
                // A checkpoint lives on the nodes' storage: made absolute here, checked by the run that loads it.
                spec = Path.GetFullPath(text, baseDirectory);
                slug = Path.GetFileName(Path.TrimEndingDirectorySeparator(spec));
                if (slug.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
                    slug = slug[..^5];
            }
            slug = SlugOf(slug);
            if (result.FirstOrDefault(m => m.Slug == slug) is { } twin)
                throw y.Error(item, $"model '{text}' has the same short name '{slug}' as line {twin.Line}; run ids would clash (rename a directory)");
            result.Add(new CampaignModel(spec, slug, item.Line));
        }
        return result;
    }

    /// <summary>The command nodes run; a relative path in its first word (one with a '/') is made absolute from the campaign's folder.</summary>
    private static IReadOnlyList<string> Tool(YamlFields y, YNode node, string baseDirectory)
    {
        List<string> words = node.Node is YamlDotNet.RepresentationModel.YamlSequenceNode
            ? [.. y.Sequence(node, "the command nodes run, as a list of words").Select(w => y.Text(w, "a word of the command"))]
            : [y.Text(node, "the command nodes run (a path, or a list of words)")];
        if (words[0].Contains('/', StringComparison.Ordinal) && !Path.IsPathRooted(words[0]))
            words[0] = Path.GetFullPath(words[0], baseDirectory);
        return words;
    }

    private static RunSettings Run(YamlFields y, Field field)
    {
        var b = y.Mapping(field.Value, "a mapping of " + string.Join(", ", RunFields), field.KeyLine);
        y.CheckKeys(b, RunFields);
        return new RunSettings
        {
            IdleSeconds = b["idle_s"] is { } i ? y.Number(i.Value, 0, inclusive: true) : 0,
            Roofline = b["roofline"] is not { } r || y.Bool(r.Value),
            CooldownSeconds = b["cooldown_s"] is { } c ? y.Number(c.Value, 0, inclusive: true) : 0,
        };
    }

    private static CampaignSystem System(YamlFields y, Field field, string baseDirectory, IReadOnlyCollection<string>? backends)
    {
        if (field.Key.Length > 30 || !SlugSyntax().IsMatch(field.Key))
            throw new InputException(y.File, field.KeyLine, field.Value.Path, SlugProblem("a system name", 30, field.Key));
        var name = field.Key;
        var b = y.Mapping(field.Value, "a mapping with backend, device, samplers, slurm, kubernetes", field.KeyLine);
        y.CheckKeys(b, SystemFields);
        var backendField = b["backend"];
        var backend = backendField is not null ? y.Text(backendField.Value, "an engine id, e.g. onnxruntime or worker") : "onnxruntime";
        if (backends is not null && backendField is not null && !backends.Contains(backend, StringComparer.OrdinalIgnoreCase))
            throw y.Error(backendField.Value, $"unknown backend '{backend}'; this build has: {string.Join(", ", backends.Order(StringComparer.Ordinal))}");
        var samplers = new List<string>();
        if (b["samplers"] is { } s)
        {
            foreach (var item in y.Sequence(s.Value, "a list of sampler specs (run --sampler values)"))
            {
                var spec = y.Text(item, "a sampler spec, e.g. nvml");
                var kind = spec.Split(':', 2)[0].Trim();
                if (!SamplerKinds.Contains(kind))
                    throw y.Error(item, $"unknown sampler '{kind}'; expected one of {string.Join(", ", SamplerKinds)}");
                samplers.Add(spec);
            }
        }
        var exclusive = samplers.Count > 0;
        if (b["exclusive"] is { } ex)
        {
            var asked = y.Bool(ex.Value);
            if (!asked && samplers.Count > 0)
                throw y.Error(ex.Value, "energy is measured on this system (samplers), so its tasks take whole nodes: another job's load would be in the joules");
            exclusive = asked;
        }
        string? cost = null;
        if (b["cost"] is { } c)
        {
            cost = ExistingFile(y, c.Value, baseDirectory, "a cost sheet file");
            CostSheetLoader.Load(cost);
        }
        return new CampaignSystem
        {
            Name = name,
            Line = field.KeyLine,
            Backend = backend,
            Device = b["device"] is { } dv ? NoWhitespace(y, dv.Value, "a device, e.g. cpu or cuda") : "cpu",
            Dtype = b["dtype"] is { } dt ? y.Choice(dt.Value, Dtypes) : null,
            Options = b["options"] is { } o ? Pairs(y, o, "engine options KEY: VALUE") : [],
            Samplers = samplers,
            CostSheet = cost,
            KvBudgetGb = b["kv_budget_gb"] is { } kv ? y.Number(kv.Value, 0, inclusive: false) : null,
            Exclusive = exclusive,
            Slurm = b["slurm"] is { } sl ? Slurm(y, sl) : new SlurmSystem(),
            Kubernetes = b["kubernetes"] is { } k ? KubernetesSystem(y, k) : new KubernetesSystem(),
        };
    }

    private static SlurmSystem Slurm(YamlFields y, Field field)
    {
        var b = y.Mapping(field.Value, "a mapping of " + string.Join(", ", SlurmFields), field.KeyLine);
        y.CheckKeys(b, SlurmFields);
        string? Value(string key, string expected) => b[key] is { } f ? NoWhitespace(y, f.Value, expected) : null;
        var extra = new List<string>();
        if (b["options"] is { } o)
        {
            foreach (var item in y.Sequence(o.Value, "a list of sbatch options, e.g. --reservation=bench"))
            {
                var option = NoWhitespace(y, item, "an sbatch option --NAME or --NAME=VALUE");
                if (!SbatchOption().IsMatch(option))
                    throw y.Expected(item, "an sbatch option --NAME or --NAME=VALUE");
                if (SlurmScriptOwned.Any(owned => option == owned || option.StartsWith(owned + "=", StringComparison.Ordinal)))
                    throw y.Error(item, $"{option.Split('=')[0]} is set by the campaign itself; use the system's own fields");
                extra.Add(option);
            }
        }
        var memory = Value("mem", "a memory size, e.g. 64G");
        if (memory is not null && !SlurmMemory().IsMatch(memory))
            throw y.Expected(b["mem"]!.Value, "a memory size, e.g. 64G (a number with an optional K, M, G or T)");
        return new SlurmSystem
        {
            Partition = Value("partition", "a partition name"),
            Constraint = Value("constraint", "a node feature constraint, e.g. h100&nvlink"),
            Gres = Value("gres", "generic resources, e.g. gpu:h100:1"),
            CpusPerTask = b["cpus_per_task"] is { } c ? y.Int(c.Value, 1) : null,
            Memory = memory,
            TimeLimit = Value("time", "a time limit, e.g. 02:00:00"),
            Account = Value("account", "an account"),
            Qos = Value("qos", "a QOS name"),
            MaxParallel = b["max_parallel"] is { } m ? y.Int(m.Value, 1) : null,
            ExtraOptions = extra,
        };
    }

    /// <summary>sbatch options the generated script sets itself.</summary>
    private static readonly string[] SlurmScriptOwned = ["--array", "--output", "--error", "--job-name", "--exclusive", "--partition", "--constraint", "--gres", "--cpus-per-task", "--mem", "--time", "--account", "--qos", "--nodes", "--ntasks"];

    private static KubernetesSystem KubernetesSystem(YamlFields y, Field field)
    {
        var b = y.Mapping(field.Value, "a mapping of " + string.Join(", ", KubernetesSystemFields), field.KeyLine);
        y.CheckKeys(b, KubernetesSystemFields);
        var selector = new List<KeyValuePair<string, string>>();
        if (b["node_selector"] is { } ns)
        {
            var block = y.Mapping(ns.Value, "a mapping of node label to value", ns.KeyLine);
            foreach (var f in block.Fields)
            {
                if (KubernetesNames.LabelKeyProblem(f.Key) is { } keyProblem)
                    throw new InputException(y.File, f.KeyLine, f.Value.Path, keyProblem);
                var value = Scalar(y, f.Value, "a label value");
                if (KubernetesNames.LabelValueProblem(value) is { } valueProblem)
                    throw y.Error(f.Value, valueProblem);
                selector.Add(new(f.Key, value));
            }
        }
        var tolerations = new List<KubernetesToleration>();
        if (b["tolerations"] is { } t)
        {
            foreach (var item in y.Sequence(t.Value, "a list of tolerations {key, operator, value, effect}"))
            {
                var tb = y.Mapping(item, "a toleration {key, operator, value, effect}");
                y.CheckKeys(tb, TolerationFields);
                var op = tb["operator"] is { } o ? y.Choice(o.Value, KubernetesNames.TolerationOperators) : "Equal";
                var value = tb["value"] is { } v ? Scalar(y, v.Value, "a taint value") : null;
                if (op == "Exists" && value is not null)
                    throw y.Error(tb["value"]!.Value, "a toleration with operator Exists takes no value");
                tolerations.Add(new KubernetesToleration(
                    tb["key"] is { } k ? y.Text(k.Value, "a taint key") : null,
                    op,
                    value,
                    tb["effect"] is { } e ? y.Choice(e.Value, KubernetesNames.TaintEffects) : null));
            }
        }
        string? Quantity(string key)
        {
            if (b[key] is not { } f)
                return null;
            var q = Scalar(y, f.Value, "a Kubernetes quantity, e.g. 8 or 64Gi");
            return KubernetesNames.IsQuantity(q) ? q : throw y.Expected(f.Value, "a Kubernetes quantity, e.g. 8, 500m or 64Gi");
        }
        var gpuResource = b["gpu_resource"] is { } gr ? y.Text(gr.Value, "an extended resource name, e.g. nvidia.com/gpu") : "nvidia.com/gpu";
        if (KubernetesNames.ResourceNameProblem(gpuResource) is { } resourceProblem)
            throw y.Error(b["gpu_resource"]!.Value, resourceProblem);
        return new KubernetesSystem
        {
            Image = b["image"] is { } i ? NoWhitespace(y, i.Value, "a container image") : null,
            NodeSelector = selector,
            Gpus = b["gpus"] is { } g ? y.Int(g.Value, 0, 64) : 0,
            GpuResource = gpuResource,
            Cpu = Quantity("cpu"),
            Memory = Quantity("memory"),
            Tolerations = tolerations,
        };
    }

    private static KubernetesSettings Kubernetes(YamlFields y, Field field)
    {
        var b = y.Mapping(field.Value, "a mapping of " + string.Join(", ", KubernetesFields), field.KeyLine);
        y.CheckKeys(b, KubernetesFields);
        string? Name(string key, string what)
        {
            if (b[key] is not { } f)
                return null;
            var value = y.Text(f.Value, what);
            return KubernetesNames.DnsLabelProblem(value) is { } problem ? throw y.Error(f.Value, problem) : value;
        }
        return new KubernetesSettings
        {
            Namespace = Name("namespace", "a namespace"),
            StorageClaim = Name("storage_claim", "a PersistentVolumeClaim name"),
            Image = b["image"] is { } i ? NoWhitespace(y, i.Value, "a container image") : null,
        };
    }

    private static List<KeyValuePair<string, string>> Pairs(YamlFields y, Field field, string expected)
    {
        var block = y.Mapping(field.Value, "a mapping of " + expected, field.KeyLine);
        return [.. block.Fields.Select(f => new KeyValuePair<string, string>(f.Key, Scalar(y, f.Value, "a value"))).OrderBy(p => p.Key, StringComparer.Ordinal)];
    }

    /// <summary>A scalar's text as written (numbers and booleans included), for values that become strings.</summary>
    private static string Scalar(YamlFields y, YNode node, string expected) =>
        node.Node is YamlDotNet.RepresentationModel.YamlScalarNode { Value: { } v } && !node.IsNull ? v : throw y.Expected(node, expected);

    private static string NoWhitespace(YamlFields y, YNode node, string expected)
    {
        var value = y.Text(node, expected);
        return value.Any(char.IsWhiteSpace) ? throw y.Error(node, $"expected {expected} without whitespace, got '{value}'") : value;
    }

    private static string Slug(YamlFields y, YNode node, string expected, int maxLength)
    {
        var value = y.Text(node, expected);
        return value.Length > maxLength || !SlugSyntax().IsMatch(value) ? throw y.Error(node, SlugProblem(expected, maxLength, value)) : value;
    }

    private static string SlugProblem(string expected, int maxLength, string value) =>
        $"expected {expected} of lower-case letters, digits and '-' (at most {maxLength.ToString(CultureInfo.InvariantCulture)}, starting and ending with a letter or digit), got '{value}'";

    private static string AbsolutePath(YamlFields y, YNode node, string baseDirectory, string expected) =>
        Path.GetFullPath(y.Text(node, expected), baseDirectory);

    private static string ExistingFile(YamlFields y, YNode node, string baseDirectory, string expected)
    {
        var path = AbsolutePath(y, node, baseDirectory, expected);
        return File.Exists(path) ? path : throw y.Error(node, $"no such file: {path}");
    }

    /// <summary>Lower-case letters, digits and '-' only: how model, workload and profile names appear in run ids.</summary>
    public static string SlugOf(string text)
    {
        var chars = text.ToLowerInvariant().Select(ch => ch is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' ? ch : '-').ToArray();
        var slug = string.Join('-', new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
        return slug.Length == 0 ? "x" : slug;
    }

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")]
    private static partial Regex SlugSyntax();

    [GeneratedRegex("^--[A-Za-z][A-Za-z0-9-]*(=.+)?$")]
    private static partial Regex SbatchOption();

    [GeneratedRegex("^[0-9]+[KMGT]?$")]
    private static partial Regex SlurmMemory();
}
