using System.Text.RegularExpressions;
using SiliconBench.Diagnostics;
using SiliconBench.Testing;
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

    [Theory]
    [InlineData("validate")]
    [InlineData("gate")]
    public void A_policy_naming_an_unknown_metric_is_bad_input_at_its_line_not_insufficient_evidence(string command)
    {
        File.WriteAllText(_cli.PathOf("p.yaml"), "name: p\nworkloads:\n  '*':\n    requirements:\n      - {metric: tokens_per_joule, statistic: value, comparator: \">=\", threshold: 1}\n");
        string[] args = command == "validate" ? ["validate", "p.yaml"] : ["gate", "--policy", "p.yaml", "results/none"];

        var code = _cli.Run(args);

        Assert.Equal(ExitCodes.BadInput, code);
        var error = _cli.Error.ToString();
        Assert.Contains("p.yaml:5: workloads.*.requirements[0].metric: unknown metric 'tokens_per_joule'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("insufficient evidence", error + _cli.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Committed_run_directories_and_their_record_files_validate()
    {
        var run = Path.Combine(RepoPaths.Results, "cpu-roofline-small-b1");
        string[] files = [.. new[] { "manifest.json", "requests.jsonl", "steps.jsonl", "windows.jsonl", "telemetry.csv", "summary.json" }.Select(f => Path.Combine(run, f))];

        Assert.Equal(ExitCodes.Ok, _cli.Run(["validate", run, Path.Combine(RepoPaths.Results, "cpu-smoke-tiny-threads1", "r1"), .. files]));
        Assert.Equal(8, _cli.Output.Split('\n').Count(l => l.StartsWith("ok ", StringComparison.Ordinal)));
        Assert.Contains("run record cpu-roofline-small-b1:", _cli.Output.Replace("\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Empty(_cli.Error.ToString());
    }

    [Theory]
    [InlineData("steps.jsonl", "\"phase\":\"decode\"", "\"phase\":\"verify\"", "phase: expected prefill or decode")]
    [InlineData("summary.json", "\"measured_requests\"", "\"measured_request\"", "validity.measured_requests: required field is missing")]
    [InlineData("manifest.json", "\"run_id\": \"", "\"run_id\": 7, \"x\": \"", "run_id: expected a string, found a number")]
    public void A_damaged_record_file_is_bad_input_naming_file_line_and_field(string file, string from, string to, string expected)
    {
        var run = _cli.PathOf("run");
        Directory.CreateDirectory(run);
        foreach (var f in Directory.GetFiles(Path.Combine(RepoPaths.Results, "cpu-roofline-small-b1")))
            File.Copy(f, Path.Combine(run, Path.GetFileName(f)));
        var path = Path.Combine(run, file);
        var text = File.ReadAllText(path);
        var at = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, $"{from} not in {file}");
        File.WriteAllText(path, text[..at] + to + text[(at + from.Length)..]);

        Assert.Equal(ExitCodes.BadInput, _cli.Run("validate", path));
        // The line of a bad value is its own; a missing field is reported where its object ends.
        Assert.Matches($@"{Regex.Escape(file)}:\d+: {Regex.Escape(expected)}", _cli.Error.ToString());
        Assert.Equal(ExitCodes.BadInput, _cli.Run("validate", run));
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
