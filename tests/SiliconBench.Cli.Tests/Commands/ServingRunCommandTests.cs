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
    public void The_openai_backend_without_an_endpoint_is_bad_input()
    {
        Assert.Equal(ExitCodes.BadInput, _cli.Run("run", "--backend", "openai", "--model", "m", "--output", "out"));
        Assert.Contains("--endpoint", _cli.Error.ToString(), StringComparison.Ordinal);
    }
}
