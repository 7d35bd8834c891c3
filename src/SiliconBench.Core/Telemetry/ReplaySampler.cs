using SiliconBench.Diagnostics;
using SiliconBench.Records;
using SiliconBench.Running;

namespace SiliconBench.Telemetry;

/// <summary>
/// Feeds a recorded telemetry.csv back on the run clock: each sample is written when the clock reaches its
/// time (tests, re-analysis, demonstrations without hardware). Sensors and scopes come from the
/// manifest.json beside the file when there is one, else from the sensor id's prefix (nvml, rapl).
/// </summary>
public sealed class ReplaySampler : SamplerBase
{
    private readonly IReadOnlyList<TelemetrySample> _samples;
    private readonly SensorInfo[] _sensors;

    public ReplaySampler(string path, string source = "--sampler")
        : this(Load(path, source))
    {
        Path = path;
    }

    private ReplaySampler((IReadOnlyList<TelemetrySample> Samples, IReadOnlyList<SensorInfo> Sensors) loaded)
        : this(loaded.Samples, loaded.Sensors)
    {
    }

    private static (IReadOnlyList<TelemetrySample>, IReadOnlyList<SensorInfo>) Load(string path, string source)
    {
        var samples = TelemetryCsv.Read(path);
        return (samples, SensorsFor(path, samples, source));
    }

    /// <summary>Ends the method of every replayed sensor: its figures were not sampled beside this run (provenance imported).</summary>
    public const string MethodSuffix = " (replayed)";

    public ReplaySampler(IReadOnlyList<TelemetrySample> samples, IReadOnlyList<SensorInfo> sensors) : base("replay")
    {
        _samples = [.. samples.OrderBy(s => s.T)];
        _sensors = [.. sensors.Select(s => s with { Method = s.Method + MethodSuffix })];
    }

    public string? Path { get; }

    public override IReadOnlyList<SensorInfo> Sensors => _sensors;

    private static IReadOnlyList<SensorInfo> SensorsFor(string path, IReadOnlyList<TelemetrySample> samples, string source)
    {
        var manifestPath = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".", RunFiles.Manifest);
        Dictionary<string, SensorInfo> declared = [];
        if (File.Exists(manifestPath))
        {
            var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(manifestPath));
            if (manifest.RootElement.TryGetProperty("sensors", out var list))
                foreach (var s in list.EnumerateArray())
                {
                    var id = s.GetProperty("id").GetString()!;
                    declared[id] = new SensorInfo(id, s.GetProperty("scope").GetString()!, s.GetProperty("method").GetString()!);
                }
        }
        var result = new List<SensorInfo>();
        foreach (var id in samples.Select(s => s.Sensor).Distinct(StringComparer.Ordinal))
        {
            if (declared.TryGetValue(id, out var known))
            {
                result.Add(known);
                continue;
            }
            var scope = id.Split(':')[0] switch
            {
                "nvml" => SensorScope.Accelerator,
                "rapl" => SensorScope.CpuPackage,
                _ => throw new InputException(source, null, "replay",
                    $"cannot tell the scope of sensor '{id}' in {path}; put the run's manifest.json beside it"),
            };
            result.Add(new SensorInfo(id, scope, "recorded"));
        }
        return result;
    }

    protected override void Run(ITimeSource clock, ITelemetrySink sink, CancellationToken stop)
    {
        foreach (var s in _samples)
        {
            // Why: poll in short waits so a fake clock moved by a test is followed promptly.
            while (clock.Now < s.T)
            {
                var wait = TimeSpan.FromSeconds(Math.Clamp(s.T - clock.Now, 0.001, 0.01));
                if (stop.WaitHandle.WaitOne(wait))
                    return;
            }
            if (stop.IsCancellationRequested)
                return;
            sink.Write(s);
        }
    }
}
