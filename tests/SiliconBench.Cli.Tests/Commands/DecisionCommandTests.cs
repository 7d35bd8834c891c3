using System.Text.Json;
using SiliconBench.Diagnostics;
using SiliconBench.Testing;
using Xunit;

namespace SiliconBench.Tests.Commands;

/// <summary>
/// Repetitions, pricing, compare and gate through the CLI on real CPU runs (synthetic:tiny). One class fixture
/// makes the runs once: two repetitions of the smoke workload.
/// </summary>
public sealed class DecisionCommandTests(DecisionCommandTests.Runs runs) : IClassFixture<DecisionCommandTests.Runs>
{
    public sealed class Runs : IDisposable
    {
        public Runs()
        {
            Code = Cli.Run("run", "--output", "results", "--run-id", "cpu", "--repeat", "2", "--no-roofline", "--no-site",
                "--cache-dir", Path.Combine(Path.GetTempPath(), "sb-cli-tests-cache"));
        }

        public CliHarness Cli { get; } = new();

        public int Code { get; }

        public void Dispose() => Cli.Dispose();
    }

    private CliHarness Cli => runs.Cli;

    [Fact]
    public void Repeat_writes_one_record_per_repetition_with_its_own_run_id()
    {
        Assert.Equal(ExitCodes.Ok, runs.Code);
        foreach (var k in new[] { 1, 2 })
        {
            using var manifest = JsonDocument.Parse(File.ReadAllText(Cli.PathOf($"results/cpu/r{k}/manifest.json")));
            Assert.Equal($"cpu-r{k}", manifest.RootElement.GetProperty("run_id").GetString());
            Assert.True(File.Exists(Cli.PathOf($"results/cpu/r{k}/summary.json")));
        }
    }

    [Fact]
    public void Analyze_with_a_cost_sheet_prices_the_run_and_keeps_the_sheet_so_plain_analyze_reproduces_it()
    {
        var dir = CopyRun("priced");
        File.WriteAllText(Cli.PathOf("cloud.yaml"),
            "name: test-cloud\nsystem: a test box\naccelerators: 1\nas_of: 2026-11-24\ncloud:\n  usd_per_hour: {value: 3.6, source: test}\n");

        Assert.Equal(ExitCodes.Ok, Cli.Run("analyze", dir, "--cost", "cloud.yaml"));
        var priced = File.ReadAllText(Path.Combine(dir, "summary.json"));
        using (var doc = JsonDocument.Parse(priced))
        {
            var cost = doc.RootElement.GetProperty("cost");
            Assert.Equal(3.6, cost.GetProperty("usd_per_hour").GetDouble(), 9);
            // 3.6 $/h is 0.001 $/s: tokens per dollar = output tokens/s × 1000.
            var tokensPerS = doc.RootElement.GetProperty("overall").GetProperty("output_tokens_per_s").GetDouble();
            Assert.Equal(tokensPerS * 1000, cost.GetProperty("output_tokens_per_usd").GetDouble(), tokensPerS * 1000 * 1e-5);
        }

        Assert.Equal(ExitCodes.Ok, Cli.Run("analyze", dir));
        Assert.Equal(priced, File.ReadAllText(Path.Combine(dir, "summary.json")));
    }

    [Fact]
    public void A_cost_sheet_without_sources_is_bad_input_naming_the_field()
    {
        File.WriteAllText(Cli.PathOf("nosource.yaml"), "name: x\nsystem: y\nas_of: 2026-11-24\ncloud:\n  usd_per_hour: {value: 2}\n");

        Assert.Equal(ExitCodes.BadInput, Cli.Run("analyze", CopyRun("unpriced"), "--cost", "nosource.yaml"));
        Assert.Contains("nosource.yaml:5:", Cli.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_puts_the_two_repetitions_side_by_side()
    {
        Assert.Equal(ExitCodes.Ok, Cli.Run("compare", "results/cpu/r1", "results/cpu/r2", "--markdown", "cmp.md"));
        var markdown = File.ReadAllText(Cli.PathOf("cmp.md"));
        Assert.Contains("r1", markdown, StringComparison.Ordinal);
        Assert.Contains("r2", markdown, StringComparison.Ordinal);
        Assert.Contains("b4-c128-o16", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Gate_requiring_measured_energy_of_a_cpu_run_without_sensors_is_insufficient_evidence()
    {
        var code = Cli.Run("gate", "--policy", Path.Combine(RepoPaths.Workloads, "policies", "example.yaml"), "results/cpu", "--out", "decision");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.True(File.Exists(Cli.PathOf("decision/decision.json")));
        Assert.Contains("energy", File.ReadAllText(Cli.PathOf("decision/decision.md")), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_malformed_policy_is_bad_input_naming_file_and_line()
    {
        File.WriteAllText(Cli.PathOf("bad-policy.yaml"), "name: p\nconfidence: 1.5\n");

        Assert.Equal(ExitCodes.BadInput, Cli.Run("gate", "--policy", "bad-policy.yaml", "results/cpu"));
        Assert.Contains("bad-policy.yaml:2", Cli.Error.ToString(), StringComparison.Ordinal);
    }

    private string CopyRun(string name)
    {
        var target = Cli.PathOf(name);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(Cli.PathOf("results/cpu/r1")))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        return target;
    }
}
