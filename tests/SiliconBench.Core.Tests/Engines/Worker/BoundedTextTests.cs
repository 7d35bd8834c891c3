using SiliconBench.Engines.Worker;
using Xunit;

namespace SiliconBench.Tests.Engines.Worker;

public sealed class BoundedTextTests
{
    [Fact]
    public void Keeps_everything_below_the_limit()
    {
        var text = new BoundedText(100);
        text.AppendLine("one");
        text.AppendLine("two");

        Assert.Equal("one\ntwo\n", text.ToString());
        Assert.Equal("two", text.LastLines(1));
        Assert.Equal("one\ntwo", text.LastLines(5));
    }

    [Fact]
    public void Keeps_only_the_tail_from_a_line_start_when_over_the_limit()
    {
        var text = new BoundedText(100);
        for (var i = 0; i < 1000; i++)
            text.AppendLine($"line {i:D4}");

        var tail = text.ToString();
        Assert.True(tail.Length <= 100);
        Assert.StartsWith("line ", tail);
        Assert.EndsWith("line 0999\n", tail);
        Assert.Equal("line 0998\nline 0999", text.LastLines(2));
    }
}
