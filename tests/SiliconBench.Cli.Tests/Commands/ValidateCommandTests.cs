using SiliconBench.Diagnostics;
using Xunit;

namespace SiliconBench.Tests.Commands;

public sealed class ValidateCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Every_built_in_workload_validates()
    {
        var code = _cli.Run("validate", "interactive-chat", "batch-offline", "agentic-long-context", "reasoning", "rag");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal(5, _cli.Output.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal)));
        Assert.Empty(_cli.Error.ToString());
    }

    [Theory]
    [InlineData("name: x\nprofiles: [unclosed\n", "bad.yaml:3: malformed YAML")]
    [InlineData("name: x\nbogus: 1\nprofiles: {}\n", "bad.yaml:2: bogus")]
    public void A_bad_file_gives_exit_2_naming_file_line_and_field(string yaml, string expected)
    {
        File.WriteAllText(_cli.PathOf("bad.yaml"), yaml);

        var code = _cli.Run("validate", "bad.yaml");

        Assert.Equal(ExitCodes.BadInput, code);
        var error = _cli.Error.ToString();
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void A_negative_batch_size_is_named_with_its_line()
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Workloads, "interactive-chat.yaml"));
        var bad = ReplaceFirstBatchSizes(text, "[1, -4]");
        File.WriteAllText(_cli.PathOf("neg.yaml"), bad.Text);

        var code = _cli.Run("validate", "neg.yaml");

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"neg.yaml:{bad.Line}:", _cli.Error.ToString(), StringComparison.Ordinal);
        Assert.Contains("batch_sizes[1]", _cli.Error.ToString(), StringComparison.Ordinal);
    }

    private static (string Text, int Line) ReplaceFirstBatchSizes(string yaml, string value)
    {
        var lines = yaml.Split('\n');
        var i = Array.FindIndex(lines, l => l.TrimStart().StartsWith("batch_sizes:", StringComparison.Ordinal));
        Assert.True(i >= 0, "the workload has a batch_sizes line");
        lines[i] = lines[i][..(lines[i].IndexOf(':', StringComparison.Ordinal) + 1)] + " " + value;
        return (string.Join('\n', lines), i + 1);
    }
}
