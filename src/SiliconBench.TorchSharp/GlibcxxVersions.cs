using System.Text;

namespace SiliconBench.TorchSharp;

/// <summary>
/// The <c>GLIBCXX_x.y.z</c> symbol versions named in an ELF file: the ones a libstdc++ provides, or the ones a
/// library linked against it requires (its version-needs strings). Read as bytes, so no loader is involved.
/// </summary>
public static class GlibcxxVersions
{
    public const string SystemLibStdCxx = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
    private static readonly byte[] Prefix = "GLIBCXX_"u8.ToArray();

    /// <summary>Distinct versions found in <paramref name="bytes"/>, ascending.</summary>
    public static IReadOnlyList<Version> Parse(ReadOnlySpan<byte> bytes)
    {
        var found = new SortedSet<Version>();
        var at = 0;
        while (at < bytes.Length)
        {
            var hit = bytes[at..].IndexOf(Prefix);
            if (hit < 0)
                break;
            var start = at + hit + Prefix.Length;
            var end = start;
            while (end < bytes.Length && (char.IsAsciiDigit((char)bytes[end]) || bytes[end] == (byte)'.'))
                end++;
            // Only a whole NUL-terminated name counts (GLIBCXX_3.4.32, not GLIBCXX_TUNABLES or a longer word).
            if (end > start && (end == bytes.Length || bytes[end] == 0)
                && Version.TryParse(Encoding.ASCII.GetString(bytes[start..end]), out var v))
                found.Add(v);
            at = Math.Max(end, start);
        }
        return [.. found];
    }

    /// <summary>Versions named in the file at <paramref name="path"/>; empty when it cannot be read.</summary>
    public static IReadOnlyList<Version> Read(string path)
    {
        try
        {
            return Parse(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>The newest version named in the file at <paramref name="path"/>; null when none (or unreadable).</summary>
    public static Version? Newest(string path)
    {
        var all = Read(path);
        return all.Count == 0 ? null : all[^1];
    }

    /// <summary>
    /// The libstdc++ the process uses: the one already mapped (the .NET runtime itself links it), else the first
    /// <c>libstdc++.so.6</c> on <c>LD_LIBRARY_PATH</c>, else the system one; null when none is found.
    /// </summary>
    public static string? FindLibStdCxx()
    {
        try
        {
            if (File.Exists("/proc/self/maps"))
            {
                foreach (var line in File.ReadLines("/proc/self/maps"))
                {
                    var slash = line.IndexOf('/', StringComparison.Ordinal);
                    if (slash >= 0 && line.Contains("libstdc++.so", StringComparison.Ordinal))
                        return line[slash..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }
        var dirs = (Environment.GetEnvironmentVariable("LD_LIBRARY_PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Append(Path.GetDirectoryName(SystemLibStdCxx)!)
            .Append("/usr/lib64");
        return dirs.Select(d => Path.Combine(d, "libstdc++.so.6")).FirstOrDefault(File.Exists);
    }
}
