using SiliconBench.Testing;

namespace SiliconBench.Tests.Contract;

/// <summary>
/// Generated contract files committed in the repository (schemas/, docs/metrics.md). A test compares each with what
/// the code generates now; with <see cref="UpdateVariable"/>=1 it writes the generated text instead
/// (<c>scripts/update-contract.sh</c>), so a change that moves the contract regenerates it in one step.
/// </summary>
internal static class ContractFiles
{
    public const string UpdateVariable = "SILICONBENCH_UPDATE_CONTRACT";

    public static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    /// <summary>Asserts the committed file equals <paramref name="generated"/>, or writes it when updating.</summary>
    public static void Check(string relativePath, string generated)
    {
        var path = Path.Combine(RepoPaths.Root, relativePath);
        if (Updating)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, generated);
            return;
        }
        Xunit.Assert.True(File.Exists(path), $"{relativePath} is missing; run scripts/update-contract.sh and commit it");
        var committed = File.ReadAllText(path);
        Xunit.Assert.True(committed == generated,
            $"{relativePath} has drifted from the code that generates it; run scripts/update-contract.sh and commit the result");
    }
}
