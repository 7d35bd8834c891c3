using System.Text.Json;

namespace SiliconBench.Analysis;

/// <summary>
/// Latency service-level objectives a request must all meet to count toward goodput (docs/metrics.md, "Goodput").
/// A null bound is not set. The resolved workload spec in the manifest carries them as
/// <c>"slo": {"ttft_ms": …, "tpot_ms": …, "e2e_ms": …}</c>, so <c>analyze</c> needs nothing else.
/// </summary>
public sealed record SloSet(double? TtftMs, double? TpotMs, double? E2eMs)
{
    public static SloSet None { get; } = new(null, null, null);

    public bool IsEmpty => TtftMs is null && TpotMs is null && E2eMs is null;

    /// <summary>Reads <c>spec.slo</c> of a resolved workload spec; absent or null → <see cref="None"/>.</summary>
    public static SloSet FromWorkloadSpec(JsonElement spec)
    {
        if (spec.ValueKind != JsonValueKind.Object || !spec.TryGetProperty("slo", out var slo) || slo.ValueKind != JsonValueKind.Object)
            return None;
        return new SloSet(Read(slo, "ttft_ms"), Read(slo, "tpot_ms"), Read(slo, "e2e_ms"));
    }

    private static double? Read(JsonElement slo, string name) =>
        slo.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
}
