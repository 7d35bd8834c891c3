using System.Globalization;

namespace SiliconBench.Campaigns;

/// <summary>
/// One run of a campaign: a system, model, workload and profile, at one repetition. <see cref="Index"/> is its array
/// index everywhere (Slurm array task id, task folder), stable across resubmissions.
/// </summary>
public sealed record CampaignTask
{
    public int Index { get; init; }
    /// <summary>The run id of its first attempt (<c>campaign-candidate-rK</c>); a later attempt N appends <c>-aN</c>.</summary>
    public required string Key { get; init; }
    public required string System { get; init; }
    /// <summary>The repetitions of one configuration a gate compares: <c>system-model-workload-profile</c>.</summary>
    public required string Candidate { get; init; }
    public required string Workload { get; init; }
    public required string WorkloadSha256 { get; init; }
    public required string Profile { get; init; }
    public required string Model { get; init; }
    public int Repetition { get; init; }
    /// <summary><c>siliconbench run</c> arguments, without <c>--run-id</c> and <c>--output</c> (the task script adds those).</summary>
    public required IReadOnlyList<string> Arguments { get; init; }

    /// <summary>Candidates of one workload and profile are judged together by the gate.</summary>
    public string GateGroup => $"{CampaignLoader.SlugOf(Workload)}-{CampaignLoader.SlugOf(Profile)}";

    /// <summary>The run id of attempt <paramref name="attempt"/> (1-based).</summary>
    public string RunIdOf(int attempt) => attempt <= 1 ? Key : string.Create(CultureInfo.InvariantCulture, $"{Key}-a{attempt}");
}

/// <summary><c>plan.json</c>: the campaign expanded into tasks when it was first submitted; status and collect read it.</summary>
public sealed record CampaignPlan
{
    public const string SchemaId = "siliconbench.campaign-plan/1";

    public string Schema { get; init; } = SchemaId;
    public required string Campaign { get; init; }
    public required string CampaignFile { get; init; }
    public required string CampaignSha256 { get; init; }
    public required string Root { get; init; }
    /// <summary>The gate policy's copy in the campaign's inputs; null: no gate.</summary>
    public string? GatePolicy { get; init; }
    public required IReadOnlyList<CampaignTask> Tasks { get; init; }
}

/// <summary>Expands a campaign into its tasks: systems × models × workloads × profiles × repetitions, in file order.</summary>
public static class CampaignPlanner
{
    public static CampaignPlan Plan(Campaign campaign)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        var layout = new CampaignLayout(campaign.Root);
        var tasks = new List<CampaignTask>();
        foreach (var system in campaign.Systems)
        foreach (var model in campaign.Models)
        foreach (var workload in campaign.Workloads)
        foreach (var profile in campaign.Profiles)
        {
            var candidate = $"{system.Name}-{model.Slug}-{CampaignLoader.SlugOf(workload.Name)}-{CampaignLoader.SlugOf(profile)}";
            for (var k = 1; k <= campaign.Repetitions; k++)
            {
                tasks.Add(new CampaignTask
                {
                    Index = tasks.Count,
                    Key = string.Create(CultureInfo.InvariantCulture, $"{campaign.Name}-{candidate}-r{k}"),
                    System = system.Name,
                    Candidate = candidate,
                    Workload = workload.Name,
                    WorkloadSha256 = workload.Sha256,
                    Profile = profile,
                    Model = model.Spec,
                    Repetition = k,
                    Arguments = RunArguments(campaign, layout, system, model, workload, profile),
                });
            }
        }
        return new CampaignPlan
        {
            Campaign = campaign.Name,
            CampaignFile = campaign.File,
            CampaignSha256 = campaign.ContentSha256,
            Root = campaign.Root,
            GatePolicy = campaign.GatePolicy is null ? null : layout.PolicyInput,
            Tasks = tasks,
        };
    }

    private static List<string> RunArguments(Campaign campaign, CampaignLayout layout, CampaignSystem system, CampaignModel model, CampaignWorkload workload, string profile)
    {
        var args = new List<string>
        {
            "--workload", workload.Path ?? layout.WorkloadInput(workload.Name),
            "--profile", profile,
            "--model", model.Spec,
            "--backend", system.Backend,
            "--device", system.Device,
        };
        if (system.Dtype is { } dtype)
            args.AddRange(["--dtype", dtype]);
        foreach (var (key, value) in system.Options)
            args.AddRange(["--option", $"{key}={value}"]);
        foreach (var sampler in system.Samplers)
            args.AddRange(["--sampler", sampler]);
        if (system.CostSheet is not null)
            args.AddRange(["--cost", layout.CostInput(system.Name)]);
        if (system.KvBudgetGb is { } kv)
            args.AddRange(["--kv-budget-gb", kv.ToString("R", CultureInfo.InvariantCulture)]);
        if (campaign.Run.IdleSeconds > 0)
            args.AddRange(["--idle-s", campaign.Run.IdleSeconds.ToString("R", CultureInfo.InvariantCulture)]);
        if (!campaign.Run.Roofline)
            args.Add("--no-roofline");
        // The site is rendered once, by collect, from every node's records.
        args.Add("--no-site");
        return args;
    }
}
