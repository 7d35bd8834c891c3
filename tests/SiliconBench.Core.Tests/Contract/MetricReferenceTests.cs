using SiliconBench.Contract;
using SiliconBench.Metrics;
using Xunit;

namespace SiliconBench.Tests.Contract;

public sealed class MetricReferenceTests
{
    [Fact]
    public void Committed_metric_reference_matches_the_catalog() =>
        ContractFiles.Check(MetricReference.RelativePath, MetricReference.Render());

    [Fact]
    public void Every_metric_has_its_row()
    {
        var reference = MetricReference.Render();

        Assert.All(MetricCatalog.All, m => Assert.Contains($"| `{m.Id}` | {m.Label} |", reference, StringComparison.Ordinal));
    }
}
