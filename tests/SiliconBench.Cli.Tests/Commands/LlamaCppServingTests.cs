using System.Globalization;
using SiliconBench.Analysis;
using SiliconBench.Diagnostics;
using SiliconBench.Metrics;
using SiliconBench.Planning;
using SiliconBench.Records;
using SiliconBench.Serving;
using SiliconBench.Testing;
using SiliconBench.Testing.Servers;
using SiliconBench.Tokenizers;
using SiliconBench.Workloads;
using Xunit;

namespace SiliconBench.Tests.Commands;

/// <summary>
/// A real inference server: llama.cpp's <c>llama-server</c> (4 slots) serving the synthetic tiny model that
/// <c>export --gguf</c> writes, driven by <c>run --backend openai</c> as a user would. Every request must succeed
/// (a reused connection the server closed is retried, and recorded), every count must equal the server's own
/// (<c>timings</c>), TPOT must agree with the server's time per generated token, and nothing may come from the
/// server's prefix cache that the workload does not share. Skipped, with the reason, only when the server binary
/// has not been built (<c>scripts/build-llama-server.sh</c>, which the test command runs).
/// </summary>
[Collection(nameof(LlamaCppServingTests))]
public sealed class LlamaCppServingTests(LlamaCppServingTests.Server server) : IClassFixture<LlamaCppServingTests.Server>, IDisposable
{
    /// <summary>|TPOT − the server's predicted_per_token_ms|, median over a test's measured requests.</summary>
    private const double TpotAgreementMs = 0.05;

    /// <summary>
    /// The bound on a machine with more runnable work than cores (1-minute load average above the core count, as when
    /// other builds share a CI VM): each token's delivery then waits for a core, by milliseconds, and the agreement
    /// measures the machine rather than the method (seen: 0.05-0.06 ms at load 29 on 2 cores, 0.48 ms beside a browser).
    /// </summary>
    private const double TpotAgreementOverloadedMs = 0.25;

    private readonly CliHarness _cli = new();
    private readonly List<double> _tpotDifferences = [];

    public void Dispose() => _cli.Dispose();

    /// <summary>
    /// Both clocks time the same span, first to last generated token (llama.cpp divides it by n − 1 as TPOT does):
    /// they differ by how much later the last token reached the client than the first did, over n − 1.
    /// </summary>
    private void AssertTpotAgreesWithTheServer()
    {
        Assert.NotEmpty(_tpotDifferences);
        var sorted = _tpotDifferences.Order().ToList();
        var median = sorted[sorted.Count / 2];
        var f = CultureInfo.InvariantCulture;
        var load = LoadAverage();
        var overloaded = load > Environment.ProcessorCount;
        var bound = overloaded ? TpotAgreementOverloadedMs : TpotAgreementMs;
        var figures = $"median |TPOT - server per-token time| = {median.ToString("0.####", f)} ms over {sorted.Count} requests (p90 {sorted[sorted.Count * 9 / 10].ToString("0.####", f)} ms; load average {load.ToString("0.#", f)} on {Environment.ProcessorCount} cores, bound {bound} ms)";
        TestContext.Current.SendDiagnosticMessage(figures);
        Assert.True(median <= bound, figures);
    }

    private string[] Run(string runId, params string[] more)
    {
        var url = server.Llama?.BaseUrl.ToString() ?? throw new InvalidOperationException("no server");
        return ["run", "--backend", "openai", "--endpoint", url, "--model", Server.Alias, "--output", "out", "--run-id", runId, "--no-site", .. more];
    }

