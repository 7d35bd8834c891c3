using SiliconBench.Records;
using SiliconBench.Running;
using SiliconBench.Telemetry;

namespace SiliconBench.Testing.Telemetry;

/// <summary>A sampler double: writes one power sample at start and one at stop, or refuses to start.</summary>
public sealed class ScriptedSampler(string id, bool failOnStart = false) : ISampler
{
    private ITimeSource? _clock;
    private ITelemetrySink? _sink;

    public string Id => id;

    public IReadOnlyList<SensorInfo> Sensors { get; } = [new SensorInfo($"{id}:0", SensorScope.Accelerator, "scripted")];

    public int StopCalls { get; private set; }

    public void Start(ITimeSource clock, ITelemetrySink sink)
    {
        if (failOnStart)
            throw new InvalidOperationException("device not found");
        (_clock, _sink) = (clock, sink);
        sink.Write(new TelemetrySample(clock.Now, $"{id}:0", Quantities.PowerW, 100));
    }

    public void Stop()
    {
        StopCalls++;
        if (_clock is { } clock && _sink is { } sink && StopCalls == 1)
            sink.Write(new TelemetrySample(clock.Now, $"{id}:0", Quantities.PowerW, 100));
    }

    public void Dispose() => Stop();
}
