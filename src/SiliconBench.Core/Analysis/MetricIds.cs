namespace SiliconBench.Analysis;

/// <summary>Metric ids of <c>summary.json</c> (DESIGN.md, "Metric definitions"); the site, compare and gate read these.</summary>
public static class MetricIds
{
    public const string TtftMs = "ttft_ms";
    public const string TpotMs = "tpot_ms";
    public const string ItlMs = "itl_ms";
    public const string E2eMs = "e2e_ms";
    public const string InteractivityTokSUser = "interactivity_tok_s_user";
    public const string RequestsPerS = "requests_per_s";
    public const string OutputTokensPerS = "output_tokens_per_s";
    public const string TotalTokensPerS = "total_tokens_per_s";
    public const string PerAcceleratorSuffix = "_per_accelerator";
    public const string GoodputRequestsPerS = "goodput_requests_per_s";
    public const string GoodputOutputTokensPerS = "goodput_output_tokens_per_s";
    public const string PrefillTokensPerS = "prefill_tokens_per_s";
    public const string DecodeTokensPerS = "decode_tokens_per_s";
    public const string PrefillStepMs = "prefill_step_ms";
    public const string DecodeStepMs = "decode_step_ms";
    public const string DecodeBandwidthGBs = "decode_bandwidth_gbs";
    public const string DecodeRooflineFraction = "decode_roofline_fraction";
    public const string PrefillGflops = "prefill_gflops";
    public const string PrefillRooflineFraction = "prefill_roofline_fraction";
    /// <summary>Serving: prompt tokens the server served from its prefix cache ÷ prompt tokens (ok measured requests reporting cached_tokens).</summary>
    public const string PrefixCacheHitFraction = "prefix_cache_hit_fraction";
    /// <summary>Serving: prompt tokens the workload means to share (shared prefix, earlier turns) ÷ prompt tokens, over the same requests.</summary>
    public const string PrefixCacheIntendedFraction = "prefix_cache_intended_fraction";
    /// <summary>Serving: requests that had more than half of their unshared prompt served from the server's cache.</summary>
    public const string PrefixCacheUnintendedRequests = "prefix_cache_unintended_requests";
}
