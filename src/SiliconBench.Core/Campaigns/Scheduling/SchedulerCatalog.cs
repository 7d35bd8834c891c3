using SiliconBench.Diagnostics;

namespace SiliconBench.Campaigns.Scheduling;

/// <summary>The schedulers this build knows, looked up by id. Built once.</summary>
public sealed class SchedulerCatalog(IEnumerable<ICampaignScheduler> schedulers)
{
    private readonly Dictionary<string, ICampaignScheduler> _byId = schedulers.ToDictionary(s => s.Id, StringComparer.OrdinalIgnoreCase);

    public ICampaignScheduler Get(string id, string field = "--scheduler") =>
        _byId.TryGetValue(id, out var s)
            ? s
            : throw new InputException(field, null, field, $"unknown scheduler '{id}'; this build has: {string.Join(", ", _byId.Keys.Order(StringComparer.Ordinal))}");
}
