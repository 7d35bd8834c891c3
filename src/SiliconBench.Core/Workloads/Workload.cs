using SiliconBench.Diagnostics;

namespace SiliconBench.Workloads;

/// <summary>
/// A workload file: its name, description and named profiles (typically <c>smoke</c> and <c>full</c>),
/// each already resolved and validated when the file was loaded, so a bad profile fails <c>validate</c> too.
/// </summary>
public sealed class Workload
{
    private readonly IReadOnlyDictionary<string, ResolvedProfile> _profiles;

    internal Workload(string name, string description, string sourceName, IReadOnlyList<ResolvedProfile> profiles)
    {
        Name = name;
        Description = description;
        SourceName = sourceName;
        ProfileNames = [.. profiles.Select(p => p.Name)];
        _profiles = profiles.ToDictionary(p => p.Name, StringComparer.Ordinal);
    }

    public string Name { get; }

    public string Description { get; }

    /// <summary>The file (or display name) the workload was read from, as its errors name it.</summary>
    public string SourceName { get; }

    /// <summary>Profile names in file order.</summary>
    public IReadOnlyList<string> ProfileNames { get; }

    /// <summary>The resolved profile; an unknown name is a user mistake on <c>--profile</c>.</summary>
    public ResolvedProfile GetProfile(string profile) =>
        _profiles.TryGetValue(profile, out var resolved)
            ? resolved
            : throw new InputException(SourceName, null, "--profile",
                $"workload '{Name}' has no profile '{profile}' (available: {string.Join(", ", ProfileNames)})");
}
