using System.Text.Json;
using SiliconBench.Diagnostics;
using SiliconBench.Tests.Serving;
using Xunit;

namespace SiliconBench.Tests.Commands;

/// <summary><c>run --backend openai</c> against a real SSE server on loopback, driven by the workload's arrival process.</summary>
public sealed class ServingRunCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public async Task A_closed_loop_sweep_against_an_endpoint_writes_a_record_the_analyzer_reads()
    {
        await using var server = await ScriptedSseServer.StartAsync();
        Environment.SetEnvironmentVariable("SB_TEST_KEY", "sk-do-not-write-me");
        try
        {
            var code = _cli.Run("run", "--backend", "openai", "--endpoint", server.BaseUrl.ToString(), "--model", "served-model",
                "--api-key-env", "SB_TEST_KEY", "--output", "out", "--run-id", "srv", "--no-site");

            Assert.True(code == ExitCodes.Ok, _cli.Error.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable("SB_TEST_KEY", null);
        }

        // interactive-chat smoke: closed loop at concurrency 1 and 4, 16 requests each.
        var requests = File.ReadAllLines(_cli.PathOf("out/srv/requests.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var measured = requests.Where(r => !r.GetProperty("warmup").GetBoolean()).ToList();
        Assert.Equal(["c1", "c4"], measured.Select(r => r.GetProperty("point").GetString()).Distinct());
        Assert.Equal(32, measured.Count);
        Assert.All(measured, r => Assert.Equal("ok", r.GetProperty("status").GetString()));
        Assert.Equal(4, server.MaxInFlight);
        using var summary = JsonDocument.Parse(File.ReadAllText(_cli.PathOf("out/srv/summary.json")));
        Assert.Equal(32, summary.RootElement.GetProperty("overall").GetProperty("ttft_ms").GetProperty("n").GetInt32());
        foreach (var file in Directory.GetFiles(_cli.PathOf("out/srv")))
            Assert.DoesNotContain("sk-do-not-write-me", File.ReadAllText(file), StringComparison.Ordinal);
        Assert.DoesNotContain("sk-do-not-write-me", _cli.Output + _cli.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_the_served_models_tokenizer_text_prompts_are_exactly_the_planned_lengths()
    {
        // The server counts text with the real o200k_base tokenizer and token-id prompts by their length, as vLLM does.
        var o200k = Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForEncoding("o200k_base");
        await using var server = await ScriptedSseServer.StartAsync();
        server.CountPromptTokens = body => body.GetProperty("prompt") is { ValueKind: JsonValueKind.Array } ids ? ids.GetArrayLength() : o200k.CountTokens(body.GetProperty("prompt").GetString()!);
        string[] common = ["run", "--backend", "openai", "--endpoint", server.BaseUrl.ToString(), "--model", "served-model", "--output", "out", "--no-site"];

        Assert.Equal(ExitCodes.Ok, _cli.Run([.. common, "--run-id", "text", "--tokenizer", "o200k_base"]));
        Assert.Equal(ExitCodes.Ok, _cli.Run([.. common, "--run-id", "ids", "--token-ids"]));

        // Same seed, same planned lengths: the server's count of the text equals the length of the id prompts, point by point.
        Assert.Equal(InputLengths("ids"), InputLengths("text"));
        Assert.True(InputLengths("text").SelectMany(p => p.Value).Distinct().Count() > 8, "lengths vary (lognormal contexts)");
        Assert.All(server.Seen.Where(r => r.Body.GetProperty("prompt").ValueKind == JsonValueKind.String),
            r => Assert.DoesNotContain("alpha", r.Body.GetProperty("prompt").GetString()!, StringComparison.Ordinal));
        using var manifest = JsonDocument.Parse(File.ReadAllText(_cli.PathOf("out/text/manifest.json")));
        var options = manifest.RootElement.GetProperty("backend").GetProperty("options");
        Assert.Equal("tiktoken:o200k_base", options.GetProperty("prompt_vocabulary").GetString());
        Assert.StartsWith("exact", options.GetProperty("prompt_lengths").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nominal_text_prompts_are_noted_in_the_manifest_also_when_chat_ignores_token_ids()
    {
        await using var server = await ScriptedSseServer.StartAsync();
        string[] common = ["run", "--backend", "openai", "--endpoint", server.BaseUrl.ToString(), "--model", "m", "--output", "out", "--no-site", "--token-ids"];

        Assert.Equal(ExitCodes.Ok, _cli.Run([.. common, "--run-id", "chat", "--api", "chat"]));
        Assert.Equal(ExitCodes.Ok, _cli.Run([.. common, "--run-id", "completions"]));

        Assert.Contains(Notes("chat"), n => n.StartsWith("text prompts are nominal in length", StringComparison.Ordinal));
        Assert.DoesNotContain(Notes("completions"), n => n.StartsWith("text prompts are nominal in length", StringComparison.Ordinal));
    }

    private List<string> Notes(string runId)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllText(_cli.PathOf($"out/{runId}/manifest.json")));
        return [.. manifest.RootElement.GetProperty("notes").EnumerateArray().Select(n => n.GetString()!)];
    }

    private Dictionary<string, List<int>> InputLengths(string runId) =>
        File.ReadAllLines(_cli.PathOf($"out/{runId}/requests.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .GroupBy(r => (r.GetProperty("warmup").GetBoolean() ? "warmup:" : "") + r.GetProperty("point").GetString())
            .ToDictionary(g => g.Key, g => g.Select(r => r.GetProperty("input_tokens").GetInt32()).Order().ToList());

    [Fact]
    public async Task An_open_loop_search_probes_rates_from_the_workloads_lowest()
    {
        await using var server = await ScriptedSseServer.StartAsync();
        File.WriteAllText(_cli.PathOf("open.yaml"), """
            name: open
            profiles:
              smoke:
                batch_sizes: [1]
                context: {nominal: [32]}
                output: {nominal: [8]}
                warmup_repetitions: 1
                request_count: 8
                arrival: {kind: poisson, rates_per_s: [20, 30]}
                slo: {ttft_ms: 2000}
            """);

        var code = _cli.Run("run", "-w", "open.yaml", "--backend", "openai", "--endpoint", server.BaseUrl.ToString(), "--model", "m",
            "--search", "--search-max", "80", "--output", "out", "--run-id", "s", "--no-site");

        Assert.True(code == ExitCodes.Ok, _cli.Error.ToString());
        // A fast server meets the loose SLO everywhere: 20, 40, 80 requests/s, each a point of the record.
        Assert.Contains("highest rate (requests/s) meeting the SLOs for ≥ 90% of requests: 80.0 (20.0: 100%, 40.0: 100%, 80.0: 100%)", _cli.Error.ToString(), StringComparison.Ordinal);
        Assert.Equal(["r20.0", "r40.0", "r80.0"], InputLengths("s").Keys.Where(k => !k.StartsWith("warmup:", StringComparison.Ordinal)).Order());
        using var summary = JsonDocument.Parse(File.ReadAllText(_cli.PathOf("out/s/summary.json")));
        Assert.Equal("r80.0", summary.RootElement.GetProperty("serving").GetProperty("slo_envelope_point").GetString());
    }

    [Fact]
    public async Task An_endpoint_on_a_unix_socket_is_served_and_named_in_the_manifest()
    {
        await using var server = await ScriptedSseServer.StartAsync(unixSocketPath: _cli.PathOf("srv.sock"));

        var code = _cli.Run("run", "--backend", "openai", "--endpoint", "unix:srv.sock", "--model", "m", "--output", "out", "--run-id", "u", "--no-site");

        Assert.True(code == ExitCodes.Ok, _cli.Error.ToString());
        Assert.All(File.ReadAllLines(_cli.PathOf("out/u/requests.jsonl")), l => Assert.Contains("\"status\":\"ok\"", l, StringComparison.Ordinal));
        using var manifest = JsonDocument.Parse(File.ReadAllText(_cli.PathOf("out/u/manifest.json")));
        Assert.Equal(_cli.PathOf("srv.sock"), manifest.RootElement.GetProperty("backend").GetProperty("options").GetProperty("unix_socket").GetString());
    }

    [Fact]
    public void A_unix_socket_that_does_not_exist_is_bad_input()
    {
        Assert.Equal(ExitCodes.BadInput, _cli.Run("run", "--backend", "openai", "--endpoint", "unix:nowhere.sock", "--model", "m", "--output", "out", "--no-site"));

        Assert.Contains("no socket at", _cli.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_tokenizer_that_cannot_be_found_is_bad_input_and_leaves_no_record()
    {
        Assert.Equal(ExitCodes.BadInput, _cli.Run("run", "--backend", "openai", "--endpoint", "http://127.0.0.1:9", "--model", "m",
            "--tokenizer", "no/such/dir", "--output", "out", "--run-id", "t", "--no-site"));

        Assert.Contains("--tokenizer", _cli.Error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(_cli.PathOf("out/t")));
    }

    [Fact]
    public void A_tokenizer_for_an_engine_is_bad_input()
    {
        Assert.Equal(ExitCodes.BadInput, _cli.Run("run", "--tokenizer", "o200k_base", "--output", "out", "--no-site"));

        Assert.Contains("only the openai backend", _cli.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_openai_backend_without_an_endpoint_is_bad_input()
    {
        Assert.Equal(ExitCodes.BadInput, _cli.Run("run", "--backend", "openai", "--model", "m", "--output", "out"));
        Assert.Contains("--endpoint", _cli.Error.ToString(), StringComparison.Ordinal);
    }
}