    [Fact]
    public void Interactive_chat_smoke_three_runs_in_a_row_on_the_chat_api_with_exact_text_prompts()
    {
        server.SkipUnlessRunning();
        for (var k = 1; k <= 3; k++)
        {
            var code = _cli.Run(Run($"chat{k}", "--api", "chat", "--tokenizer", server.ModelDirectory));
            Assert.True(code == ExitCodes.Ok, _cli.Error + server.Llama!.Output);
        }

        var salts = new HashSet<string>();
        for (var k = 1; k <= 3; k++)
        {
            var record = AssertServedAsTheServerSays($"out/chat{k}");
            salts.Add(record.Manifest.Backend.Options["prompt_salt"]);
            // Exact prompts: the server counted the planned words plus the template's two role markers, request for request.
            var plan = PlannedInputLengths(record, "interactive-chat");
            foreach (var point in new[] { "c1", "c4" })
                Assert.Equal(plan[point], record.Requests.Where(r => !r.Warmup && r.Point == point).Select(r => r.InputTokens!.Value - 2).Order());
        }
        Assert.Equal(3, salts.Count);
        AssertTpotAgreesWithTheServer();
    }

    [Fact]
    public void A_c1_c4_sweep_repeated_twice_with_token_id_prompts_draws_new_prompts_for_the_second_repetition()
    {
        server.SkipUnlessRunning();

        var code = _cli.Run(Run("ids", "--token-ids", "--tokenizer", server.ModelDirectory, "--repeat", "2", "--cooldown-s", "0"));

        Assert.True(code == ExitCodes.Ok, _cli.Error + server.Llama!.Output);
        var r1 = AssertServedAsTheServerSays("out/ids/r1");
        var r2 = AssertServedAsTheServerSays("out/ids/r2");
        Assert.NotEqual(r1.Manifest.Backend.Options["prompt_salt"], r2.Manifest.Backend.Options["prompt_salt"]);
        var plan = PlannedInputLengths(r2, "interactive-chat");
        Assert.Equal(plan["c4"], r2.Requests.Where(r => !r.Warmup && r.Point == "c4").Select(r => r.InputTokens!.Value).Order());
        AssertTpotAgreesWithTheServer();
    }

    [Fact]
    public void An_open_loop_rag_sweep_shares_its_prefix_through_the_servers_cache_and_nothing_more()
    {
        server.SkipUnlessRunning();

        var code = _cli.Run(Run("rag", "-w", "rag", "--tokenizer", server.ModelDirectory));

        Assert.True(code == ExitCodes.Ok, _cli.Error + server.Llama!.Output);
        AssertServedAsTheServerSays("out/rag");
        var summary = SummaryReader.Read(_cli.PathOf("out/rag/summary.json"));
        // 16 shared tokens of 64-256: the server serves them from cache once they are there, and the summary says how much.
        Assert.InRange(summary.Overall.Scalar(MetricCatalog.PrefixCacheIntendedFraction)!.Value, 0.04, 0.3);
        Assert.InRange(summary.Overall.Scalar(MetricCatalog.PrefixCacheHitFraction)!.Value, 0.02, summary.Overall.Scalar(MetricCatalog.PrefixCacheIntendedFraction)!.Value + 0.01);
        AssertTpotAgreesWithTheServer();
    }

