using System.Text.Json;
using SiliconBench.Analysis;
using SiliconBench.Diagnostics;

namespace SiliconBench.Workloads;

/// <summary>
/// One profile of a workload with its <c>defaults:</c> applied: everything the planner and the serving runner
/// need. Immutable, so a CLI override is <c>profile with { Seed = 7 }</c>; <see cref="ToJsonElement"/> reflects it.
/// </summary>
public sealed record ResolvedProfile
{
    /// <summary>The workload's <c>name</c>.</summary>
    public required string Workload { get; init; }

    /// <summary>The profile's name (its key under <c>profiles:</c>).</summary>
    public required string Name { get; init; }

    public string? Description { get; init; }

    public int Seed { get; init; } = 42;

    public required IReadOnlyList<int> BatchSizes { get; init; }

    /// <summary>Prompt (prefill) lengths.</summary>
    public required LengthDistribution Context { get; init; }

    /// <summary>Generated (decode) lengths; a sequence's output includes the token its prefill produces.</summary>
    public required LengthDistribution Output { get; init; }

    /// <summary>Explicit (context, output) pairs in place of the product of the two nominal lists; null = product.</summary>
    public IReadOnlyList<MixPair>? Mix { get; init; }

    /// <summary>Leading tokens every prompt of the run shares (a system prompt, tool definitions).</summary>
    public int SharedPrefixTokens { get; init; }

    /// <summary>Conversation turns: repetition r of a point is turn r mod <see cref="Turns"/> of one conversation per sequence.</summary>
    public int Turns { get; init; } = 1;

    public int WarmupRepetitions { get; init; } = 1;
    public int Repetitions { get; init; } = 3;
    public double MinDurationSeconds { get; init; }
    public int MaxRepetitions { get; init; } = 1000;

    /// <summary>Serving mode: requests per serving point; null = not set.</summary>
    public int? RequestCount { get; init; }

    /// <summary>Serving mode arrival process; null = not set.</summary>
    public ArrivalProcess? Arrival { get; init; }

    public SloSet Slo { get; init; } = SloSet.None;

    /// <summary>Where each field came from, so the planner's errors can name file, line and field.</summary>
    internal FieldLocator Locator { get; init; } = FieldLocator.None;

    /// <summary>The (context, output) nominal pairs the planner crosses with <see cref="BatchSizes"/>, in order.</summary>
    public IReadOnlyList<MixPair> LengthPairs =>
        Mix ?? [.. Context.Nominal.SelectMany(c => Output.Nominal.Select(o => new MixPair(c, o)))];

    /// <summary>
    /// The fully resolved spec as <c>manifest.workload.spec</c> records it: snake_case, keys in a fixed order,
    /// unset values as null. Always carries <c>slo</c> with all three bounds, for <see cref="SloSet.FromWorkloadSpec"/>.
    /// </summary>
    public JsonElement ToJsonElement()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("workload", Workload);
            w.WriteString("profile", Name);
            WriteNullable(w, "description", Description);
            w.WriteNumber("seed", Seed);
            WriteInts(w, "batch_sizes", BatchSizes);
            WriteLength(w, "context", Context, Mix is not null);
            WriteLength(w, "output", Output, Mix is not null);
            if (Mix is null)
                w.WriteNull("mix");
            else
            {
                w.WriteStartArray("mix");
                foreach (var pair in Mix)
                {
                    w.WriteStartObject();
                    w.WriteNumber("context", pair.Context);
                    w.WriteNumber("output", pair.Output);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteNumber("shared_prefix_tokens", SharedPrefixTokens);
            w.WriteNumber("turns", Turns);
            w.WriteNumber("warmup_repetitions", WarmupRepetitions);
            w.WriteNumber("repetitions", Repetitions);
            w.WriteNumber("min_duration_s", MinDurationSeconds);
            w.WriteNumber("max_repetitions", MaxRepetitions);
            WriteNullable(w, "request_count", RequestCount);
            WriteArrival(w, Arrival);
            w.WriteStartObject("slo");
            WriteNullable(w, "ttft_ms", Slo.TtftMs);
            WriteNullable(w, "tpot_ms", Slo.TpotMs);
            WriteNullable(w, "e2e_ms", Slo.E2eMs);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        using var doc = JsonDocument.Parse(buffer.ToArray());
        return doc.RootElement.Clone();
    }

    private static void WriteLength(Utf8JsonWriter w, string name, LengthDistribution d, bool mixGivesNominal)
    {
        w.WriteStartObject(name);
        w.WriteString("kind", LengthDistribution.KindName(d.Kind));
        if (mixGivesNominal)
            w.WriteNull("nominal");
        else
            WriteInts(w, "nominal", d.Nominal);
        switch (d.Kind)
        {
            case LengthDistributionKind.Uniform:
                WriteNullable(w, "spread", d.Spread);
                break;
            case LengthDistributionKind.Lognormal:
                WriteNullable(w, "sigma", d.Sigma);
                break;
            case LengthDistributionKind.Trace when d.Trace is { } trace:
                w.WriteString("file", trace.File);
                WriteNullable(w, "column", trace.Column);
                w.WriteNumber("samples", trace.Values.Count);
                w.WriteString("sha256", trace.Sha256);
                break;
        }
        if (d.Kind != LengthDistributionKind.Fixed)
        {
            WriteNullable(w, "min", d.Min);
            WriteNullable(w, "max", d.Max);
        }
        w.WriteEndObject();
    }

    private static void WriteArrival(Utf8JsonWriter w, ArrivalProcess? arrival)
    {
        if (arrival is null)
        {
            w.WriteNull("arrival");
            return;
        }
        w.WriteStartObject("arrival");
        w.WriteString("kind", ArrivalProcess.KindName(arrival.Kind));
        if (arrival.Kind == ArrivalKind.ClosedLoop)
            WriteInts(w, "concurrency", arrival.Concurrency);
        else
        {
            w.WriteStartArray("rates_per_s");
            foreach (var r in arrival.RatesPerSecond)
                w.WriteNumberValue(r);
            w.WriteEndArray();
        }
        if (arrival.Kind == ArrivalKind.Gamma)
            WriteNullable(w, "burstiness", arrival.Burstiness);
        w.WriteEndObject();
    }

    private static void WriteInts(Utf8JsonWriter w, string name, IReadOnlyList<int> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
            w.WriteNumberValue(v);
        w.WriteEndArray();
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
            w.WriteNull(name);
        else
            w.WriteString(name, value);
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v)
            w.WriteNumber(name, v);
        else
            w.WriteNull(name);
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
            w.WriteNumber(name, v);
        else
            w.WriteNull(name);
    }
}

/// <summary>
/// Where the fields of one resolved profile are written: the file, and for a field relative to the profile
/// (<c>context.nominal[2]</c>, <c>mix[1]</c>) its dotted path from the file's root and its line.
/// A field inherited from <c>defaults:</c> points into the defaults block.
/// </summary>
internal sealed class FieldLocator(string file, string profilePath, int? profileLine, IReadOnlyDictionary<string, (string Path, int Line)> fields)
{
    public static FieldLocator None { get; } = new("<workload>", "profile", null, new Dictionary<string, (string, int)>());

    public string File { get; } = file;

    /// <summary>An error about <paramref name="relativeField"/>; a field not recorded is named relative to the profile.</summary>
    public InputException Error(string relativeField, string problem) =>
        fields.TryGetValue(relativeField, out var at)
            ? new InputException(File, at.Line, at.Path, problem)
            : new InputException(File, profileLine, $"{profilePath}.{relativeField}", problem);
}
