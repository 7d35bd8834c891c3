using SiliconBench.Engines;
using SiliconBench.Engines.Worker;
using SiliconBench.OnnxRuntime;
using SiliconBench.Probing;
using SiliconBench.Records;

namespace SiliconBench.Cli.Hosting;

/// <summary>The engines this build carries, built once; and where this build can measure a roofline.</summary>
internal static class EngineRegistry
{
    public static EngineCatalog Catalog { get; } = new(
    [
        new OnnxRuntimeEngineFactory(),
        new WorkerEngineFactory(),
#if WITH_TORCHSHARP
        new SiliconBench.TorchSharp.TorchSharpEngineFactory(),
#else
        new AbsentEngineFactory("torchsharp",
            "not in this build (it brings libtorch, ~500 MB); build the CLI with -p:WithTorchSharp=true, and -p:TorchSharpPackage=TorchSharp-cuda-linux for CUDA"),
#endif
    ]);

    /// <summary>
    /// A GEMM probe for the device the engine runs on, or null with the reason. Only host (cpu) runs get one:
    /// the bandwidth probe reads host memory, and pairing it with a GPU's GEMM would make a false roofline.
    /// </summary>
    public static (IGemmProbe? Probe, string? WhyNot) GemmProbeFor(BackendInfo backend) =>
        backend.Id == OnnxRuntimeEngineFactory.EngineId && backend.Device == "cpu"
            ? (new OnnxGemmProbe("cpu"), null)
            : (null, $"no roofline measured: this build measures host memory bandwidth only, not that of {backend.Id} {backend.Device}");
}
