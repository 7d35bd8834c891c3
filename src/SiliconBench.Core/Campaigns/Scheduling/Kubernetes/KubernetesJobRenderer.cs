using System.Globalization;
using System.Text;
using SiliconBench.Diagnostics;
using SiliconBench.Probing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SiliconBench.Campaigns.Scheduling.Kubernetes;

/// <summary>
/// Kubernetes: one Indexed Job per system (<c>completionMode: Indexed</c>; a pod's <c>JOB_COMPLETION_INDEX</c> picks its
/// task), pods mounting the campaign's storage claim at the campaign's storage path, so task folders and records land
/// where <c>campaign status</c> and <c>collect</c> read them. Render only: apply the files with <c>kubectl apply -f</c>.
/// Every rendered manifest is checked against the Job schema (<see cref="KubernetesJobSchema"/>) before it is returned.
/// </summary>
public sealed class KubernetesJobRenderer : ICampaignScheduler
{
    public const string SchedulerId = "k8s";
    public const string ContainerName = "siliconbench";
    public const string StorageVolume = "campaign-storage";
    public const string CampaignLabel = "siliconbench/campaign";
    public const string SystemLabel = "siliconbench/system";

    /// <summary>Kubernetes caps a Job's name so its pods' hostnames (name-index) stay within 63 characters.</summary>
    public const int MaxJobName = 56;

    private static readonly TaskScript.Environment ScriptEnvironment = new(SchedulerProbe.KubernetesKind, SchedulerProbe.KubernetesCompletionIndex,
    [
        new("job_id", "${" + SchedulerProbe.KubernetesJobName + ":-}"),
        new("pod", "${" + SchedulerProbe.PodName + ":-}"),
        new("node", "${" + SchedulerProbe.KubernetesNodeName + ":-}"),
    ]);

    public string Id => SchedulerId;

    public IReadOnlyList<SchedulerFile> Render(CampaignRender request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var campaign = request.Campaign;
        var claim = campaign.Kubernetes.StorageClaim
            ?? throw new InputException(campaign.File, null, "kubernetes.storage_claim", "a Kubernetes campaign needs the PersistentVolumeClaim that holds its storage; every pod mounts it at " + campaign.Storage);
        var files = new List<SchedulerFile>();
        foreach (var system in campaign.Systems)
        {
            var tasks = request.Tasks.Where(t => t.System == system.Name).OrderBy(t => t.Index).ToList();
            if (tasks.Count == 0)
                continue;
            var image = system.Kubernetes.Image ?? campaign.Kubernetes.Image
                ?? throw new InputException(campaign.File, system.Line, $"systems.{system.Name}.kubernetes.image", "no container image for this system (set it here or in kubernetes.image)");
            // A namespace holds one Job per name: a rerun's Jobs carry a suffix.
            var name = $"sb-{campaign.Name}-{system.Name}{request.JobNameSuffix}";
            if (name.Length > MaxJobName)
                throw new InputException(campaign.File, system.Line, $"systems.{system.Name}",
                    $"the Job name '{name}' is longer than {MaxJobName.ToString(CultureInfo.InvariantCulture)} characters; shorten the campaign or system name");
            var script = TaskScript.Body(request.Plan, tasks, t => tasks.IndexOf(t), request.Tool, campaign.Run.CooldownSeconds, ScriptEnvironment);
            var job = Job(campaign, system, tasks.Count, name, image, claim, script);
            var text = Header(campaign, system, tasks) + Serialize(job);
            KubernetesJobSchema.Check(text, $"{system.Name}.yaml");
            files.Add(new SchedulerFile(system.Name, $"{system.Name}.yaml", text, [.. tasks.Select(t => t.Index)], name));
        }
        return files;
    }

    public SubmitResult Submit(SchedulerFile file, string path) =>
        SubmitResult.Failure($"the Kubernetes manifests are rendered, not submitted: apply them with `kubectl apply -f {path}`");

    public SchedulerSnapshot Query(IReadOnlyList<SubmissionRecord> submissions) =>
        SchedulerSnapshot.None("Kubernetes jobs are applied by hand: task states come from the task folders on the storage claim");

