using SiliconBench.Analysis;
using SiliconBench.Records;
using Xunit;

namespace SiliconBench.Tests.Analysis;

/// <summary>
/// Each folder under Data/Analysis is a small run record with a summary worked out by hand (see its notes.md);
/// the analyzer must reproduce that summary byte for byte.
/// </summary>
public sealed class AnalysisDataCaseTests
{
    private static readonly string CasesRoot = DataCases.Root("Analysis");

    public static TheoryData<string> Cases() => DataCases.In("Analysis");

    [Fact]
    public void Every_required_case_is_present()
    {
        var cases = Cases().Select(row => row.Data).Order(StringComparer.Ordinal);
        Assert.Equal(["engine-roofline", "failed-requests", "goodput-slo", "percentiles", "prefix-cache", "tpot-itl", "warmup-window"], cases);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Summary_matches_the_hand_worked_expectation(string name)
    {
        var dir = Path.Combine(CasesRoot, name);
        var expected = File.ReadAllText(Path.Combine(dir, "expected.summary.json"));

        var actual = SummaryWriter.Serialize(Analyzer.Analyze(RunRecordReader.Read(dir)));

        Assert.Equal(expected, actual);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Serialize_read_serialize_is_byte_stable(string name)
    {
        var first = SummaryWriter.Serialize(Analyzer.Analyze(RunRecordReader.Read(Path.Combine(CasesRoot, name))));

        var second = SummaryWriter.Serialize(SummaryReader.Parse(first));

        Assert.Equal(first, second);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_case_documents_its_hand_calculation(string name) =>
        Assert.True(File.Exists(Path.Combine(CasesRoot, name, "notes.md")), $"{name}/notes.md is missing");
}
