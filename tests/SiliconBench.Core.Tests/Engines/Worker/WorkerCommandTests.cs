using SiliconBench.Engines.Worker;
using Xunit;

namespace SiliconBench.Tests.Engines.Worker;

public sealed class WorkerCommandTests
{
    [Fact]
    public void Splits_on_whitespace_and_honours_quotes()
    {
        var command = WorkerCommand.Parse("  python3   '/opt/my models/worker.py' --name \"a \\\"b\\\" c\" x\\ y ''  ");

        Assert.Equal("python3", command.FileName);
        Assert.Equal(["/opt/my models/worker.py", "--name", "a \"b\" c", "x y", ""], command.Arguments);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("python3 'unclosed")]
    [InlineData("python3 \"unclosed")]
    public void Rejects_empty_or_unclosed_command_lines(string line)
    {
        Assert.Throws<FormatException>(() => WorkerCommand.Parse(line));
    }

    [Fact]
    public void ToString_quotes_so_that_parsing_gives_the_same_words()
    {
        var command = new WorkerCommand("/usr/bin/python3", ["/a b/worker.py", "it's", "--x=1", ""]);

        var again = WorkerCommand.Parse(command.ToString());

        Assert.Equal(command.FileName, again.FileName);
        Assert.Equal(command.Arguments, again.Arguments);
    }
}
