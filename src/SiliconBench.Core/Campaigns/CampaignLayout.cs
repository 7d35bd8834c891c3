using System.Globalization;

namespace SiliconBench.Campaigns;

/// <summary>
/// Where a campaign keeps its files under <c>&lt;storage&gt;/&lt;name&gt;/</c>, on storage every node mounts:
/// <code>
/// campaign.yaml  plan.json  submissions.jsonl   the campaign as submitted, its tasks, each scheduler submission
/// inputs/        built-in workloads, cost sheets and the policy, copied at submit so every node reads the same bytes
/// scripts/       the sbatch scripts and Kubernetes manifests as submitted
/// tasks/N/aK/    attempt K of task N: status (written by the task script), run.log, and the run record &lt;run-id&gt;/
/// results/       made by collect: &lt;candidate&gt;/rK/ records (copies), incomplete ones with their reason
/// gate/ site/    collect's gate decisions and report
/// </code>
/// </summary>
public sealed class CampaignLayout(string root)
{
    public const string StatusFileName = "status";
    public const string LogFileName = "run.log";

    public string Root { get; } = root;
    public string CampaignCopy => Path.Combine(Root, "campaign.yaml");
    public string PlanFile => Path.Combine(Root, "plan.json");
    public string SubmissionsFile => Path.Combine(Root, "submissions.jsonl");
    public string Inputs => Path.Combine(Root, "inputs");
    public string PolicyInput => Path.Combine(Inputs, "policy.yaml");
    public string Scripts => Path.Combine(Root, "scripts");
    public string Tasks => Path.Combine(Root, "tasks");
    public string Results => Path.Combine(Root, "results");
    public string Gate => Path.Combine(Root, "gate");
    public string Site => Path.Combine(Root, "site");
    public string CollectionFile => Path.Combine(Root, "collection.json");

    public string WorkloadInput(string workloadName) => Path.Combine(Inputs, "workloads", CampaignLoader.SlugOf(workloadName) + ".yaml");

    public string CostInput(string system) => Path.Combine(Inputs, "costs", system + ".yaml");

    public string TaskDirectory(int index) => Path.Combine(Tasks, index.ToString(CultureInfo.InvariantCulture));

    public string AttemptDirectory(int index, int attempt) => Path.Combine(TaskDirectory(index), string.Create(CultureInfo.InvariantCulture, $"a{attempt}"));

    /// <summary>The folder a result of the campaign's collection goes to: <c>results/&lt;candidate&gt;/r&lt;k&gt;</c>.</summary>
    public string ResultDirectory(CampaignTask task) => Path.Combine(Results, task.Candidate, string.Create(CultureInfo.InvariantCulture, $"r{task.Repetition}"));
}
