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
}
