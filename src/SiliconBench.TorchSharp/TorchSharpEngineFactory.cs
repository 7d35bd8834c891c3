using System.Globalization;
using SiliconBench.Diagnostics;
using SiliconBench.Engines;
using SiliconBench.Models;

namespace SiliconBench.TorchSharp;

/// <summary>
/// The <c>torchsharp</c> engine: a Llama decoder written in TorchSharp (libtorch), on cpu or cuda[:N], loading
/// Hugging Face checkpoints or <c>synthetic:&lt;preset&gt;</c>. Options: see <see cref="TorchSharpOptions"/>.
/// </summary>
public sealed class TorchSharpEngineFactory : IEngineFactory
{
    public const string EngineId = "torchsharp";
    private const string Source = "command line";

    public string Id => EngineId;

    /// <summary>Loads libtorch once (guarded); unavailable with the reason — e.g. a too-old libstdc++ — when it cannot.</summary>
    public EngineAvailability Check() => TorchSharpRuntime.Check();

    public IEngine Create(EngineRequest request)
    {
        // Input first, so a mistake is reported as such even where libtorch cannot load.
        var options = TorchSharpOptions.Parse(request.Options);
        var device = TorchDevice.Parse(request.Device, Source);
        var dtype = device.ComputeDtype(request.Dtype, Source);
        var spec = ModelSpec.Parse(request.ModelSpec, Source);
        if (spec.Kind == ModelSpecKind.Onnx)
            throw new InputException(Source, null, "--model",
                $"the torchsharp engine runs Hugging Face checkpoints (config.json + *.safetensors) or {ModelSpec.SyntheticPrefix}<preset>, not .onnx files; the onnxruntime engine runs those");
        if (options.CheckpointDtype is not null && spec.Kind != ModelSpecKind.Synthetic)
            throw new InputException(Source, null, "checkpoint_dtype", "applies to synthetic models only; a checkpoint has its own dtype");

        var availability = Check();
        if (!availability.Available)
            throw new InputException(Source, null, "--backend", availability.Reason ?? "the torchsharp engine cannot run here");
        device.EnsureAvailable(availability.Devices.Contains("cuda"), device.IsCuda ? TorchSharpRuntime.CudaDeviceCount() : 0, Source);

        string checkpointDirectory;
        string? origin = null;
        if (spec.Kind == ModelSpecKind.Synthetic)
        {
            checkpointDirectory = SyntheticCheckpoint.GetOrCreate(spec.Preset!, options.CheckpointDtype ?? "bf16", request.Seed, request.CacheDirectory, request.Log);
            origin = $"synthetic (seed {request.Seed.ToString(CultureInfo.InvariantCulture)})";
        }
        else
        {
            checkpointDirectory = spec.Path!;
        }

        return new TorchSharpEngine(new TorchSharpEngine.Settings
        {
            Spec = spec,
            CheckpointDirectory = checkpointDirectory,
            Device = device,
            Dtype = dtype,
            Options = options,
            WeightsOrigin = origin,
            Log = request.Log,
        });
    }
}
