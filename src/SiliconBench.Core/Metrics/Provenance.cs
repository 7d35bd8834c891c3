using System.Text.Json.Serialization;

namespace SiliconBench.Metrics;

/// <summary>
/// Where a figure comes from, strongest first. Every section of summary.json whose source can differ from the run's
/// own clock says which it is (energy scopes and the cost section carry a <c>provenance</c> field); latency,
/// throughput, goodput, engine and serving metrics are always <see cref="Measured"/> from the record's timestamps.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<Provenance>))]
public enum Provenance
{
    /// <summary>Read on this run: its own timestamps, or sensors sampled beside it.</summary>
    [JsonStringEnumMemberName("measured")]
    Measured,
    /// <summary>Taken from outside the record with a named source: a cost sheet's prices, a replayed telemetry trace.</summary>
    [JsonStringEnumMemberName("imported")]
    Imported,
    /// <summary>From a model rather than a sensor (e.g. TDP × utilization); labelled wherever shown.</summary>
    [JsonStringEnumMemberName("estimated")]
    Estimated,
    /// <summary>Carried to hardware or settings it was not measured on (datasheet rooflines); never mixed with measurements.</summary>
    [JsonStringEnumMemberName("projected")]
    Projected,
}

public static class ProvenanceText
{
    /// <summary>The word summary.json and every label use.</summary>
    public static string Of(Provenance p) => p switch
    {
        Provenance.Measured => "measured",
        Provenance.Imported => "imported",
        Provenance.Estimated => "estimated",
        Provenance.Projected => "projected",
        _ => throw new ArgumentOutOfRangeException(nameof(p), p, null),
    };

    /// <summary>The weaker of two sources: a figure resting on both is only as strong as the weaker one.</summary>
    public static Provenance Weaker(Provenance a, Provenance b) => (Provenance)Math.Max((int)a, (int)b);
}
