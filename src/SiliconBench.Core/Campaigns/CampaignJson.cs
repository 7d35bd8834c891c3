using System.Text.Json.Serialization;
using SiliconBench.Records;

namespace SiliconBench.Campaigns;

/// <summary>Source-generated JSON for the campaign's own files (plan, submissions, collection), snake_case like the run record.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(CampaignPlan))]
[JsonSerializable(typeof(SubmissionRecord))]
[JsonSerializable(typeof(CollectionReport))]
internal sealed partial class CampaignJsonContext : JsonSerializerContext
{
    public static CampaignJsonContext Compact { get; } = new(RecordJsonContext.CreateOptions(indented: false));

    public static CampaignJsonContext Indented { get; } = new(RecordJsonContext.CreateOptions(indented: true));
}
