using SiliconBench.Analysis;
using SiliconBench.Records;
using SiliconBench.Running;
using SiliconBench.Serving;
using Xunit;

namespace SiliconBench.Tests.Serving;

public sealed class SloSearchTests
{
    /// <summary>A server whose time to first token is 20 ms per request in flight when a request arrives.</summary>
    private sealed class QueueingBackend : IRequestBackend
    {
        private int _inFlight;

        public async Task<RequestOutcome> SendAsync(ServingRequest request, ITimeSource clock, CancellationToken cancel)
        {
            var submit = clock.Now;
            var depth = Interlocked.Increment(ref _inFlight);
            try
            {
                await Task.Delay(5, cancel);
                var first = submit + 0.020 * depth;
                return new RequestOutcome { TSubmit = submit, Chunks = [new(first, 1), new(first + 0.001, 1)], OutputTokens = 2 };
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }

    [Fact]
    public async Task Doubling_then_bisection_finds_the_highest_concurrency_meeting_the_slo()
    {
        using var dir = new TestRunDirectory();
        var template = new ServingPlan { Points = [], Requests = slot => new ServingRequestSpec(8, 2), WarmupRequests = 2 };
        SloSearchResult result;
        using (var writer = RunRecordWriter.Create(dir.Path))
        {
            // TTFT ≤ 90 ms holds up to 4 in flight (80 ms) and fails from 5 (100 ms).
            result = await new SloSearch(new MonotonicClock()).RunAsync(new QueueingBackend(), template, new SloSet(90, null, null),
                requestsPerProbe: 20, SearchLoad.Concurrency(64), SloSearch.DefaultAttainment, writer, TestContext.Current.CancellationToken);
            writer.WriteManifest(TestRunDirectory.Manifest(new BackendInfo { Id = "openai", Version = "t", Device = "fake" }, true, null));
        }

        Assert.Null(result.Incomplete);
        Assert.Equal(4, result.Best);
        // 1, 2, 4 pass; 8 fails; then 6 and 5 fail between 4 and 8.
        Assert.Equal([1, 2, 4, 8, 6, 5], result.Probes.Select(p => p.Load));
        var record = RunRecordReader.Read(dir.Path);
        Assert.Equal(["c1", "c2", "c4", "c8", "c6", "c5"], record.Requests.Where(r => !r.Warmup).Select(r => r.Point).Distinct());
        Assert.Equal(record.Requests.Count, record.Requests.Select(r => r.Id).Distinct().Count());
    }

    /// <summary>One server that serves requests in arrival order, 10 ms each: above 100 requests/s a queue builds up.</summary>
    private sealed class SingleServerBackend : IRequestBackend
    {
        public const double ServiceSeconds = 0.010;
        private readonly Lock _lock = new();
        private double _free;

        public async Task<RequestOutcome> SendAsync(ServingRequest request, ITimeSource clock, CancellationToken cancel)
        {
            var submit = clock.Now;
            double first;
            lock (_lock)
                _free = first = Math.Max(submit, _free) + ServiceSeconds;
            // Finish when the model says so, so the next probe does not start behind this one's queue.
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, first - clock.Now)), cancel);
            return new RequestOutcome { TSubmit = submit, Chunks = [new(first, 1), new(first + 0.0005, 1)], OutputTokens = 2 };
        }
    }

    [Fact]
    public async Task An_open_loop_search_doubles_the_rate_then_bisects_to_within_its_resolution()
    {
        using var dir = new TestRunDirectory();
        var template = new ServingPlan { Points = [], Requests = slot => new ServingRequestSpec(8, 2), Seed = 3 };
        SloSearchResult result;
        using (var writer = RunRecordWriter.Create(dir.Path))
        {
            // Nearly even arrivals (gamma shape 1000). With 10 requests a probe and TTFT <= 30 ms for 9 of them, the
            // 9th request waits 8 x (10 ms - 1/rate): fine up to ~133 requests/s, missed from there (256/s: 49 ms).
            result = await new SloSearch(new MonotonicClock()).RunAsync(new SingleServerBackend(), template, new SloSet(30, null, null),
                requestsPerProbe: 10, SearchLoad.Rate(8, 1000, burstiness: 1000), SloSearch.DefaultAttainment, writer, TestContext.Current.CancellationToken);
            writer.WriteManifest(TestRunDirectory.Manifest(new BackendInfo { Id = "openai", Version = "t", Device = "fake" }, true, null));
        }

        Assert.Null(result.Incomplete);
        Assert.Equal([8.0, 16, 32, 64], result.Probes.Take(4).Select(p => p.Load));
        Assert.All(result.Probes.Take(4), p => Assert.Equal(1.0, p.Attainment));
        Assert.Contains(result.Probes, p => p.Load == 256 && p.Attainment < SloSearch.DefaultAttainment);
        var best = Assert.IsType<double>(result.Best);
        Assert.InRange(best, 64, 255);
        var firstMiss = result.Probes.Where(p => p.Load > best).Min(p => p.Load);
        Assert.True(best >= (1 - SearchLoad.RateResolution) * firstMiss, $"bracket [{best}, {firstMiss}] narrowed to 10 %");
        Assert.All(result.Probes.Where(p => p.Load > best), p => Assert.True(p.Attainment < SloSearch.DefaultAttainment));
        var record = RunRecordReader.Read(dir.Path);
        Assert.Equal(result.Probes.Select(p => "r" + p.Load.ToString("0.0##", System.Globalization.CultureInfo.InvariantCulture)),
            record.Requests.Select(r => r.Point).Distinct());
    }

    [Fact]
    public void A_concurrency_bracket_narrows_to_neighbours_and_a_rate_bracket_to_its_resolution()
    {
        var concurrency = SearchLoad.Concurrency(64);
        Assert.Equal(6, concurrency.Between(4, 8));
        Assert.Null(concurrency.Between(4, 5));
        var rate = SearchLoad.Rate(1, 100);
        Assert.Equal(15, rate.Between(10, 20));
        Assert.Null(rate.Between(18.5, 20));
        Assert.Throws<ArgumentException>(() => SearchLoad.Rate(0, 10));
    }
}
