using System.Collections.Frozen;

namespace SiliconBench.Metrics;

/// <summary>
/// The one list of metrics summary.json can hold. Adding a metric is one descriptor here plus its computation in
/// the analyzer; the site, CLI tables, compare, gate, <c>validate</c>, the summary schema and the metric reference
/// (docs/metrics.md) all follow from it. Order here is the order of the reference.
/// </summary>
public static class MetricCatalog
{
    // Declared before every descriptor: each one below adds itself as it is initialized, in order.
    private static readonly List<MetricDescriptor> Descriptors = [];

    // Latency (distributions over successful measured requests, milliseconds).
    public static readonly MetricDescriptor TtftMs = Add(new()
    {
        Id = "ttft_ms", Label = "Time to first token", Short = "TTFT", Unit = "ms", Better = Better.Lower,
        Section = MetricSection.Latency, Shape = MetricShape.Distribution,
        Definition = "First output token time − request submit time, per successful measured request.",
    });
    public static readonly MetricDescriptor TpotMs = Add(new()
    {
        Id = "tpot_ms", Label = "Time per output token", Short = "TPOT", Unit = "ms", Better = Better.Lower,
        Section = MetricSection.Latency, Shape = MetricShape.Distribution,
        Definition = "Per request (last token time − first token time) ÷ (output tokens − 1), over successful measured requests with at least 2 output tokens; the first token is excluded.",
    });
    public static readonly MetricDescriptor ItlMs = Add(new()
    {
        Id = "itl_ms", Label = "Inter-token latency", Short = "ITL", Unit = "ms", Better = Better.Lower,
        Section = MetricSection.Latency, Shape = MetricShape.Distribution,
        Definition = "Gaps between successive streamed chunks of successful measured requests; a chunk of k tokens counts as k gaps of Δ/k, so a request's gaps sum to its last − first token time.",
    });
    public static readonly MetricDescriptor E2eMs = Add(new()
    {
        Id = "e2e_ms", Label = "End-to-end latency", Short = "E2E", Unit = "ms", Better = Better.Lower,
        Section = MetricSection.Latency, Shape = MetricShape.Distribution,
        Definition = "Last token time − submit time, per successful measured request.",
    });
    public static readonly MetricDescriptor InteractivityTokSUser = Add(new()
    {
        Id = "interactivity_tok_s_user", Label = "Interactivity", Short = "tok/s/user", Unit = "tok/s/user", Better = Better.Higher,
        Section = MetricSection.Latency,
        Definition = "1000 ÷ mean tpot_ms: the decode speed one user sees. Null when no TPOT was measured.",
    });

    // Throughput (rates over the measurement window).
    public static readonly MetricDescriptor RequestsPerS = Add(new()
    {
        Id = "requests_per_s", Label = "Requests", Short = "req/s", Unit = "req/s", Better = Better.Higher,
        Section = MetricSection.Throughput,
        Definition = "Successful measured requests ÷ the measurement window. Failed requests count neither as requests nor as tokens.",
    });
    public static readonly MetricDescriptor OutputTokensPerS = Add(new()
    {
        Id = "output_tokens_per_s", Label = "Output throughput", Short = "out tok/s", Unit = "tok/s", Better = Better.Higher,
        Section = MetricSection.Throughput,
        Definition = "Output tokens of successful measured requests ÷ the measurement window.",
    });
    public static readonly MetricDescriptor TotalTokensPerS = Add(new()
    {
        Id = "total_tokens_per_s", Label = "Total throughput", Short = "tot tok/s", Unit = "tok/s", Better = Better.Higher,
        Section = MetricSection.Throughput,
        Definition = "Input + output tokens of successful measured requests ÷ the measurement window.",
    });
    public static readonly MetricDescriptor RequestsPerSPerAccelerator = Add(new()
    {
        Id = "requests_per_s_per_accelerator", Label = "Requests per accelerator", Short = "req/s/acc", Unit = "req/s", Better = Better.Higher,
        Section = MetricSection.Throughput,
        Definition = "requests_per_s ÷ the run's accelerators (manifest). Absent on a run without accelerators.",
    });
    public static readonly MetricDescriptor OutputTokensPerSPerAccelerator = Add(new()
    {
        Id = "output_tokens_per_s_per_accelerator", Label = "Output throughput per accelerator", Short = "out tok/s/acc", Unit = "tok/s", Better = Better.Higher,
        Section = MetricSection.Throughput,
        Definition = "output_tokens_per_s ÷ the run's accelerators (manifest). Absent on a run without accelerators.",
    });
    public static readonly MetricDescriptor TotalTokensPerSPerAccelerator = Add(new()
    {
        Id = "total_tokens_per_s_per_accelerator", Label = "Total throughput per accelerator", Short = "tot tok/s/acc", Unit = "tok/s", Better = Better.Higher,
        Section = MetricSection.Throughput,
        Definition = "total_tokens_per_s ÷ the run's accelerators (manifest). Absent on a run without accelerators.",
    });

