using System.Text.RegularExpressions;

namespace SiliconBench.TorchSharp;

/// <summary>
/// Turns a failed load of TorchSharp's native library into a reason a user can act on. The common case on
/// Linux is a libstdc++ older than the one TorchSharp's glue library was built against.
/// </summary>
public static partial class TorchSharpLoadDiagnosis
{
    /// <summary>The GLIBCXX version a loader error says is missing ("version `GLIBCXX_3.4.32' not found"), if it says one.</summary>
    public static Version? MissingFromLoaderError(string? loaderError)
    {
        if (loaderError is null)
            return null;
        var m = MissingVersion().Match(loaderError);
        return m.Success && Version.TryParse(m.Groups[1].Value, out var v) ? v : null;
    }

    /// <summary>
    /// The reason for <see cref="SiliconBench.Engines.EngineAvailability"/>: the libstdc++ mismatch spelled out when
    /// the glue needs a newer GLIBCXX than the system's libstdc++ has, else the loader's own text.
    /// </summary>
    /// <param name="torchSharpVersion">TorchSharp's version, e.g. <c>0.107.0</c>.</param>
    /// <param name="loaderError">What the loader said, if anything.</param>
    /// <param name="required">Newest GLIBCXX the glue library requires (null when unknown).</param>
    /// <param name="available">Newest GLIBCXX the process's libstdc++ provides (null when unknown).</param>
    public static string Explain(string torchSharpVersion, string? loaderError, Version? required, Version? available)
    {
        if (required is not null && available is not null && required > available)
            return $"TorchSharp {MajorMinor(torchSharpVersion)}'s native glue needs GLIBCXX_{required}; this system's libstdc++ has up to GLIBCXX_{available} — " +
                "use a newer Linux (e.g. Debian 13/Ubuntu 24.04) or set LD_LIBRARY_PATH to a newer libstdc++";
        var detail = string.IsNullOrWhiteSpace(loaderError) ? "no further detail from the loader" : loaderError.Trim();
        return $"the TorchSharp {torchSharpVersion} native library did not load: {detail}";
    }

    private static string MajorMinor(string version)
    {
        var parts = version.Split('.', '-', '+');
        return parts.Length >= 2 ? $"{parts[0]}.{parts[1]}" : version;
    }

    [GeneratedRegex(@"GLIBCXX_(\d+(?:\.\d+)+)'? not found")]
    private static partial Regex MissingVersion();
}
