using FsCheck;
using FsCheck.Fluent;
using SiliconBench.Analysis;
using SiliconBench.Records;
using Xunit;

namespace SiliconBench.Tests.Analysis;

public sealed class RequestTimingTests
{
    private static RequestRecord Request(params Chunk[] chunks) => new()
    {
        Id = "r-1",
        Point = "b1",
        TSubmit = 0,
        TFirst = chunks[0].T,
        TEnd = chunks[^1].T,
        OutputTokens = chunks.Sum(c => c.Tokens),
        Chunks = chunks,
    };

    [Fact]
    public void A_chunk_of_k_tokens_gives_k_equal_gaps()
    {
        var gaps = RequestTiming.InterTokenGaps(Request(new(1.0, 1), new(1.5, 1), new(2.1, 3)));

        Assert.Equal([0.5, 0.2, 0.2, 0.2], gaps.Select(g => Math.Round(g, 12)));
    }

    [Fact]
    public void Tokens_of_the_first_chunk_and_empty_chunks_give_no_gap()
    {
        var gaps = RequestTiming.InterTokenGaps(Request(new(1.0, 3), new(1.2, 0), new(1.4, 2)));

        Assert.Equal([0.2, 0.2], gaps.Select(g => Math.Round(g, 12)));
    }

    [Fact]
    public void Tpot_excludes_the_first_token_and_needs_two_tokens()
    {
        Assert.Equal(0.1, RequestTiming.TimePerOutputToken(Request(new(1.0, 1), new(1.3, 3)))!.Value, 12);
        Assert.Null(RequestTiming.TimePerOutputToken(Request(new Chunk(1.0, 1))));
    }

    [Fact]
    public void Slo_checks_every_set_bound_and_a_single_token_meets_a_tpot_bound()
    {
        var slo = new SloSet(TtftMs: 500, TpotMs: 50, E2eMs: null);
        Assert.True(RequestTiming.MeetsSlo(Request(new Chunk(0.4, 1)), slo));
        Assert.False(RequestTiming.MeetsSlo(Request(new Chunk(0.6, 1)), slo));
        Assert.False(RequestTiming.MeetsSlo(Request(new(0.4, 1), new(0.5, 1)), slo));
        Assert.False(RequestTiming.MeetsSlo(Request(new Chunk(0.4, 1)) with { Status = RequestStatus.Error }, slo));
    }

    /// <summary>docs/metrics.md (itl_ms): a request's gaps sum to its last − first token time, whatever the chunking.</summary>
    [Fact]
    public void Itl_gaps_of_a_request_sum_to_t_end_minus_t_first()
    {
        var chunking =
            from first in Gen.Choose(0, 100_000)
            from steps in Gen.Zip(Gen.Choose(0, 5_000), Gen.Choose(1, 8)).NonEmptyListOf()
            select (first, steps);
        Prop.ForAll(chunking.ToArbitrary(), c =>
        {
            var t = c.first / 1000.0;
            var chunks = new List<Chunk> { new(t, 1) };
            foreach (var (delta, tokens) in c.steps)
            {
                t += delta / 1000.0;
                chunks.Add(new Chunk(t, tokens));
            }
            var request = Request([.. chunks]);
            var gaps = RequestTiming.InterTokenGaps(request);
            var span = request.TEnd!.Value - request.TFirst!.Value;
            return Math.Abs(gaps.Sum() - span) <= 1e-9 * Math.Max(1, span) && gaps.Count == request.OutputTokens - 1;
        }).QuickCheckThrowOnFailure();
    }
}