    // Goodput.
    public static readonly MetricDescriptor GoodputRequestsPerS = Add(new()
    {
        Id = "goodput_requests_per_s", Label = "Goodput at the SLO", Short = "good req/s", Unit = "req/s", Better = Better.Higher,
        Section = MetricSection.Goodput,
        Definition = "Successful measured requests that met every SLO of the workload (TTFT, TPOT, E2E) ÷ the measurement window. Null when no SLO is set.",
    });
    public static readonly MetricDescriptor GoodputOutputTokensPerS = Add(new()
    {
        Id = "goodput_output_tokens_per_s", Label = "Goodput at the SLO", Short = "good tok/s", Unit = "output tok/s", Better = Better.Higher,
        Section = MetricSection.Goodput,
        Definition = "Output tokens of the requests counted by goodput_requests_per_s ÷ the measurement window. Null when no SLO is set.",
    });

    // Engine mode: steps.jsonl.
    public static readonly MetricDescriptor PrefillTokensPerS = Add(new()
    {
        Id = "prefill_tokens_per_s", Label = "Prefill throughput", Short = "prefill tok/s", Unit = "tok/s", Better = Better.Higher,
        Section = MetricSection.Engine,
        Definition = "Prompt tokens of measured prefill steps ÷ the summed wall time of those steps.",
    });
    public static readonly MetricDescriptor DecodeTokensPerS = Add(new()
    {
        Id = "decode_tokens_per_s", Label = "Decode throughput", Short = "decode tok/s", Unit = "tok/s", Better = Better.Higher,
        Section = MetricSection.Engine,
        Definition = "Tokens of measured decode steps (one per live sequence) ÷ the summed wall time of those steps.",
    });
    public static readonly MetricDescriptor PrefillStepMs = Add(new()
    {
        Id = "prefill_step_ms", Label = "Prefill step time", Short = "prefill step", Unit = "ms", Better = Better.Lower,
        Section = MetricSection.Engine, Shape = MetricShape.Distribution,
        Definition = "Wall time of each measured prefill step.",
    });
    public static readonly MetricDescriptor DecodeStepMs = Add(new()
    {
        Id = "decode_step_ms", Label = "Decode step time", Short = "decode step", Unit = "ms", Better = Better.Lower,
        Section = MetricSection.Engine, Shape = MetricShape.Distribution,
        Definition = "Wall time of each measured decode step.",
    });
    public static readonly MetricDescriptor DecodeBandwidthGBs = Add(new()
    {
        Id = "decode_bandwidth_gbs", Label = "Realized decode bandwidth", Short = "dec GB/s", Unit = "GB/s", Better = Better.Higher,
        Section = MetricSection.Engine,
        Definition = "Mean over timed decode steps of (weight bytes + KV bytes per token × context × batch) ÷ step time: the memory traffic a step needs at least, an upper bound for ragged batches. Null when the manifest lacks weight_bytes.",
    });
    public static readonly MetricDescriptor DecodeRooflineFraction = Add(new()
    {
        Id = "decode_roofline_fraction", Label = "Decode ÷ memory-bandwidth roofline", Short = "dec/BW", Unit = "", Better = Better.Higher,
        Section = MetricSection.Engine,
        Definition = "decode_bandwidth_gbs ÷ the memory bandwidth measured on this machine before the run (manifest roofline). Absent without a roofline; above 1 is flagged (the probe measured low).",
    });
    public static readonly MetricDescriptor PrefillGflops = Add(new()
    {
        Id = "prefill_gflops", Label = "Realized prefill compute", Short = "pre GFLOP/s", Unit = "GFLOP/s", Better = Better.Higher,
        Section = MetricSection.Engine,
        Definition = "Summed FLOPs of measured prefill steps (2 × parameters × tokens, plus causal attention 2 × layers × heads × head_dim × L(L+1) per sequence of length L) ÷ summed prefill time. Null when the manifest lacks parameters.",
    });
    public static readonly MetricDescriptor PrefillRooflineFraction = Add(new()
    {
        Id = "prefill_roofline_fraction", Label = "Prefill ÷ GEMM roofline", Short = "pre/GEMM", Unit = "", Better = Better.Higher,
        Section = MetricSection.Engine,
        Definition = "prefill_gflops ÷ the GEMM throughput measured on this machine before the run (manifest roofline). Absent without a roofline; above 1 is flagged.",
    });