    private static string Header(Campaign campaign, CampaignSystem system, IReadOnlyList<CampaignTask> tasks)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"# siliconbench campaign {campaign.Name}, system {system.Name}: an Indexed Job, one completion index per run ({tasks.Count} here).\n");
        sb.Append(CultureInfo.InvariantCulture, $"# Completion index → task: {string.Join(", ", tasks.Select((t, i) => $"{i}→{t.Index}"))}.\n");
        if (system.Exclusive)
            sb.Append("# Exclusive: no two pods of this campaign share a node (pod anti-affinity). Other workloads can only be kept off\n"
                + "# with a taint on the benchmark nodes and its toleration in the system's kubernetes.tolerations.\n");
        return sb.ToString();
    }

    private static YamlMappingNode Job(Campaign campaign, CampaignSystem system, int completions, string name, string image, string claim, string script)
    {
        var k = system.Kubernetes;
        var labels = new YamlMappingNode
        {
            { "app.kubernetes.io/name", Str("siliconbench") },
            { CampaignLabel, Str(campaign.Name) },
            { SystemLabel, Str(system.Name) },
        };
        var metadata = new YamlMappingNode { { "name", Str(name) } };
        if (campaign.Kubernetes.Namespace is { } ns)
            metadata.Add("namespace", Str(ns));
        metadata.Add("labels", labels);

        var limits = new YamlMappingNode();
        var requests = new YamlMappingNode();
        if (k.Gpus > 0)
            limits.Add(k.GpuResource, Str(k.Gpus.ToString(CultureInfo.InvariantCulture)));
        if (k.Cpu is { } cpu)
        {
            limits.Add("cpu", Str(cpu));
            requests.Add("cpu", Str(cpu));
        }
        if (k.Memory is { } memory)
        {
            limits.Add("memory", Str(memory));
            requests.Add("memory", Str(memory));
        }
        var resources = new YamlMappingNode();
        if (limits.Children.Count > 0)
            resources.Add("limits", limits);
        if (requests.Children.Count > 0)
            resources.Add("requests", requests);

        var container = new YamlMappingNode
        {
            { "name", Str(ContainerName) },
            { "image", Str(image) },
            { "command", new YamlSequenceNode(Str("/bin/sh"), Str("-c"), new YamlScalarNode(script) { Style = ScalarStyle.Literal }) },
            {
                "env", new YamlSequenceNode(
                    FieldEnv(SchedulerProbe.KubernetesNodeName, "spec.nodeName"),
                    FieldEnv(SchedulerProbe.KubernetesJobName, "metadata.labels['job-name']"))
            },
        };
        if (resources.Children.Count > 0)
            container.Add("resources", resources);
        container.Add("volumeMounts", new YamlSequenceNode(new YamlMappingNode { { "name", Str(StorageVolume) }, { "mountPath", Str(campaign.Storage) } }));

        var pod = new YamlMappingNode { { "restartPolicy", Str("Never") } };
        if (k.NodeSelector.Count > 0)
        {
            var selector = new YamlMappingNode();
            foreach (var (key, value) in k.NodeSelector)
                selector.Add(key, Str(value));
            pod.Add("nodeSelector", selector);
        }
        if (k.Tolerations.Count > 0)
        {
            var tolerations = new YamlSequenceNode();
            foreach (var t in k.Tolerations)
            {
                var node = new YamlMappingNode();
                if (t.Key is not null)
                    node.Add("key", Str(t.Key));
                node.Add("operator", Str(t.Operator));
                if (t.Value is not null)
                    node.Add("value", Str(t.Value));
                if (t.Effect is not null)
                    node.Add("effect", Str(t.Effect));
                tolerations.Add(node);
            }
            pod.Add("tolerations", tolerations);
        }
        if (system.Exclusive)
        {
            pod.Add("affinity", new YamlMappingNode
            {
                {
                    "podAntiAffinity", new YamlMappingNode
                    {
                        {
                            "requiredDuringSchedulingIgnoredDuringExecution", new YamlSequenceNode(new YamlMappingNode
                            {
                                { "labelSelector", new YamlMappingNode { { "matchLabels", new YamlMappingNode { { CampaignLabel, Str(campaign.Name) } } } } },
                                { "topologyKey", Str("kubernetes.io/hostname") },
                            })
                        },
                    }
                },
            });
        }
        pod.Add("containers", new YamlSequenceNode(container));
        pod.Add("volumes", new YamlSequenceNode(new YamlMappingNode
        {
            { "name", Str(StorageVolume) },
            { "persistentVolumeClaim", new YamlMappingNode { { "claimName", Str(claim) } } },
        }));

        var parallelism = Math.Min(completions, system.Slurm.MaxParallel ?? completions);
        var spec = new YamlMappingNode
        {
            { "completionMode", Str("Indexed") },
            { "completions", Int(completions) },
            { "parallelism", Int(parallelism) },
            // A failed index neither stops the others nor is retried: campaign submit/render --missing reruns it as a new attempt.
            { "backoffLimitPerIndex", Int(0) },
            {
                "template", new YamlMappingNode
                {
                    { "metadata", new YamlMappingNode { { "labels", new YamlMappingNode { { "app.kubernetes.io/name", Str("siliconbench") }, { CampaignLabel, Str(campaign.Name) }, { SystemLabel, Str(system.Name) } } } } },
                    { "spec", pod },
                }
            },
        };
        return new YamlMappingNode
        {
            { "apiVersion", Str("batch/v1") },
            { "kind", Str("Job") },
            { "metadata", metadata },
            { "spec", spec },
        };
    }

    private static YamlMappingNode FieldEnv(string name, string fieldPath) => new()
    {
        { "name", Str(name) },
        { "valueFrom", new YamlMappingNode { { "fieldRef", new YamlMappingNode { { "fieldPath", Str(fieldPath) } } } } },
    };

    /// <summary>A string, quoted where YAML would read it as something else (a number, a boolean, null).</summary>
    private static YamlScalarNode Str(string value) =>
        new(value) { Style = KubernetesJobSchema.ReadsAsNonString(value) || value.Length == 0 || value.Contains(": ", StringComparison.Ordinal) || value.StartsWith('*') ? ScalarStyle.DoubleQuoted : ScalarStyle.Any };

    private static YamlScalarNode Int(int value) => new(value.ToString(CultureInfo.InvariantCulture)) { Style = ScalarStyle.Plain };

    /// <summary>One YAML document without the end marker YamlDotNet writes.</summary>
    private static string Serialize(YamlMappingNode root)
    {
        var writer = new StringWriter { NewLine = "\n" };
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        var text = writer.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }
}
