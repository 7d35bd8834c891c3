using System.Reflection;
using System.Runtime.InteropServices;
using SiliconBench.Engines;
using TorchSharp;

namespace SiliconBench.TorchSharp;

/// <summary>
/// The one place that first touches TorchSharp's native library. The load is attempted once per process and
/// its outcome kept (a failed native load cannot be retried in-process anyway).
/// </summary>
internal static class TorchSharpRuntime
{
    private const string GlueFileName = "libLibTorchSharp.so";
    private static readonly Lazy<EngineAvailability> Availability = new(Probe);

    /// <summary>TorchSharp's managed version (reading it loads no native code).</summary>
    public static string Version
    {
        get
        {
            var assembly = typeof(torch).Assembly;
            var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            return informational?.Split('+')[0] ?? assembly.GetName().Version?.ToString(3) ?? "unknown";
        }
    }

    public static EngineAvailability Check() => Availability.Value;

    private static EngineAvailability Probe()
    {
        // Pre-flight: a glue library needing a newer libstdc++ cannot load, and letting TorchSharp find that out
        // costs a copy of all of libtorch (~0.5 GB) beside the binary and a trace on stdout.
        if (LibStdCxxMismatch() is { } mismatch)
            return EngineAvailability.Unavailable(TorchSharpEngineFactory.EngineId, mismatch);
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or NotSupportedException
                                       or EntryPointNotFoundException or BadImageFormatException or ExternalException)
        {
            return EngineAvailability.Unavailable(TorchSharpEngineFactory.EngineId, Diagnose(e));
        }
        var devices = new List<string> { "cpu" };
        if (CudaDeviceCount() > 0)
            devices.Add("cuda");
        return new EngineAvailability(TorchSharpEngineFactory.EngineId, true, Version, devices, null);
    }

    /// <summary>CUDA devices libtorch sees; 0 for a CPU build or a machine without a usable driver.</summary>
    public static int CudaDeviceCount()
    {
        try
        {
            return torch.cuda.is_available() ? torch.cuda.device_count() : 0;
        }
        catch (Exception e) when (e is DllNotFoundException or NotSupportedException or ExternalException or InvalidOperationException)
        {
            return 0;
        }
    }

    private static string? LibStdCxxMismatch()
    {
        if (!OperatingSystem.IsLinux() || FindGlueLibrary() is not { } glue || GlibcxxVersions.FindLibStdCxx() is not { } libstdcxx)
            return null;
        var required = GlibcxxVersions.Newest(glue);
        var available = GlibcxxVersions.Newest(libstdcxx);
        return required is not null && available is not null && required > available
            ? TorchSharpLoadDiagnosis.Explain(Version, null, required, available)
            : null;
    }

    private static string Diagnose(Exception failure)
    {
        var glue = FindGlueLibrary();
        var loaderError = glue is null ? null : LoaderError(glue);
        loaderError ??= failure.GetBaseException().Message;
        // The newest version the glue names is what it needs; the loader reports only the first one it missed.
        Version? required = null;
        Version? available = null;
        if (OperatingSystem.IsLinux())
        {
            if (glue is not null)
                required = GlibcxxVersions.Newest(glue);
            if (GlibcxxVersions.FindLibStdCxx() is { } libstdcxx)
                available = GlibcxxVersions.Newest(libstdcxx);
        }
        required ??= TorchSharpLoadDiagnosis.MissingFromLoaderError(loaderError);
        return TorchSharpLoadDiagnosis.Explain(Version, loaderError, required, available);
    }

    /// <summary>Loads the glue library directly, only to get the loader's own message (TorchSharp's exception drops it).</summary>
    private static string? LoaderError(string path)
    {
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(path));
            return null;
        }
        catch (DllNotFoundException e)
        {
            return e.Message;
        }
        catch (BadImageFormatException e)
        {
            return e.Message;
        }
    }

    /// <summary>Where the build put TorchSharp's glue library: next to the assembly, or under runtimes/linux-x64/native.</summary>
    private static string? FindGlueLibrary()
    {
        var dirs = new[] { Path.GetDirectoryName(typeof(torch).Assembly.Location), AppContext.BaseDirectory }
            .Where(d => !string.IsNullOrEmpty(d)).Distinct();
        foreach (var dir in dirs)
        {
            foreach (var candidate in new[] { Path.Combine(dir!, GlueFileName), Path.Combine(dir!, "runtimes", "linux-x64", "native", GlueFileName) })
                if (File.Exists(candidate))
                    return candidate;
        }
        return null;
    }
}
