using System.Globalization;
using BenchmarkDotNet.Attributes;
using SiliconBench.Records;
using SiliconBench.Telemetry;

namespace SiliconBench.Benchmarks.Telemetry;

/// <summary>
/// Cost of one sampling tick (what a sampler spends per interval on its own thread) and of one telemetry
/// row written to the run record. RAPL reads a fake powercap tree on tmpfs/disk (real sysfs reads cost
/// similar syscalls); the sink writes into the buffered telemetry.csv writer.
/// </summary>
[MemoryDiagnoser]
public class SamplerTickBenchmarks
{
    private string _dir = "";
    private RaplSampler _rapl = null!;
    private RunRecordWriter _writer = null!;
    private readonly NullSink _null = new();
    private TelemetrySample _sample;

    private sealed class NullSink : ITelemetrySink
    {
        public void Write(TelemetrySample sample)
        {
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "sb-bench-" + Guid.NewGuid().ToString("N"));
        for (var i = 0; i < 2; i++)
        {
            var d = Path.Combine(_dir, "powercap", "intel-rapl:" + i.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(d);
            File.WriteAllText(Path.Combine(d, "name"), "package-" + i.ToString(CultureInfo.InvariantCulture));
            File.WriteAllText(Path.Combine(d, "max_energy_range_uj"), "262143328850");
            File.WriteAllText(Path.Combine(d, "energy_uj"), "123456789012");
        }
        _rapl = new RaplSampler(Path.Combine(_dir, "powercap"));
        _writer = RunRecordWriter.Create(Path.Combine(_dir, "run"));
        _sample = new TelemetrySample(123.456789, "nvml:0", Quantities.EnergyJ, 81234.117);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _rapl.Dispose();
        _writer.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Description = "RAPL tick, 2 packages")]
    public void RaplTick() => _rapl.Sample(1.0, _null);

    [Benchmark(Description = "telemetry.csv row write")]
    public void SinkWrite() => _writer.Write(_sample);
}
