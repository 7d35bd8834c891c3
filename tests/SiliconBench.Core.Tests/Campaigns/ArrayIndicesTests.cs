using SiliconBench.Campaigns.Scheduling.Slurm;
using Xunit;

namespace SiliconBench.Tests.Campaigns;

public sealed class ArrayIndicesTests
{
    [Theory]
    [InlineData(new[] { 0, 1, 2, 3 }, "0-3")]
    [InlineData(new[] { 7, 0, 1, 9, 10, 3 }, "0-1,3,7,9-10")]
    [InlineData(new[] { 5 }, "5")]
    public void Formats_runs(int[] indices, string expected) => Assert.Equal(expected, ArrayIndices.Format(indices));

    [Theory]
    [InlineData("0-3", new[] { 0, 1, 2, 3 })]
    [InlineData("[1,3,5-6]", new[] { 1, 3, 5, 6 })]
    [InlineData("0-3%2", new[] { 0, 1, 2, 3 })]
    [InlineData("0-8:4", new[] { 0, 4, 8 })]
    public void Parses_what_slurm_prints(string text, int[] expected) => Assert.Equal(expected, ArrayIndices.Parse(text));

    [Theory]
    [InlineData("N/A")]
    [InlineData("3-1")]
    [InlineData("")]
    public void Rejects_what_is_not_a_list(string text) => Assert.Null(ArrayIndices.Parse(text));
}
