using SiliconBench.Analysis;
using SiliconBench.Metrics;
using SiliconBench.Records;
using SiliconBench.Running;
using SiliconBench.Serving;
using SiliconBench.Tests.Batching;
using Xunit;

namespace SiliconBench.Tests.Serving;

/// <summary>The openai backend end to end against a loopback server that streams real tokens from the ONNX Runtime engine.</summary>
public sealed class EngineEndpointTests(TinyEngineFixture tiny) : IClassFixture<TinyEngineFixture>
{
    [Fact]
    public async Task Real_engine_tokens_stream_over_http_with_exact_lengths_and_timestamps_in_order()
    {
        await using var server = await EngineSseServer.StartAsync(tiny.Engine);
        using var endpoint = new OpenAiEndpoint(new OpenAiEndpointOptions
        {
            BaseUrl = server.BaseUrl,
            Model = "synthetic:tiny",
            PromptAsTokenIds = true,
            ApiKeyVariable = "SB_TEST_UNSET_" + Guid.NewGuid().ToString("N"),
        });
        var plan = new ServingPlan
        {
            Points = [ServingPoint.Closed(2, requests: 6)],
            Requests = slot => new ServingRequestSpec(8 + slot.Index, 5 + slot.Index % 3) { PromptTokenIds = [.. Enumerable.Range(1, 8 + slot.Index)] },
            Seed = 1,
        };
        using var dir = new TestRunDirectory();
        RunOutcome outcome;
        using (var writer = RunRecordWriter.Create(dir.Path))
        {
            outcome = await new ServingRunner(new MonotonicClock()).RunAsync(endpoint, plan, writer, TestContext.Current.CancellationToken);
            writer.WriteManifest(TestRunDirectory.Manifest(endpoint.Describe(), outcome.Complete, outcome.Reason));
        }
        var record = RunRecordReader.Read(dir.Path);

        Assert.True(outcome.Complete, outcome.Reason);
        Assert.Equal(6, record.Requests.Count);
        foreach (var r in record.Requests)
        {
            Assert.Equal(RequestStatus.Ok, r.Status);
            // Exact lengths: what the engine generated, counted by the server's usage and by the chunks alike.
            Assert.Equal(r.OutputTokens, r.Chunks.Sum(c => c.Tokens));
            Assert.Equal(r.TFirst, r.Chunks[0].T);
            Assert.Equal(r.TEnd, r.Chunks[^1].T);
            Assert.True(r.Chunks.Zip(r.Chunks.Skip(1)).All(p => p.First.T <= p.Second.T));
        }
        Assert.Equal(record.Requests.Select(r => r.OutputTokens).Order(), server.Generated.Select(g => g.Length).Order());
        Assert.Equal([5, 5, 6, 6, 7, 7], record.Requests.Select(r => r.OutputTokens).Order());
        Assert.Equal(6, Analyzer.Analyze(record).Overall.DistributionOf(MetricCatalog.TtftMs)!.N);
    }
}
