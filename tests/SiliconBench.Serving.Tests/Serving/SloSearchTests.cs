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
                requestsPerProbe: 20, maxConcurrency: 64, SloSearch.DefaultAttainment, writer, TestContext.Current.CancellationToken);
            writer.WriteManifest(TestRunDirectory.Manifest(new BackendInfo { Id = "openai", Version = "t", Device = "fake" }, true, null));
        }

        Assert.Null(result.Incomplete);
        Assert.Equal(4, result.BestConcurrency);
        // 1, 2, 4 pass; 8 fails; then 6 and 5 fail between 4 and 8.
        Assert.Equal([1, 2, 4, 8, 6, 5], result.Probes.Select(p => p.Concurrency));
        var record = RunRecordReader.Read(dir.Path);
        Assert.Equal(["c1", "c2", "c4", "c8", "c6", "c5"], record.Requests.Where(r => !r.Warmup).Select(r => r.Point).Distinct());
        Assert.Equal(record.Requests.Count, record.Requests.Select(r => r.Id).Distinct().Count());
    }
}
