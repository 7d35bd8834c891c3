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

    [Fact]
    public void Cost_sheets_policies_and_the_catalog_validate_by_kind()
    {
        var files = Directory.GetFiles(Path.Combine(RepoPaths.Workloads, "costs"), "*.yaml")
            .Concat(Directory.GetFiles(Path.Combine(RepoPaths.Workloads, "policies"), "*.yaml"))
            .Append(Path.Combine(RepoPaths.Workloads, "silicon.yaml"))
            .ToArray();

        Assert.Equal(ExitCodes.Ok, _cli.Run(["validate", .. files]));
        Assert.Contains("ok ", _cli.Output, StringComparison.Ordinal);
        Assert.Contains("cost sheet 'h100-3yr-rental'", _cli.Output.Replace("\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("silicon catalog", _cli.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Example_campaigns_validate_with_their_task_counts()
    {
        var files = Directory.GetFiles(Path.Combine(RepoPaths.Workloads, "campaigns"), "*.yaml").Order(StringComparer.Ordinal).ToArray();

        Assert.Equal(ExitCodes.Ok, _cli.Run(["validate", .. files]));
        var output = _cli.Output.Replace("\n", "", StringComparison.Ordinal);
        Assert.Contains("campaign 'cpu-smoke' (6 tasks on 2 systems)", output, StringComparison.Ordinal);
        Assert.Contains("campaign 'chat-h100-h200' (6 tasks on 2 systems)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void A_campaign_with_a_profile_its_workload_lacks_is_named_with_its_line()
    {
        File.WriteAllText(_cli.PathOf("c.yaml"), "name: c\nstorage: s\nmatrix:\n  workloads: [interactive-chat]\n  profiles: [smoke, huge]\n  models: [\"synthetic:tiny\"]\nsystems:\n  cpu: {}\n");

        Assert.Equal(ExitCodes.BadInput, _cli.Run("validate", "c.yaml"));
        Assert.Contains("c.yaml:5: matrix.profiles[1]: workload 'interactive-chat' has no profile 'huge'", _cli.Error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_cost_sheet_with_a_negative_price_is_named_with_its_line()
    {
        File.WriteAllText(_cli.PathOf("c.yaml"), "name: c\nsystem: s\nas_of: 2026-11-24\ncloud:\n  usd_per_hour: {value: -1, source: me}\n");

        Assert.Equal(ExitCodes.BadInput, _cli.Run("validate", "c.yaml"));
        Assert.Contains("c.yaml:5:", _cli.Error.ToString(), StringComparison.Ordinal);
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