    // Serving runs, per operating point.
    public static readonly MetricDescriptor QueueDepthMax = Add(new()
    {
        Id = "queue_depth_max", Label = "Largest queue", Short = "queue max", Unit = "requests", Better = Better.Lower, Style = NumberStyle.Integer,
        Section = MetricSection.Serving,
        Definition = "Most requests at once that were submitted and still waited for their first token, inside the point's window.",
    });
    public static readonly MetricDescriptor QueueDepthMean = Add(new()
    {
        Id = "queue_depth_mean", Label = "Mean queue", Short = "queue mean", Unit = "requests", Better = Better.Lower,
        Section = MetricSection.Serving,
        Definition = "Time-weighted mean number of requests submitted and waiting for their first token, over the point's window.",
    });
    public static readonly MetricDescriptor PrefixCacheHitFraction = Add(new()
    {
        Id = "prefix_cache_hit_fraction", Label = "Prefix-cache hits", Short = "cache hit", Unit = "", Better = Better.Neither,
        Section = MetricSection.Serving,
        Definition = "Prompt tokens the server reports it served from its prefix cache (usage.prompt_tokens_details.cached_tokens) ÷ prompt tokens, over ok measured requests that report it. Null when the server reports no cached_tokens.",
    });
    public static readonly MetricDescriptor PrefixCacheIntendedFraction = Add(new()
    {
        Id = "prefix_cache_intended_fraction", Label = "Prompt shared by the workload", Short = "shared", Unit = "", Better = Better.Neither,
        Section = MetricSection.Serving,
        Definition = "Prompt tokens the workload means to share (its shared prefix, earlier turns of a conversation) ÷ prompt tokens, over the same requests as the cache-hit fraction.",
    });
    public static readonly MetricDescriptor PrefixCacheUnintendedRequests = Add(new()
    {
        Id = "prefix_cache_unintended_requests", Label = "Unintended cache hits", Short = "cache unint.", Unit = "requests", Better = Better.Lower, Style = NumberStyle.Integer,
        Section = MetricSection.Serving,
        Definition = "Requests with more than half of the prompt the workload does not share served from the server's cache: their TTFT is not that of a prefill. Any is a validity note.",
    });