    private static double LoadAverage() =>
        File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var load) ? load : 0;

    /// <summary>The checks every run against the server must pass; returns the record.</summary>
    private RunRecord AssertServedAsTheServerSays(string runDirectory)
    {
        var record = RunRecordReader.Read(_cli.PathOf(runDirectory));
        var summary = SummaryReader.Read(_cli.PathOf(Path.Combine(runDirectory, RunFiles.Summary)));
        Assert.True(summary.Validity.Valid, string.Join("; ", summary.Validity.Notes));
        Assert.True(record.Manifest.Complete, record.Manifest.IncompleteReason);
        foreach (var r in record.Requests)
        {
            var what = $"{runDirectory} {r.Id}";
            Assert.True(r.Status == RequestStatus.Ok, $"{what}: {r.Error}");
            var timings = r.ServerTimings ?? throw new Xunit.Sdk.XunitException($"{what}: no server timings");
            // Counts are the server's: prompt = processed + cached, output = generated, and every token came in a chunk.
            Assert.Equal(timings["prompt_n"] + timings["cache_n"], r.InputTokens!.Value);
            Assert.Equal(timings["cache_n"], r.CachedTokens!.Value);
            Assert.Equal(timings["predicted_n"], r.OutputTokens);
            Assert.Equal(r.OutputTokens, r.Chunks.Sum(c => c.Tokens));
            // Nothing cached beyond what the workload shares, but for chance: a role marker or a first word in common.
            Assert.True(r.CachedTokens - (r.SharedTokens ?? 0) <= 3, $"{what}: {r.CachedTokens} cached, {r.SharedTokens} shared of {r.InputTokens}");
            if (!r.Warmup && r.OutputTokens >= 2)
                _tpotDifferences.Add(Math.Abs((RequestTiming.TimePerOutputToken(r)!.Value * 1000) - timings["predicted_per_token_ms"]));
        }
        Assert.Equal(0, summary.Overall.Scalar(MetricCatalog.PrefixCacheUnintendedRequests));
        return record;
    }

    /// <summary>The planner's prompt lengths per point for the run's seed and salt, sorted.</summary>
    private Dictionary<string, List<int>> PlannedInputLengths(RunRecord record, string workload)
    {
        var profile = WorkloadLoader.Load(Path.Combine(RepoPaths.Workloads, workload + ".yaml")).GetProfile("smoke");
        var vocabulary = TokenizerPromptVocabulary.Build(TokenizerLoader.Load(server.ModelDirectory));
        var plan = ServingPlanner.Plan(profile, vocabulary);
        var salt = ulong.Parse(record.Manifest.Backend.Options["prompt_salt"], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return plan.Points.ToDictionary(p => p.Id, p => Enumerable.Range(0, p.RequestCount!.Value)
            .Select(i => plan.Requests(new RequestSlot(p.Id, i, false, salt)).InputTokens).Order().ToList());
    }

    /// <summary>Alone on the machine: TPOT is compared to 0.05 ms, and two cores shared with other tests' engines blur it.</summary>
    [CollectionDefinition(nameof(LlamaCppServingTests), DisableParallelization = true)]
    public sealed class Alone;

    /// <summary>One llama-server for the class: the tiny synthetic model exported by the CLI, 4 slots.</summary>
    public sealed class Server : IAsyncLifetime
    {
        public const string Alias = "siliconbench-tiny";

        private readonly string _directory = Path.Combine(Path.GetTempPath(), "sb-llama-" + Guid.NewGuid().ToString("N"));
        private string? _missing;

        public LlamaServer? Llama { get; private set; }

        public string ModelDirectory => Path.Combine(_directory, "model");

        public async ValueTask InitializeAsync()
        {
            var (binary, missing) = LlamaServer.Locate();
            if (binary is null)
            {
                _missing = missing;
                return;
            }
            Directory.CreateDirectory(_directory);
            using (var cli = new CliHarness())
            {
                var code = cli.Run("export", "--gguf", ModelDirectory, "--model", "synthetic:tiny", "--dtype", "fp32", "--cache-dir", Path.Combine(_directory, "cache"));
                if (code != ExitCodes.Ok)
                    throw new InvalidOperationException($"export --gguf failed ({code}): {cli.Error}");
            }
            Llama = await LlamaServer.StartAsync(binary, Path.Combine(ModelDirectory, "model.gguf"), Alias, slots: 4, null, TestContext.Current.CancellationToken);
        }

        public void SkipUnlessRunning()
        {
            if (Llama is null)
                Assert.Skip(_missing ?? "llama-server did not start");
        }

        public async ValueTask DisposeAsync()
        {
            if (Llama is not null)
                await Llama.DisposeAsync();
            if (Directory.Exists(_directory))
                Directory.Delete(_directory, recursive: true);
        }
    }
}
