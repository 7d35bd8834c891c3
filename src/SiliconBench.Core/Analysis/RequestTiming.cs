using SiliconBench.Records;

namespace SiliconBench.Analysis;

/// <summary>Per-request latency quantities in seconds (docs/metrics.md).</summary>
public static class RequestTiming
{
    public static double? TimeToFirstToken(RequestRecord r) => r.TFirst is { } first ? first - r.TSubmit : null;

    public static double? EndToEnd(RequestRecord r) => r.TEnd is { } end ? end - r.TSubmit : null;

    /// <summary><c>(t_end − t_first) / (output_tokens − 1)</c>; null below two output tokens, where it is undefined.</summary>
    public static double? TimePerOutputToken(RequestRecord r) =>
        r.OutputTokens >= 2 && r.TFirst is { } first && r.TEnd is { } end ? (end - first) / (r.OutputTokens - 1) : null;

    /// <summary>
    /// Inter-token gaps: each chunk after the first, carrying k tokens Δ seconds after the previous chunk, gives
    /// k gaps of Δ/k, so the gaps sum to last chunk − first chunk (= t_end − t_first). Tokens arriving with the
    /// first chunk have no previous chunk and give no gap; chunks with no tokens are skipped.
    /// </summary>
    public static List<double> InterTokenGaps(RequestRecord r)
    {
        var gaps = new List<double>(Math.Max(0, r.OutputTokens - 1));
        double? previous = null;
        foreach (var chunk in r.Chunks)
        {
            if (chunk.Tokens <= 0)
                continue;
            if (previous is { } p)
            {
                var gap = (chunk.T - p) / chunk.Tokens;
                for (var i = 0; i < chunk.Tokens; i++)
                    gaps.Add(gap);
            }
            previous = chunk.T;
        }
        return gaps;
    }

    /// <summary>When the request stopped occupying the system: t_end, else its last chunk, first token or submit.</summary>
    public static double Completion(RequestRecord r) =>
        r.TEnd ?? (r.Chunks.Count > 0 ? r.Chunks[^1].T : r.TFirst ?? r.TSubmit);

    /// <summary>Whether an ok request meets every set bound (a TPOT bound is met by a request with one output token, which has no TPOT).</summary>
    public static bool MeetsSlo(RequestRecord r, SloSet slo)
    {
        if (r.Status != RequestStatus.Ok || TimeToFirstToken(r) is not { } ttft || EndToEnd(r) is not { } e2e)
            return false;
        if (slo.TtftMs is { } maxTtft && ttft * 1000 > maxTtft)
            return false;
        if (slo.E2eMs is { } maxE2e && e2e * 1000 > maxE2e)
            return false;
        return slo.TpotMs is not { } maxTpot || TimePerOutputToken(r) is not { } tpot || tpot * 1000 <= maxTpot;
    }
}