    // Energy, per sensor scope (never added across scopes).
    public static readonly MetricDescriptor EnergyJ = Add(new()
    {
        Id = "energy_j", Label = "Energy", Short = "J", Unit = "J", Better = Better.Neither,
        Section = MetricSection.Energy,
        Definition = "Energy over the window: counter delta where the sensor has a counter, else trapezoid-integrated power, clipped at the window edges by linear interpolation; the scope's sensors summed. Null when any sensor of the scope cannot cover the window.",
    });
    public static readonly MetricDescriptor AvgPowerW = Add(new()
    {
        Id = "avg_power_w", Label = "Average power", Short = "W", Unit = "W", Better = Better.Neither,
        Section = MetricSection.Energy,
        Definition = "energy_j ÷ the window's length. An owned system's cost prices the broadest scope's average power.",
    });
    public static readonly MetricDescriptor OutputTokensPerJ = Add(new()
    {
        Id = "output_tokens_per_j", Label = "Output tokens per joule", Short = "out tok/J", Unit = "tok/J", Better = Better.Higher,
        Section = MetricSection.Energy,
        Definition = "Output tokens of successful measured requests in the window ÷ energy_j.",
    });
    public static readonly MetricDescriptor TotalTokensPerJ = Add(new()
    {
        Id = "total_tokens_per_j", Label = "Total tokens per joule", Short = "tot tok/J", Unit = "tok/J", Better = Better.Higher,
        Section = MetricSection.Energy,
        Definition = "Input + output tokens of successful measured requests in the window ÷ energy_j.",
    });
    public static readonly MetricDescriptor JPerOutputToken = Add(new()
    {
        Id = "j_per_output_token", Label = "Joules per output token", Short = "J/out tok", Unit = "J/tok", Better = Better.Lower,
        Section = MetricSection.Energy,
        Definition = "energy_j ÷ output tokens of successful measured requests in the window.",
    });
    public static readonly MetricDescriptor PrefillEnergyJ = Add(new()
    {
        Id = "prefill_energy_j", Label = "Prefill energy", Short = "prefill J", Unit = "J", Better = Better.Neither,
        Section = MetricSection.Energy,
        Definition = "Energy inside the measured prefill steps of the window (the gaps between steps belong to neither phase). Engine mode.",
    });
    public static readonly MetricDescriptor DecodeEnergyJ = Add(new()
    {
        Id = "decode_energy_j", Label = "Decode energy", Short = "decode J", Unit = "J", Better = Better.Neither,
        Section = MetricSection.Energy,
        Definition = "Energy inside the measured decode steps of the window. Engine mode.",
    });
    public static readonly MetricDescriptor PrefillJPerToken = Add(new()
    {
        Id = "prefill_j_per_token", Label = "Prefill joules per token", Short = "prefill J/tok", Unit = "J/tok", Better = Better.Lower,
        Section = MetricSection.Energy,
        Definition = "prefill_energy_j ÷ the tokens of those prefill steps.",
    });
    public static readonly MetricDescriptor DecodeJPerToken = Add(new()
    {
        Id = "decode_j_per_token", Label = "Decode joules per token", Short = "decode J/tok", Unit = "J/tok", Better = Better.Lower,
        Section = MetricSection.Energy,
        Definition = "decode_energy_j ÷ the tokens of those decode steps.",
    });
    public static readonly MetricDescriptor ActiveEnergyJ = Add(new()
    {
        Id = "active_energy_j", Label = "Energy above idle", Short = "active J", Unit = "J", Better = Better.Neither,
        Section = MetricSection.Energy,
        Definition = "A secondary figure: energy_j − idle_power_w × the window's length. Null without an idle baseline.",
    });

    // Sensor coverage of the overall window, per scope.
    public static readonly MetricDescriptor IdlePowerW = Add(new()
    {
        Id = "idle_power_w", Label = "Idle power", Short = "idle W", Unit = "W", Better = Better.Neither,
        Section = MetricSection.EnergyCoverage,
        Definition = "Energy over the idle windows (windows.jsonl) ÷ their length: the baseline active_energy_j subtracts. Null without idle windows.",
    });
    public static readonly MetricDescriptor SampleCount = Add(new()
    {
        Id = "sample_count", Label = "Sensor samples", Short = "samples", Unit = "samples", Better = Better.Neither, Style = NumberStyle.Integer,
        Section = MetricSection.EnergyCoverage,
        Definition = "Samples of the scope's sensors inside the measurement window.",
    });
    public static readonly MetricDescriptor LargestGapS = Add(new()
    {
        Id = "largest_gap_s", Label = "Largest sample gap", Short = "gap s", Unit = "s", Better = Better.Lower,
        Section = MetricSection.EnergyCoverage,
        Definition = "Longest stretch of the window without a sample of a sensor, edges included.",
    });
    public static readonly MetricDescriptor ResolutionS = Add(new()
    {
        Id = "resolution_s", Label = "Sensor interval", Short = "interval s", Unit = "s", Better = Better.Lower,
        Section = MetricSection.EnergyCoverage,
        Definition = "The coarsest sensor interval of the scope (declared, else the median gap between samples). A window shorter than 5 s or 10 intervals is flagged.",
    });
    public static readonly MetricDescriptor ThrottleReasons = Add(new()
    {
        Id = "throttle_reasons", Label = "Clock-event reasons", Short = "throttle", Unit = "", Better = Better.Neither, Style = NumberStyle.Bitmask,
        Section = MetricSection.EnergyCoverage,
        Definition = "Bitwise OR of the clock-event (throttle) reasons sampled inside the window (NVML bitmask); any bit but GPU idle (0x1) is flagged.",
    });

