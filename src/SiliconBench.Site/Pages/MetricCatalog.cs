namespace SiliconBench.Site.Pages;

/// <summary>Display names and units of the metric ids in summary.json (DESIGN.md, "Metric definitions").</summary>
internal static class MetricCatalog
{
    private static readonly Dictionary<string, string> Labels = new(StringComparer.Ordinal)
    {
        ["ttft_ms"] = "Time to first token (ms)",
        ["tpot_ms"] = "Time per output token (ms)",
        ["itl_ms"] = "Inter-token latency (ms)",
        ["e2e_ms"] = "End-to-end latency (ms)",
        ["interactivity_tok_s_user"] = "Interactivity (tok/s/user)",
        ["requests_per_s"] = "Requests (req/s)",
        ["output_tokens_per_s"] = "Output throughput (tok/s)",
        ["total_tokens_per_s"] = "Total throughput (tok/s)",
        ["output_tokens_per_s_per_accelerator"] = "Output throughput per accelerator (tok/s)",
        ["total_tokens_per_s_per_accelerator"] = "Total throughput per accelerator (tok/s)",
        ["goodput_requests_per_s"] = "Goodput at the SLO (req/s)",
        ["goodput_output_tokens_per_s"] = "Goodput at the SLO (output tok/s)",
        ["prefill_tokens_per_s"] = "Prefill throughput (tok/s)",
        ["decode_tokens_per_s"] = "Decode throughput (tok/s)",
        ["decode_roofline_fraction"] = "Decode ÷ memory-bandwidth roofline",
        ["prefill_roofline_fraction"] = "Prefill ÷ GEMM roofline",
        ["energy_j"] = "Energy (J)",
        ["avg_power_w"] = "Average power (W)",
        ["output_tokens_per_j"] = "Output tokens per joule",
        ["total_tokens_per_j"] = "Total tokens per joule",
        ["j_per_output_token"] = "Joules per output token",
        ["prefill_j_per_token"] = "Prefill joules per token",
        ["decode_j_per_token"] = "Decode joules per token",
        ["usd_per_hour"] = "Cost ($/h)",
        ["output_tokens_per_usd"] = "Output tokens per $",
        ["total_tokens_per_usd"] = "Total tokens per $",
        ["usd_per_million_output_tokens"] = "$ per million output tokens",
        ["usd_per_million_total_tokens"] = "$ per million total tokens",
        ["basis"] = "Basis",
    };

    public static string Label(string id) => Labels.TryGetValue(id, out var label) ? label : id;
}
