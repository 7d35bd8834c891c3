using SiliconBench.Telemetry.Nvml;

namespace SiliconBench.Telemetry;

/// <summary>One sensor as <c>siliconbench probe</c> lists it.</summary>
public sealed record SensorStatus(string Id, string Scope, bool Readable, string Detail);

/// <summary>What power sensors this machine offers and whether this user can read them; never throws for a missing sensor.</summary>
public static class SensorProbe
{
    public static IReadOnlyList<SensorStatus> Discover() => Discover(null, RaplSampler.DefaultRoot);

    public static IReadOnlyList<SensorStatus> Discover(string? nvmlLibraryPath, string raplRoot)
    {
        var found = new List<SensorStatus>();
        try
        {
            using var nvml = new NvmlSampler(libraryPath: nvmlLibraryPath);
            for (var i = 0; i < nvml.Sensors.Count; i++)
            {
                var s = nvml.Sensors[i];
                var a = nvml.Accelerators[i];
                var limit = a.PowerLimitW is { } w ? $", power limit {w:0.#} W" : "";
                found.Add(new SensorStatus(s.Id, s.Scope, true, $"{a.Name} {a.Uuid} ({s.Method}{limit}, driver {nvml.DriverVersion})"));
            }
        }
#pragma warning disable CA1031 // Why: probe reports every failure as "not readable" with its reason.
        catch (Exception e)
#pragma warning restore CA1031
        {
            found.Add(new SensorStatus("nvml", SensorScope.Accelerator, false, e.Message));
        }
        var domains = RaplSampler.Discover(raplRoot);
        if (domains.Count == 0)
            found.Add(new SensorStatus("rapl", SensorScope.CpuPackage, false, $"no RAPL domains under {raplRoot}"));
        foreach (var d in domains)
            found.Add(new SensorStatus(d.Id, SensorScope.CpuPackage, d.Readable, d.Readable ? $"{d.Name} (rapl energy counter)" : $"{d.Name}: {d.Detail}"));
        return found;
    }
}