    // Cost (a cost sheet's prices with the run's measured throughput and power).
    public static readonly MetricDescriptor UsdPerHour = Add(new()
    {
        Id = "usd_per_hour", Label = "Cost", Short = "$/h", Unit = "$/h", Better = Better.Lower,
        Section = MetricSection.Cost,
        Definition = "Hourly cost of the run's system: rent, or capital annuity + hosting + measured energy (sum of the parts below).",
    });
    public static readonly MetricDescriptor RentUsdPerHour = Add(new()
    {
        Id = "rent_usd_per_hour", Label = "Rent", Short = "rent $/h", Unit = "$/h", Better = Better.Lower,
        Section = MetricSection.Cost,
        Definition = "A cloud sheet's hourly price scaled to the run's accelerators (power included); 0 for an owned system.",
    });
    public static readonly MetricDescriptor CapitalUsdPerHour = Add(new()
    {
        Id = "capital_usd_per_hour", Label = "Capital", Short = "capital $/h", Unit = "$/h", Better = Better.Lower,
        Section = MetricSection.Cost,
        Definition = "Yearly annuity C·r ÷ (1 − (1+r)^−n) (C/n when r = 0) ÷ 8760 h, scaled to the run's accelerators.",
    });
    public static readonly MetricDescriptor HostingUsdPerHour = Add(new()
    {
        Id = "hosting_usd_per_hour", Label = "Hosting", Short = "hosting $/h", Unit = "$/h", Better = Better.Lower,
        Section = MetricSection.Cost,
        Definition = "Provisioned kW × hosting $/kW-month × 12 ÷ 8760 h, scaled to the run's accelerators.",
    });
    public static readonly MetricDescriptor EnergyUsdPerHour = Add(new()
    {
        Id = "energy_usd_per_hour", Label = "Energy cost", Short = "energy $/h", Unit = "$/h", Better = Better.Lower,
        Section = MetricSection.Cost,
        Definition = "Measured avg_power_w of the broadest scope ÷ 1000 × PUE × $/kWh. Null when power was not measured or is in the rent.",
    });
    public static readonly MetricDescriptor OutputTokensPerUsd = Add(new()
    {
        Id = "output_tokens_per_usd", Label = "Output tokens per $", Short = "out tok/$", Unit = "tok/$", Better = Better.Higher,
        Section = MetricSection.Cost,
        Definition = "output_tokens_per_s ÷ (usd_per_hour ÷ 3600).",
    });
    public static readonly MetricDescriptor TotalTokensPerUsd = Add(new()
    {
        Id = "total_tokens_per_usd", Label = "Total tokens per $", Short = "tot tok/$", Unit = "tok/$", Better = Better.Higher,
        Section = MetricSection.Cost,
        Definition = "total_tokens_per_s ÷ (usd_per_hour ÷ 3600).",
    });
    public static readonly MetricDescriptor UsdPerMillionOutputTokens = Add(new()
    {
        Id = "usd_per_million_output_tokens", Label = "$ per million output tokens", Short = "$/M out tok", Unit = "$/Mtok", Better = Better.Lower,
        Section = MetricSection.Cost,
        Definition = "10⁶ ÷ output_tokens_per_usd.",
    });
    public static readonly MetricDescriptor UsdPerMillionTotalTokens = Add(new()
    {
        Id = "usd_per_million_total_tokens", Label = "$ per million total tokens", Short = "$/M tot tok", Unit = "$/Mtok", Better = Better.Lower,
        Section = MetricSection.Cost,
        Definition = "10⁶ ÷ total_tokens_per_usd.",
    });

    /// <summary>Every metric, in reference order.</summary>
    public static IReadOnlyList<MetricDescriptor> All => Descriptors;

    private static readonly FrozenDictionary<string, MetricDescriptor> ById = Descriptors.ToFrozenDictionary(d => d.Id, StringComparer.Ordinal);

    /// <summary>The descriptor of an id; null for an id the catalog does not know.</summary>
    public static MetricDescriptor? Find(string id) => ById.GetValueOrDefault(id);

    /// <summary>The known id closest to a misspelt one (fewest edits: at most 3, or a third of its length), for error messages.</summary>
    public static string? Suggest(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var best = All.Select(d => (d.Id, Distance: EditDistance(id, d.Id))).MinBy(x => x.Distance);
        return best.Distance <= Math.Max(3, id.Length / 3) ? best.Id : null;
    }

    private static MetricDescriptor Add(MetricDescriptor descriptor)
    {
        Descriptors.Add(descriptor);
        return descriptor;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
