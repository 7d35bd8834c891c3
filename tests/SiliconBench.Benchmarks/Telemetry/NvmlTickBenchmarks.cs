using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using SiliconBench.Records;
using SiliconBench.Telemetry;
using SiliconBench.Telemetry.Nvml;

namespace SiliconBench.Benchmarks.Telemetry;

/// <summary>
/// One NVML tick over two devices against the test suite's fake libnvidia-ml (built here with gcc): the
/// harness's own cost per tick (function-pointer calls, struct reads, ~20 samples written); a real driver
/// adds its own latency on top.
/// </summary>
[MemoryDiagnoser]
public class NvmlTickBenchmarks
{
    private string _dir = "";
    private NvmlSampler _nvml = null!;
    private readonly CountingSink _sink = new();

    private sealed class CountingSink : ITelemetrySink
    {
        public long Count;

        public void Write(TelemetrySample sample) => Count++;
    }

    private delegate void SetScript([MarshalAs(UnmanagedType.LPUTF8Str)] string path);

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "sb-bench-nvml-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        var source = Path.GetFullPath(Path.Combine(SourceDirectory(), "..", "..", "SiliconBench.Core.Tests", "Telemetry", "Native", "fake_nvml.c"));
        var library = Path.Combine(_dir, "libfake_nvml.so");
        var script = Path.Combine(_dir, "script.txt");
        File.WriteAllText(script, "devices=2\n");
        using (var gcc = Process.Start("gcc", ["-shared", "-fPIC", "-O2", "-o", library, source]))
        {
            gcc.WaitForExit();
            if (gcc.ExitCode != 0)
                throw new InvalidOperationException("gcc could not build the fake NVML library");
        }
        // Why: managed code cannot change the native environment, so the fake is told its script directly.
        var handle = NativeLibrary.Load(library);
        Marshal.GetDelegateForFunctionPointer<SetScript>(NativeLibrary.GetExport(handle, "fake_nvml_set_script"))(script);
        _nvml = new NvmlSampler(null, null, library);
        if (_nvml.Sensors.Count != 2)
            throw new InvalidOperationException("the fake NVML library did not take its script");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _nvml.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Benchmark(Description = "NVML tick, 2 devices (fake driver)")]
    public void NvmlTick() => _nvml.Sample(1.0, _sink);
}
