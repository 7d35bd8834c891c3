using SiliconBench.Diagnostics;
using SiliconBench.Testing;
using Xunit;

namespace SiliconBench.Tests.Commands;

public sealed class ProjectCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private string Catalog => Path.Combine(RepoPaths.Workloads, "silicon.yaml");

    [Fact]
    public void Ceilings_are_labelled_projected_and_follow_the_bandwidth_roofline()
    {
        var code = _cli.Run("project", "-m", "synthetic:llama-3.1-8b", "--batch", "1", "--context", "1024", "--catalog", Catalog);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("PROJECTED", _cli.Output, StringComparison.Ordinal);
        // H100 SXM: 3.35 TB/s ÷ (7,504,924,672 streamed bf16 weights × 2 B + 1024 × 131,072 B of KV) = 221.3 tok/s.
        var h100 = _cli.Output.Split('\n').First(l => l.Contains("NVIDIA H100", StringComparison.Ordinal) && l.Contains("SXM5", StringComparison.Ordinal));
        Assert.Contains(" 221 ", h100, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_on_silicon_outside_the_catalog_says_so_and_still_projects_its_points()
    {
        var run = Path.Combine(RepoPaths.Root, "results", "cpu-roofline-small-b1");

        Assert.Equal(ExitCodes.Ok, _cli.Run("project", "--run", run, "--catalog", Catalog));
        Assert.Contains("decode b1", _cli.Output, StringComparison.Ordinal);
        Assert.Contains("not in the catalog", _cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_batch_list_names_the_option()
    {
        Assert.Equal(ExitCodes.BadInput, _cli.Run("project", "-m", "synthetic:tiny", "--batch", "1,x", "--catalog", Catalog));
        Assert.Contains("--batch", _cli.Error.ToString(), StringComparison.Ordinal);
    }
}
