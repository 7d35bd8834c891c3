using SiliconBench.Diagnostics;

namespace SiliconBench.Cli.Hosting;

/// <summary>
/// Where a workload's YAML comes from: a file path, or the name of a workload built into the binary
/// (the files of <c>workloads/</c>), so the default run needs no checkout.
/// </summary>
public sealed record WorkloadSource(string DisplayName, string Text, byte[] Bytes, string? BaseDirectory)
{
    public const string DefaultName = "interactive-chat";

    public static IReadOnlyList<string> EmbeddedNames { get; } =
    [
        .. typeof(WorkloadSource).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("workloads/", StringComparison.Ordinal))
            .Select(n => Path.GetFileNameWithoutExtension(n["workloads/".Length..]))
            .Order(StringComparer.Ordinal),
    ];

    /// <summary>A path that exists wins; otherwise a built-in name (with or without <c>.yaml</c>).</summary>
    public static WorkloadSource Resolve(string? nameOrPath, CliEnvironment env)
    {
        var spec = string.IsNullOrWhiteSpace(nameOrPath) ? DefaultName : nameOrPath;
        var path = env.ResolvePath(spec);
        if (File.Exists(path))
        {
            var bytes = File.ReadAllBytes(path);
            return new WorkloadSource(path, System.Text.Encoding.UTF8.GetString(bytes), bytes, Path.GetDirectoryName(path));
        }
        var name = Path.GetFileNameWithoutExtension(spec);
        var embedded = BuiltinBytes(name)
            ?? throw new InputException(spec, null, "--workload",
                $"no such file, and no built-in workload of that name (built in: {string.Join(", ", EmbeddedNames)})");
        return new WorkloadSource($"builtin:{name}.yaml", System.Text.Encoding.UTF8.GetString(embedded), embedded, null);
    }

    /// <summary>The text of the built-in workload <paramref name="name"/>, or null when the binary carries none of that name.</summary>
    public static string? Builtin(string name) => BuiltinBytes(name) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : null;

    private static byte[]? BuiltinBytes(string name)
    {
        using var stream = typeof(WorkloadSource).Assembly.GetManifestResourceStream($"workloads/{name}.yaml");
        if (stream is null)
            return null;
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
