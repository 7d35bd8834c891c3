using System.Globalization;
using System.Text.RegularExpressions;
using SiliconBench.Diagnostics;
using SiliconBench.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SiliconBench.Campaigns.Scheduling.Kubernetes;

/// <summary>
/// Checks manifests against the part of the Kubernetes <c>batch/v1</c> Job schema a campaign uses, as strictly as
/// <c>kubectl apply --validate=strict</c> and the API server's validation would: required fields, types (a plain
/// <c>true</c> or <c>8</c> where a string belongs is not a string), enums, name syntaxes, unknown fields, and the
/// rules that join fields (Indexed needs completions; a per-index backoff needs restartPolicy Never; every volume
/// mount names a volume; extended resources are whole numbers with requests equal to limits). Written from the
/// Kubernetes API reference (v1.31); the first problem is an <see cref="InputException"/> naming file, line and field.
/// </summary>
public static partial class KubernetesJobSchema
{
    private static readonly string[] JobFields = ["apiVersion", "kind", "metadata", "spec"];
    private static readonly string[] MetadataFields = ["name", "namespace", "labels", "annotations"];
    private static readonly string[] TemplateMetadataFields = ["labels", "annotations"];
    private static readonly string[] JobSpecFields =
        ["completionMode", "completions", "parallelism", "backoffLimit", "backoffLimitPerIndex", "maxFailedIndexes", "activeDeadlineSeconds", "ttlSecondsAfterFinished", "suspend", "template"];
    private static readonly string[] TemplateFields = ["metadata", "spec"];
    private static readonly string[] PodSpecFields = ["restartPolicy", "containers", "volumes", "nodeSelector", "tolerations", "affinity", "serviceAccountName"];
    private static readonly string[] ContainerFields = ["name", "image", "imagePullPolicy", "command", "args", "workingDir", "env", "resources", "volumeMounts"];
    private static readonly string[] EnvFields = ["name", "value", "valueFrom"];
    private static readonly string[] ValueFromFields = ["fieldRef"];
    private static readonly string[] FieldRefFields = ["fieldPath", "apiVersion"];
    private static readonly string[] ResourceFields = ["limits", "requests"];
    private static readonly string[] MountFields = ["name", "mountPath", "readOnly", "subPath"];
    private static readonly string[] VolumeFields = ["name", "persistentVolumeClaim", "emptyDir", "hostPath"];
    private static readonly string[] VolumeSources = ["persistentVolumeClaim", "emptyDir", "hostPath"];
    private static readonly string[] ClaimFields = ["claimName", "readOnly"];
    private static readonly string[] HostPathFields = ["path", "type"];
    private static readonly string[] EmptyDirFields = ["medium", "sizeLimit"];
    private static readonly string[] TolerationFields = ["key", "operator", "value", "effect", "tolerationSeconds"];
    private static readonly string[] AffinityFields = ["podAntiAffinity"];
    private static readonly string[] AntiAffinityFields = ["requiredDuringSchedulingIgnoredDuringExecution"];
    private static readonly string[] AffinityTermFields = ["labelSelector", "topologyKey", "namespaces"];
    private static readonly string[] SelectorFields = ["matchLabels"];
    private static readonly string[] CompletionModes = ["NonIndexed", "Indexed"];
    private static readonly string[] RestartPolicies = ["Never", "OnFailure"];
    private static readonly string[] PullPolicies = ["Always", "IfNotPresent", "Never"];

    /// <summary>Kubernetes caps completions and parallelism of an Indexed Job at 10^5.</summary>
    public const int MaxIndexedCompletions = 100_000;

