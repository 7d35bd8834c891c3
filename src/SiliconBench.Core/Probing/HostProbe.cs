using System.Globalization;
using System.Runtime.InteropServices;
using SiliconBench.Records;

namespace SiliconBench.Probing;

/// <summary>
/// Describes the host for <c>manifest.host</c>: name, OS, CPU model, cores, memory, .NET runtime, and the scheduler job
/// and node when a cluster scheduler started the process (<see cref="SchedulerProbe"/>).
/// </summary>
public static class HostProbe
{
    private const string CpuInfoPath = "/proc/cpuinfo";
    private const string MemInfoPath = "/proc/meminfo";

    public static HostInfo Describe() => new()
    {
        Hostname = Environment.MachineName,
        Os = RuntimeInformation.OSDescription.Trim(),
        Cpu = ReadIfPresent(CpuInfoPath) is { } cpuinfo && ParseCpuModel(cpuinfo) is { } model
            ? model
            : $"{RuntimeInformation.ProcessArchitecture} ({Environment.ProcessorCount} logical cores)",
        LogicalCores = Environment.ProcessorCount,
        MemoryBytes = ReadIfPresent(MemInfoPath) is { } meminfo && ParseMemTotalBytes(meminfo) is { } total
            ? total
            : GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
        Runtime = $"{RuntimeInformation.FrameworkDescription} {RuntimeInformation.RuntimeIdentifier}",
        Scheduler = SchedulerProbe.Describe(Environment.GetEnvironmentVariable),
    };

    /// <summary>
    /// The CPU model from <c>/proc/cpuinfo</c> text: x86 writes <c>model name</c>; many ARM kernels only write
    /// <c>Hardware</c> or <c>Model</c>, so those are the fall-backs. Null when none is present.
    /// </summary>
    internal static string? ParseCpuModel(string cpuinfo)
    {
        string? hardware = null, model = null;
        foreach (var line in cpuinfo.AsSpan().EnumerateLines())
        {
            var colon = line.IndexOf(':');
            if (colon < 0)
                continue;
            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (value.IsEmpty)
                continue;
            if (key.SequenceEqual("model name"))
                return value.ToString();
            if (hardware is null && key.SequenceEqual("Hardware"))
                hardware = value.ToString();
            if (model is null && key.SequenceEqual("Model"))
                model = value.ToString();
        }
        return model ?? hardware;
    }

    /// <summary>Total memory in bytes from <c>/proc/meminfo</c> text (<c>MemTotal: N kB</c>); null when absent.</summary>
    internal static long? ParseMemTotalBytes(string meminfo)
    {
        foreach (var line in meminfo.AsSpan().EnumerateLines())
        {
            if (!line.StartsWith("MemTotal:"))
                continue;
            var rest = line["MemTotal:".Length..].Trim();
            var unitAt = rest.IndexOf(' ');
            var number = unitAt < 0 ? rest : rest[..unitAt];
            var unit = unitAt < 0 ? ReadOnlySpan<char>.Empty : rest[(unitAt + 1)..].Trim();
            if (!long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                return null;
            // Why: the kernel writes "kB" but means KiB.
            return unit.Equals("kB", StringComparison.OrdinalIgnoreCase) ? value * 1024 : value;
        }
        return null;
    }

    private static string? ReadIfPresent(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
