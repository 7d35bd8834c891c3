using SiliconBench.Records;
using SiliconBench.Running;
using SiliconBench.Telemetry;

namespace SiliconBench.Testing.Telemetry;

/// <summary>
/// A sampler double drawing a constant <see cref="Watts"/>: at start and at stop it writes power and the energy
/// counter (watts × run time), so the exact energy of any window is known. It can refuse to start, or report a fault.
/// </summary>
public sealed class ScriptedSampler(string id, bool failOnStart = false) : ISampler
{
    private ITimeSource? _clock;
    private ITelemetrySink? _sink;

    public string Id => id;

    public IReadOnlyList<SensorInfo> Sensors => [new SensorInfo($"{id}:0", SensorScope.Accelerator, Method)];

    /// <summary>The sensor's method as the manifest records it (a model's "estimate…", a replayed trace's suffix).</summary>
    public string Method { get; init; } = "scripted";

    public int StopCalls { get; private set; }

    public double Watts { get; init; } = 100;

    /// <summary>A fault to report after the run, as a sampler that died mid-run does.</summary>
    public SamplerFault? Fault { get; init; }

    public IReadOnlyList<SamplerFault> Faults => Fault is { } f ? [f] : [];

    public IReadOnlyList<AcceleratorInfo> Accelerators { get; } = [new AcceleratorInfo { Name = "Scripted Accelerator 1" }];

    private void Sample(ITimeSource clock, ITelemetrySink sink)
    {
        var t = clock.Now;
        sink.Write(new TelemetrySample(t, $"{id}:0", Quantities.PowerW, Watts));
        sink.Write(new TelemetrySample(t, $"{id}:0", Quantities.EnergyJ, Watts * t));
    }

    public void Start(ITimeSource clock, ITelemetrySink sink)
    {
        if (failOnStart)
            throw new InvalidOperationException("device not found");
        (_clock, _sink) = (clock, sink);
        Sample(clock, sink);
    }

    public void Stop()
    {
        StopCalls++;
        if (_clock is { } clock && _sink is { } sink && StopCalls == 1)
            Sample(clock, sink);
    }

    public void Dispose() => Stop();
}