    /// <summary>Checks every document of <paramref name="text"/>; each must be a Job.</summary>
    public static void Check(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var y = new YamlFields(source);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new InputException(source, checked((int)e.Start.Line), null, $"malformed YAML: {e.Message}", e);
        }
        if (stream.Documents.Count == 0)
            throw new InputException(source, 1, null, "no manifest in the file");
        foreach (var document in stream.Documents)
            Job(y, new YNode(document.RootNode, ""));
    }

    /// <summary>Whether a plain YAML scalar would be read (YAML 1.1, as Kubernetes' decoder does) as a number, boolean or null.</summary>
    public static bool ReadsAsNonString(string value) => NonStringPlain().IsMatch(value);

    private static void Job(YamlFields y, YNode node)
    {
        var job = y.Mapping(node, "a Job: apiVersion, kind, metadata, spec");
        y.CheckKeys(job, JobFields);
        Const(y, y.Require(job, "apiVersion").Value, "batch/v1");
        Const(y, y.Require(job, "kind").Value, "Job");
        var metadataField = y.Require(job, "metadata");
        var metadata = y.Mapping(metadataField.Value, "object metadata", metadataField.KeyLine);
        y.CheckKeys(metadata, MetadataFields);
        var name = y.Require(metadata, "name").Value;
        // The Job's name becomes its pods' job-name label, so it must be a label value too (at most 63).
        if (KubernetesNames.DnsSubdomainProblem(Str(y, name)) is { } nameProblem)
            throw y.Error(name, nameProblem);
        if (Str(y, name).Length > 63)
            throw y.Error(name, "a Job's name is at most 63 characters (it becomes its pods' job-name label)");
        if (metadata["namespace"] is { } ns && KubernetesNames.DnsLabelProblem(Str(y, ns.Value)) is { } nsProblem)
            throw y.Error(ns.Value, nsProblem);
        Labels(y, metadata["labels"]);
        StringMap(y, metadata["annotations"], key => KubernetesNames.LabelKeyProblem(key));

        var specField = y.Require(job, "spec");
        var spec = y.Mapping(specField.Value, "a JobSpec", specField.KeyLine);
        y.CheckKeys(spec, JobSpecFields);
        var indexed = spec["completionMode"] is { } mode && Choice(y, mode.Value, CompletionModes) == "Indexed";
        int? completions = spec["completions"] is { } c ? y.Int(c.Value, 0) : null;
        var parallelism = spec["parallelism"] is { } p ? y.Int(p.Value, 0) : (int?)null;
        if (indexed && completions is null)
            throw y.Missing(spec, "completions");
        if (indexed && completions > MaxIndexedCompletions)
            throw y.Error(spec["completions"]!.Value, $"an Indexed Job has at most {MaxIndexedCompletions} completions");
        if (indexed && parallelism > MaxIndexedCompletions)
            throw y.Error(spec["parallelism"]!.Value, $"an Indexed Job has a parallelism of at most {MaxIndexedCompletions}");
        if (spec["backoffLimit"] is { } bl)
            y.Int(bl.Value, 0);
        var perIndex = spec["backoffLimitPerIndex"] is { } bpi ? y.Int(bpi.Value, 0) : (int?)null;
        if (perIndex is not null && !indexed)
            throw y.Error(spec["backoffLimitPerIndex"]!.Value, "backoffLimitPerIndex applies only to completionMode Indexed");
        if (spec["maxFailedIndexes"] is { } mfi)
        {
            y.Int(mfi.Value, 0);
            if (perIndex is null)
                throw y.Error(mfi.Value, "maxFailedIndexes needs backoffLimitPerIndex");
        }
        if (spec["activeDeadlineSeconds"] is { } ads)
            y.Int(ads.Value, 1);
        if (spec["ttlSecondsAfterFinished"] is { } ttl)
            y.Int(ttl.Value, 0);
        if (spec["suspend"] is { } suspend)
            y.Bool(suspend.Value);

        var templateField = y.Require(spec, "template");
        var template = y.Mapping(templateField.Value, "a PodTemplateSpec: metadata, spec", templateField.KeyLine);
        y.CheckKeys(template, TemplateFields);
        if (template["metadata"] is { } tm)
        {
            var tmeta = y.Mapping(tm.Value, "pod metadata", tm.KeyLine);
            y.CheckKeys(tmeta, TemplateMetadataFields);
            Labels(y, tmeta["labels"]);
            StringMap(y, tmeta["annotations"], key => KubernetesNames.LabelKeyProblem(key));
        }
        Pod(y, y.Require(template, "spec"), perIndex is not null);
    }

    private static void Pod(YamlFields y, Field field, bool perIndexBackoff)
    {
        var pod = y.Mapping(field.Value, "a PodSpec", field.KeyLine);
        y.CheckKeys(pod, PodSpecFields);
        // A Job's pods may not restart Always; a per-index backoff counts pod failures, so it needs Never.
        var restart = Choice(y, y.Require(pod, "restartPolicy").Value, RestartPolicies);
        if (perIndexBackoff && restart != "Never")
            throw y.Error(pod["restartPolicy"]!.Value, "backoffLimitPerIndex needs restartPolicy Never");
        if (pod["serviceAccountName"] is { } sa && KubernetesNames.DnsSubdomainProblem(Str(y, sa.Value)) is { } saProblem)
            throw y.Error(sa.Value, saProblem);
        StringMap(y, pod["nodeSelector"], KubernetesNames.LabelKeyProblem);
        if (pod["tolerations"] is { } tolerations)
        {
            foreach (var item in y.Sequence(tolerations.Value, "a list of tolerations"))
                Toleration(y, item);
        }
        if (pod["affinity"] is { } affinity)
            Affinity(y, affinity);

        var volumes = new Dictionary<string, int>(StringComparer.Ordinal);
        if (pod["volumes"] is { } vs)
        {
            foreach (var item in y.Sequence(vs.Value, "a list of volumes"))
            {
                var name = Volume(y, item);
                if (!volumes.TryAdd(name, item.Line))
                    throw y.Error(item, $"volume '{name}' is defined twice");
            }
        }
        var containers = y.Sequence(y.Require(pod, "containers").Value, "a list of containers");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in containers)
        {
            var name = Container(y, item, volumes);
            if (!names.Add(name))
                throw y.Error(item, $"container '{name}' is defined twice");
        }
    }

    private static string Container(YamlFields y, YNode node, IReadOnlyDictionary<string, int> volumes)
    {
        var c = y.Mapping(node, "a container");
        y.CheckKeys(c, ContainerFields);
        var name = LabelName(y, c);
        // The API server lets a pod template omit the image only for a later policy to fill in; a Job's pods need one.
        if (Str(y, y.Require(c, "image").Value).Any(char.IsWhiteSpace))
            throw y.Error(c["image"]!.Value, "an image reference has no whitespace");
        if (c["imagePullPolicy"] is { } pull)
            Choice(y, pull.Value, PullPolicies);
        foreach (var list in new[] { "command", "args" })
        {
            if (c[list] is { } words)
            {
                foreach (var word in y.Sequence(words.Value, "a list of strings"))
                    Str(y, word, allowEmpty: true);
            }
        }
        if (c["workingDir"] is { } wd)
            Str(y, wd.Value);
        if (c["env"] is { } env)
        {
            foreach (var item in y.Sequence(env.Value, "a list of environment variables"))
                Env(y, item);
        }
        if (c["resources"] is { } resources)
            Resources(y, resources);
        if (c["volumeMounts"] is { } mounts)
        {
            foreach (var item in y.Sequence(mounts.Value, "a list of volume mounts"))
            {
                var m = y.Mapping(item, "a volume mount {name, mountPath}");
                y.CheckKeys(m, MountFields);
                var volumeNode = y.Require(m, "name").Value;
                if (!volumes.ContainsKey(Str(y, volumeNode)))
                    throw y.Error(volumeNode, $"no volume named '{Str(y, volumeNode)}' in the pod (volumes: {string.Join(", ", volumes.Keys)})");
                var path = y.Require(m, "mountPath").Value;
                if (!Str(y, path).StartsWith('/'))
                    throw y.Error(path, "a mount path is absolute");
                if (m["readOnly"] is { } ro)
                    y.Bool(ro.Value);
                if (m["subPath"] is { } sp)
                    Str(y, sp.Value);
            }
        }
        return name;
    }

    private static void Env(YamlFields y, YNode node)
    {
        var e = y.Mapping(node, "an environment variable {name, value | valueFrom}");
        y.CheckKeys(e, EnvFields);
        var nameNode = y.Require(e, "name").Value;
        if (!KubernetesNames.IsEnvName(Str(y, nameNode)))
            throw y.Error(nameNode, $"'{Str(y, nameNode)}' is not a valid environment variable name");
        if (e["value"] is { } value)
        {
            Str(y, value.Value, allowEmpty: true);
            if (e["valueFrom"] is not null)
                throw y.Error(value.Value, "an environment variable has a value or a valueFrom, not both");
            return;
        }
        var fromField = y.Require(e, "valueFrom");
        var from = y.Mapping(fromField.Value, "a valueFrom with fieldRef", fromField.KeyLine);
        y.CheckKeys(from, ValueFromFields);
        var refField = y.Require(from, "fieldRef");
        var fieldRef = y.Mapping(refField.Value, "a fieldRef {fieldPath}", refField.KeyLine);
        y.CheckKeys(fieldRef, FieldRefFields);
        if (fieldRef["apiVersion"] is { } av)
            Const(y, av.Value, "v1");
        var path = y.Require(fieldRef, "fieldPath").Value;
        if (!FieldPath().IsMatch(Str(y, path)))
            throw y.Error(path, $"'{Str(y, path)}' is not a pod field the downward API gives (metadata.name, metadata.namespace, metadata.uid, metadata.labels['KEY'], metadata.annotations['KEY'], spec.nodeName, spec.serviceAccountName, status.hostIP, status.podIP, …)");
    }

    private static void Resources(YamlFields y, Field field)
    {
        var r = y.Mapping(field.Value, "resources {limits, requests}", field.KeyLine);
        y.CheckKeys(r, ResourceFields);
        var limits = Quantities(y, r["limits"]);
        var requests = Quantities(y, r["requests"]);
        foreach (var (name, (value, node)) in requests)
        {
            if (!IsExtended(name))
                continue;
            // Extended resources (GPUs) cannot be overcommitted: a request must equal its limit, and the limit must exist.
            if (!limits.TryGetValue(name, out var limit))
                throw y.Error(node, $"extended resource '{name}' must have a limit equal to its request");
            if (limit.Value != value)
                throw y.Error(node, $"extended resource '{name}': the request ({value}) must equal the limit ({limit.Value})");
        }
    }

    private static Dictionary<string, (string Value, YNode Node)> Quantities(YamlFields y, Field? field)
    {
        var result = new Dictionary<string, (string, YNode)>(StringComparer.Ordinal);
        if (field is null)
            return result;
        var block = y.Mapping(field.Value, "a mapping of resource name to quantity", field.KeyLine);
        foreach (var f in block.Fields)
        {
            if (KubernetesNames.ResourceNameProblem(f.Key) is { } problem)
                throw new InputException(y.File, f.KeyLine, f.Value.Path, problem);
            // A quantity may be written as a number or a string.
            var value = f.Value.Node is YamlScalarNode { Value: { } v } ? v : throw y.Expected(f.Value, "a quantity, e.g. 8, 500m or 64Gi");
            if (!KubernetesNames.IsQuantity(value))
                throw y.Expected(f.Value, "a quantity, e.g. 8, 500m or 64Gi");
            if (IsExtended(f.Key) && !WholeNumber().IsMatch(value))
                throw y.Error(f.Value, $"extended resource '{f.Key}' takes a whole number, got '{value}'");
            result[f.Key] = (value, f.Value);
        }
        return result;
    }

    /// <summary>Resources outside the kubernetes.io domain that are not cpu, memory, storage or hugepages: device plugins' (nvidia.com/gpu).</summary>
    private static bool IsExtended(string name) =>
        name.Contains('/', StringComparison.Ordinal) && !name.StartsWith("kubernetes.io/", StringComparison.Ordinal) && !name.StartsWith("requests.", StringComparison.Ordinal);

    private static string Volume(YamlFields y, YNode node)
    {
        var v = y.Mapping(node, "a volume {name, and one source}");
        y.CheckKeys(v, VolumeFields);
        var name = LabelName(y, v);
        var sources = VolumeSources.Where(s => v[s] is not null).ToList();
        if (sources.Count != 1)
            throw y.Error(node, $"a volume has exactly one source ({string.Join(", ", VolumeSources)}), found {sources.Count}");
        var source = v[sources[0]]!;
        var b = y.Mapping(source.Value, $"a {sources[0]} source", source.KeyLine);
        switch (sources[0])
        {
            case "persistentVolumeClaim":
                y.CheckKeys(b, ClaimFields);
                var claim = y.Require(b, "claimName").Value;
                if (KubernetesNames.DnsSubdomainProblem(Str(y, claim)) is { } claimProblem)
                    throw y.Error(claim, claimProblem);
                if (b["readOnly"] is { } ro)
                    y.Bool(ro.Value);
                break;
            case "hostPath":
                y.CheckKeys(b, HostPathFields);
                if (!Str(y, y.Require(b, "path").Value).StartsWith('/'))
                    throw y.Error(b["path"]!.Value, "a host path is absolute");
                break;
            default:
                y.CheckKeys(b, EmptyDirFields);
                break;
        }
        return name;
    }

    /// <summary>The required <c>name</c> of a container or volume: an RFC 1123 label.</summary>
    private static string LabelName(YamlFields y, Block block)
    {
        var node = y.Require(block, "name").Value;
        var name = Str(y, node);
        return KubernetesNames.DnsLabelProblem(name) is { } problem ? throw y.Error(node, problem) : name;
    }

    private static void Toleration(YamlFields y, YNode node)
    {
        var t = y.Mapping(node, "a toleration {key, operator, value, effect}");
        y.CheckKeys(t, TolerationFields);
        var op = t["operator"] is { } o ? Choice(y, o.Value, KubernetesNames.TolerationOperators) : "Equal";
        if (t["key"] is { } key && KubernetesNames.LabelKeyProblem(Str(y, key.Value)) is { } keyProblem)
            throw y.Error(key.Value, keyProblem);
        if (t["key"] is null && op != "Exists")
            throw y.Error(node, "a toleration without a key must use operator Exists");
        if (t["value"] is { } value)
        {
            var v = Str(y, value.Value, allowEmpty: true);
            if (op == "Exists" && v.Length > 0)
                throw y.Error(value.Value, "a toleration with operator Exists takes no value");
            if (KubernetesNames.LabelValueProblem(v) is { } valueProblem)
                throw y.Error(value.Value, valueProblem);
        }
        if (t["effect"] is { } effect)
            Choice(y, effect.Value, KubernetesNames.TaintEffects);
        if (t["tolerationSeconds"] is { } seconds)
        {
            y.Int(seconds.Value, int.MinValue);
            if (t["effect"] is not { } e || Str(y, e.Value) != "NoExecute")
                throw y.Error(seconds.Value, "tolerationSeconds applies only to effect NoExecute");
        }
    }

    private static void Affinity(YamlFields y, Field field)
    {
        var a = y.Mapping(field.Value, "an affinity", field.KeyLine);
        y.CheckKeys(a, AffinityFields);
        if (a["podAntiAffinity"] is not { } anti)
            return;
        var b = y.Mapping(anti.Value, "a podAntiAffinity", anti.KeyLine);
        y.CheckKeys(b, AntiAffinityFields);
        if (b["requiredDuringSchedulingIgnoredDuringExecution"] is not { } required)
            return;
        foreach (var item in y.Sequence(required.Value, "a list of pod affinity terms"))
        {
            var term = y.Mapping(item, "a pod affinity term {labelSelector, topologyKey}");
            y.CheckKeys(term, AffinityTermFields);
            var topology = y.Require(term, "topologyKey").Value;
            if (KubernetesNames.LabelKeyProblem(Str(y, topology)) is { } topologyProblem)
                throw y.Error(topology, topologyProblem);
            if (term["labelSelector"] is { } selector)
            {
                var s = y.Mapping(selector.Value, "a label selector {matchLabels}", selector.KeyLine);
                y.CheckKeys(s, SelectorFields);
                Labels(y, s["matchLabels"]);
            }
            if (term["namespaces"] is { } namespaces)
            {
                foreach (var ns in y.Sequence(namespaces.Value, "a list of namespaces"))
                    Str(y, ns);
            }
        }
    }

    private static void Labels(YamlFields y, Field? field)
    {
        if (field is null)
            return;
        var block = y.Mapping(field.Value, "a mapping of label key to value", field.KeyLine);
        foreach (var f in block.Fields)
        {
            if (KubernetesNames.LabelKeyProblem(f.Key) is { } keyProblem)
                throw new InputException(y.File, f.KeyLine, f.Value.Path, keyProblem);
            if (KubernetesNames.LabelValueProblem(Str(y, f.Value, allowEmpty: true)) is { } valueProblem)
                throw y.Error(f.Value, valueProblem);
        }
    }

    private static void StringMap(YamlFields y, Field? field, Func<string, string?> keyProblem)
    {
        if (field is null)
            return;
        var block = y.Mapping(field.Value, "a mapping of strings", field.KeyLine);
        foreach (var f in block.Fields)
        {
            if (keyProblem(f.Key) is { } problem)
                throw new InputException(y.File, f.KeyLine, f.Value.Path, problem);
            Str(y, f.Value, allowEmpty: true);
        }
    }

    private static string Choice(YamlFields y, YNode node, IReadOnlyList<string> choices)
    {
        var value = Str(y, node);
        return choices.Contains(value) ? value : throw y.Expected(node, "one of " + string.Join(", ", choices));
    }

    private static void Const(YamlFields y, YNode node, string expected)
    {
        if (Str(y, node) != expected)
            throw y.Expected(node, expected);
    }

    /// <summary>A string as Kubernetes reads it: a quoted scalar, or a plain one that YAML does not read as a number, boolean or null.</summary>
    private static string Str(YamlFields y, YNode node, bool allowEmpty = false)
    {
        if (node.Node is not YamlScalarNode { Value: { } value } scalar)
            throw y.Expected(node, "a string");
        if (scalar.Style == ScalarStyle.Plain && (ReadsAsNonString(value) || value.Length == 0))
            throw y.Error(node, $"expected a string, got {node.Describe()}, which YAML reads as a {(value.Length == 0 || value is "~" or "null" or "Null" or "NULL" ? "null" : NumberLike().IsMatch(value) ? "number" : "boolean")}; quote it");
        if (!allowEmpty && value.Length == 0)
            throw y.Expected(node, "a non-empty string");
        return value;
    }

    [GeneratedRegex(@"^(~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|0x[0-9a-fA-F_]+|0o?[0-7_]+|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial Regex NonStringPlain();

    [GeneratedRegex(@"^[-+]?[0-9.]")]
    private static partial Regex NumberLike();

    [GeneratedRegex(@"^[0-9]+$")]
    private static partial Regex WholeNumber();

    [GeneratedRegex(@"^(metadata\.(name|namespace|uid)|metadata\.(labels|annotations)\['[^']+'\]|spec\.(nodeName|serviceAccountName)|status\.(hostIP|hostIPs|podIP|podIPs))$")]
    private static partial Regex FieldPath();
}
