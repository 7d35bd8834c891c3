using System.Text.RegularExpressions;
using SiliconBench.Testing;
using Xunit;

namespace SiliconBench.Tests.Contract;

/// <summary>The contract is in the repository: README and docs/ link only to files a fresh clone has.</summary>
public sealed partial class DocumentationLinksTests
{
    [GeneratedRegex(@"\]\(([^)#\s]+)(#[^)]*)?\)")]
    private static partial Regex MarkdownLink();

    public static TheoryData<string> Documents()
    {
        var data = new TheoryData<string> { "README.md" };
        foreach (var f in Directory.GetFiles(Path.Combine(RepoPaths.Root, "docs"), "*.md").Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(RepoPaths.Root, f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_relative_link_resolves_inside_the_repository(string document)
    {
        var path = Path.Combine(RepoPaths.Root, document);
        var root = Path.GetFullPath(RepoPaths.Root) + Path.DirectorySeparatorChar;
        foreach (Match m in MarkdownLink().Matches(File.ReadAllText(path)))
        {
            var target = m.Groups[1].Value;
            if (target.Contains("://", StringComparison.Ordinal))
                continue;
            var full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, target));
            Assert.True(full.StartsWith(root, StringComparison.Ordinal), $"{document}: {target} points outside the repository");
            Assert.True(File.Exists(full) || Directory.Exists(full), $"{document}: {target} does not exist");
        }
    }

    [Fact]
    public void The_readme_points_to_the_contract_in_docs()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));

        Assert.Contains("](docs/README.md)", readme, StringComparison.Ordinal);
        Assert.DoesNotContain("../shared", readme, StringComparison.Ordinal);
    }
}
