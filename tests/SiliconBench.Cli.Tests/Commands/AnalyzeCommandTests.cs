using SiliconBench.Diagnostics;
using Xunit;

namespace SiliconBench.Tests.Commands;

public sealed class AnalyzeCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void A_directory_without_a_record_is_bad_input_naming_the_manifest()
    {
        Directory.CreateDirectory(_cli.PathOf("empty-run"));

        var code = _cli.Run("analyze", "empty-run");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("manifest.json", _cli.Error.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ttft_ms=abc", "ttft_ms")]
    [InlineData("latency_ms=5", "latency_ms")]
    [InlineData("tpot_ms=-1", "tpot_ms")]
    public void A_malformed_slo_names_the_field(string slo, string field)
    {
        Directory.CreateDirectory(_cli.PathOf("run"));

        var code = _cli.Run("analyze", "run", "--slo", slo);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"--slo: {field}", _cli.Error.ToString(), StringComparison.Ordinal);
    }
}
