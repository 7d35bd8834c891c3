using SiliconBench.Analysis;
using SiliconBench.Engines;
using SiliconBench.Metrics;
using SiliconBench.OnnxRuntime;
using SiliconBench.Records;
using SiliconBench.Running;
using SiliconBench.Serving.Batching;
using SiliconBench.Serving;
using SiliconBench.Tests.Serving;
using Xunit;

namespace SiliconBench.Tests.Batching;

/// <summary>A synthetic:tiny engine built once for the class, in a temp cache deleted afterwards.</summary>
public sealed class TinyEngineFixture : IDisposable
{
    private readonly string _cache = Path.Combine(Path.GetTempPath(), "sb-batching-" + Guid.NewGuid().ToString("N"));

    public TinyEngineFixture()
    {
        Directory.CreateDirectory(_cache);
        Engine = (OnnxRuntimeEngine)new OnnxRuntimeEngineFactory().Create(new EngineRequest
        {
            ModelSpec = "synthetic:tiny",
            CacheDirectory = _cache,
            Options = new Dictionary<string, string> { ["checkpoint_dtype"] = "fp32" },
            Dtype = "fp32",
        });
    }

    public OnnxRuntimeEngine Engine { get; }

    public void Dispose()
    {
        Engine.Dispose();
        try
        {
            Directory.Delete(_cache, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Continuous batching on the real ONNX Runtime engine: greedy tokens unchanged by batching, and a whole serving run.</summary>
public sealed class OnnxBatchingTests(TinyEngineFixture fixture) : IClassFixture<TinyEngineFixture>
{
    private static readonly int[][] Prompts = [[11, 7, 300, 42, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9], [400, 8, 77], [9, 250, 13, 13, 60, 2, 71]];

    private const int OutputTokens = 8;

    /// <summary>Each prompt alone through the one-batch contract: prefill of a batch of one, then decode steps.</summary>
    private List<int>[] Alone()
    {
        var engine = fixture.Engine;
        var result = new List<int>[Prompts.Length];
        for (var r = 0; r < Prompts.Length; r++)
        {
            result[r] = [engine.Prefill([Prompts[r]]).Tokens[0]];
            while (result[r].Count < OutputTokens)
                result[r].Add(engine.Decode().Tokens[0]);
            engine.EndBatch();
        }
        return result;
    }

    [Fact]
    public void A_sequence_gets_the_same_greedy_tokens_alone_as_when_it_joins_and_leaves_a_running_batch()
    {
        var expected = Alone();
        var engine = fixture.Engine;
        var generated = Prompts.Select(_ => new List<int>()).ToArray();
        var ids = new SequenceId?[Prompts.Length];
        // Staggered joins: sequence r joins at step 2r, so each step's batch mixes sequences at different lengths;
        // sequence 3 prefills in chunks of 3 tokens while the others decode.
        var joinAt = new[] { 0, 2, 3, 5 };
        for (var step = 0; generated.Any(g => g.Count < OutputTokens); step++)
        {
            for (var r = 0; r < Prompts.Length; r++)
            {
                if (joinAt[r] == step)
                    ids[r] = engine.OpenSequence(Prompts[r]);
                if (ids[r] is { } id && generated[r].Count == 0 && engine.PrefillSequence(id, r == 3 ? 3 : int.MaxValue) is { } first)
                    generated[r].Add(first);
            }
            var decoding = Enumerable.Range(0, Prompts.Length).Where(r => ids[r] is not null && generated[r].Count is > 0 and < OutputTokens).ToList();
            if (decoding.Count == 0)
                continue;
            var tokens = engine.DecodeSequences([.. decoding.Select(r => ids[r]!.Value)]).Tokens;
            for (var i = 0; i < decoding.Count; i++)
            {
                var r = decoding[i];
                generated[r].Add(tokens[i]);
                if (generated[r].Count == OutputTokens)
                    engine.CloseSequence(ids[r]!.Value);
            }
        }

        for (var r = 0; r < Prompts.Length; r++)
            Assert.Equal(expected[r], generated[r]);
    }

    [Fact]
    public void Sequences_that_are_not_ready_or_not_open_are_refused()
    {
        var engine = fixture.Engine;
        var id = engine.OpenSequence([1, 2, 3, 4]);
        Assert.Null(engine.PrefillSequence(id, 2));
        Assert.Throws<InvalidOperationException>(() => engine.DecodeSequences([id]));
        Assert.NotNull(engine.PrefillSequence(id, 2));
        engine.CloseSequence(id);
        Assert.Throws<InvalidOperationException>(() => engine.DecodeSequences([id]));
        Assert.Throws<ArgumentException>(() => engine.OpenSequence([engine.Model.VocabSize]));
    }

    [Theory]
    [InlineData(BatchingMode.Continuous)]
    [InlineData(BatchingMode.Static)]
    public async Task The_serving_runner_drives_the_scheduler_over_the_real_engine_and_the_analyzer_reads_the_record(BatchingMode mode)
    {
        var clock = new MonotonicClock();
        using var scheduler = new BatchingScheduler(fixture.Engine, clock, new BatchingOptions { Mode = mode, MaxBatch = 4, PrefillChunkTokens = 16 });
        using var dir = new TestRunDirectory();
        var plan = new ServingPlan
        {
            Points = [ServingPoint.Closed(4, requests: 12)],
            Requests = slot => new ServingRequestSpec(8 + (slot.Index % 3 * 7), 3 + (slot.Index % 4)),
            WarmupRequests = 2,
        };

        RunOutcome outcome;
        using (var writer = RunRecordWriter.Create(dir.Path))
        {
            outcome = await new ServingRunner(clock, new BatchingObserver(scheduler)).RunAsync(scheduler, plan, writer, TestContext.Current.CancellationToken);
            Assert.True(scheduler.WriteSteps(writer) > 0);
            writer.WriteManifest(TestRunDirectory.Manifest(fixture.Engine.Backend, outcome.Complete, outcome.Reason));
        }
        var record = RunRecordReader.Read(dir.Path);

        Assert.True(outcome.Complete, outcome.Reason);
        Assert.Equal(14, record.Requests.Count);
        Assert.All(record.Requests, r => Assert.Equal(RequestStatus.Ok, r.Status));
        var measured = record.Requests.Where(r => !r.Warmup).OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
        Assert.Equal(Enumerable.Range(0, 12).Select(i => 3 + (i % 4)).Order(), measured.Select(r => r.OutputTokens).Order());
        Assert.All(record.Requests, r => Assert.Equal(r.OutputTokens, r.Chunks.Sum(c => c.Tokens)));
        Assert.All(record.Requests, r => Assert.True(r.TFirst >= r.TSubmit));

        Assert.Contains(record.Steps, s => s.Phase == Phase.Prefill);
        Assert.Contains(record.Steps, s => s.Phase == Phase.Decode);
        Assert.Contains(record.Steps, s => s.Warmup);
        Assert.All(record.Steps, s => Assert.Equal("c4", s.Point));
        Assert.All(record.Steps, s => Assert.InRange(s.Batch, 1, 4));
        Assert.All(record.Steps.Where(s => s.Phase == Phase.Prefill), s => Assert.InRange(s.Tokens, 1, 16));
        Assert.All(record.Steps, s => Assert.True(s.TEnd >= s.TStart));
        // Every token arrives at the end of some step.
        var stepEnds = record.Steps.Select(s => s.TEnd).ToHashSet();
        Assert.All(record.Requests.SelectMany(r => r.Chunks), c => Assert.Contains(c.T, stepEnds));

        var summary = Analyzer.Analyze(record);
        Assert.Equal(12, summary.Overall.DistributionOf(MetricCatalog.TtftMs)!.N);
        Assert.Equal(12, summary.Overall.DistributionOf(MetricCatalog.TpotMs)!.N);
        Assert.NotNull(summary.Overall.Scalar(MetricCatalog.DecodeTokensPerS));
    }
}
