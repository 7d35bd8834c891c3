using SiliconBench.Records;
using SiliconBench.Running;

namespace SiliconBench.Telemetry;

/// <summary>
/// A power/state sampler that runs beside the backend (like a BenchmarkDotNet diagnoser): started before
/// the first measured step, stopped after the last, writing raw samples on the run's clock.
/// Sampling happens on the sampler's own thread, never on the measurement path.
/// </summary>
public interface ISampler : IDisposable
{
    /// <summary>Short id, e.g. <c>nvml</c>, <c>rapl</c>, <c>command</c>, <c>replay</c>.</summary>
    string Id { get; }

    /// <summary>The sensors this sampler writes (id as used in telemetry.csv, scope, method) for the manifest.</summary>
    IReadOnlyList<SensorInfo> Sensors { get; }

    void Start(ITimeSource clock, ITelemetrySink sink);

    /// <summary>Stops sampling; safe to call twice and after a failure.</summary>
    void Stop();

    /// <summary>Failures while sampling (time on the run clock + message); after one, that sampler's coverage is lost.</summary>
    IReadOnlyList<SamplerFault> Faults => [];

    /// <summary>Devices this sampler found, for the manifest's accelerator list.</summary>
    IReadOnlyList<AcceleratorInfo> Accelerators => [];

    /// <summary>Plain notes about the sensors (e.g. "RAPL needs root"), for the manifest.</summary>
    IReadOnlyList<string> Notes => [];
}

/// <summary>Where samples go: the run record's telemetry.csv, or a list in tests. Must be thread-safe.</summary>
public interface ITelemetrySink
{
    void Write(TelemetrySample sample);
}

/// <summary>Sensor scopes (measurement boundaries). Never add energies of overlapping scopes.</summary>
public static class SensorScope
{
    public const string Accelerator = "accelerator";
    public const string CpuPackage = "cpu_package";
    public const string Node = "node";
    public const string Wall = "wall";
}
