using Xunit;

namespace SiliconBench.Tests;

/// <summary>Data-pair cases: each sub-folder of <c>Data/&lt;area&gt;</c> is one case (input files, expected output, notes.md).</summary>
public static class DataCases
{
    public static string Root(string area) => Path.Combine(AppContext.BaseDirectory, "Data", area);

    public static TheoryData<string> In(string area)
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Root(area)).Order(StringComparer.Ordinal))
            data.Add(Path.GetFileName(dir));
        return data;
    }
}
