using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using SiliconBench.Diagnostics;
using SiliconBench.Engines;
using SiliconBench.Models;

namespace SiliconBench.OnnxRuntime;

/// <summary>
/// The <c>onnxruntime</c> engine: ONNX Runtime in-process, on the execution providers its native library has.
/// Options: <c>threads</c> (intra-op threads; default one per physical core) and <c>checkpoint_dtype</c>
/// (dtype a synthetic checkpoint is materialized in; default bf16, as Llama releases ship).
/// </summary>
public sealed class OnnxRuntimeEngineFactory : IEngineFactory
{
    public const string EngineId = "onnxruntime";
    private const string Source = "command line";

    private static readonly string[] OptionNames = ["threads", "checkpoint_dtype"];

    public string Id => EngineId;

    public EngineAvailability Check()
    {
        try
        {
            var providers = OnnxDevices.AvailableProviders();
            return new EngineAvailability(EngineId, true, OrtEnv.Instance().GetVersionString(), OnnxDevices.AvailableDevices(providers), null);
        }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException or BadImageFormatException or OnnxRuntimeException)
        {
            return EngineAvailability.Unavailable(EngineId, $"the ONNX Runtime native library did not load: {e.GetBaseException().Message}");
        }
    }

    public IEngine Create(EngineRequest request)
    {
        foreach (var key in request.Options.Keys)
            if (!OptionNames.Contains(key, StringComparer.Ordinal))
                throw new InputException(Source, null, "--option", $"unknown onnxruntime option '{key}'; it takes: {string.Join(", ", OptionNames)}");
        int? threads = null;
        if (request.Options.TryGetValue("threads", out var t))
            threads = int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1
                ? n
                : throw new InputException(Source, null, "threads", $"'{t}' is not a positive whole number of threads");
        string? checkpointDtype = null;
        if (request.Options.TryGetValue("checkpoint_dtype", out var cd))
            checkpointDtype = WeightDtypes.TryParse(cd, out var parsed)
                ? WeightDtypes.Name(parsed)
                : throw new InputException(Source, null, "checkpoint_dtype", $"'{cd}' is not one of {string.Join(", ", WeightDtypes.Names)}");

        var device = OnnxDevices.Resolve(request.Device, OnnxDevices.AvailableProviders());
        var spec = ModelSpec.Parse(request.ModelSpec, Source);
        if (checkpointDtype is not null && spec.Kind != ModelSpecKind.Synthetic)
            throw new InputException(Source, null, "checkpoint_dtype", "applies to synthetic models only; a checkpoint or .onnx file has its own dtype");

        var dtype = request.Dtype ?? (device.IsGpu ? "fp16" : "fp32");
        var computeDtype = LlamaOnnxBuilder.ParseComputeDtype(dtype, "--dtype");
        if (computeDtype == WeightDtype.Fp16 && device.Kind == "cpu")
            throw new InputException(Source, null, "--dtype", "the cpu execution provider computes in fp32; give --dtype fp32 (or none)");

        string onnxPath;
        string? origin = null;
        string? checkpointDirectory = null;
        switch (spec.Kind)
        {
            case ModelSpecKind.Synthetic:
                checkpointDtype ??= "bf16";
                checkpointDirectory = SyntheticCheckpoint.GetOrCreate(spec.Preset!, checkpointDtype, request.Seed, request.CacheDirectory, request.Log);
                onnxPath = LlamaOnnxBuilder.GetOrBuild(checkpointDirectory, WeightDtypes.Name(computeDtype), request.CacheDirectory, request.Log);
                origin = $"synthetic (seed {request.Seed.ToString(CultureInfo.InvariantCulture)})";
                break;
            case ModelSpecKind.Checkpoint:
                checkpointDirectory = spec.Path!;
                onnxPath = LlamaOnnxBuilder.GetOrBuild(checkpointDirectory, WeightDtypes.Name(computeDtype), request.CacheDirectory, request.Log);
                break;
            default:
                onnxPath = spec.Path!;
                break;
        }

        return new OnnxRuntimeEngine(new OnnxRuntimeEngine.Settings
        {
            Spec = spec,
            OnnxPath = onnxPath,
            Device = device,
            Threads = threads,
            RequestedDtype = request.Dtype is null ? null : computeDtype,
            WeightsOrigin = origin,
            CheckpointDirectory = checkpointDirectory,
            Log = request.Log,
        });
    }
}
