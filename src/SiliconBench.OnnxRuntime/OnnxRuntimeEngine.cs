using System.Globalization;
using System.Numerics.Tensors;
using System.Text;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SiliconBench.Diagnostics;
using SiliconBench.Engines;
using SiliconBench.Models;
using SiliconBench.OnnxRuntime.Onnx;
using SiliconBench.Records;

namespace SiliconBench.OnnxRuntime;

/// <summary>
/// A decoder in the KV-cache layout run by ONNX Runtime. Prompts of unequal length share a batch by left
/// padding with an attention mask; sampling is greedy (argmax of the last position, first index on ties).
/// </summary>
/// <remarks>
/// The decode step is kept free of copies on the managed side: the <c>present.*</c> values a step returns are
/// passed as the next step's <c>past_key_values.*</c> as they are (same native buffers), the token and position
/// inputs are pinned arrays reused across steps, and the mask is a view of a reused buffer (rewritten only when
/// the batch is padded). What remains per step is ONNX Runtime's own work, including the Concat that appends the
/// new key/value to the past — inherent to this layout.
/// </remarks>
public sealed partial class OnnxRuntimeEngine : IEngine
{
    private const string LayoutHelp =
        "the onnxruntime engine runs decoders in the KV-cache layout: input_ids, attention_mask, [position_ids], past_key_values.{i}.key|value → logits, present.{i}.key|value";

    private readonly InferenceSession _session;
    private readonly SessionOptions _sessionOptions;
    private readonly RunOptions _runOptions = new();
    private readonly bool _hasPositionIds;
    private readonly int _layers;
    private readonly int _kvHeads;
    private readonly int _headDim;
    private readonly int _vocab;
    private readonly TensorElementType _kvType;
    private readonly TensorElementType _logitsType;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly OrtValue[] _inputs;
    private readonly int _pastOffset;

    // Current batch.
    private int _batch;
    private int _total;
    private int[] _lengths = [];
    private int[] _pads = [];
    private int[] _lastTokens = [];
    private IDisposableReadOnlyCollection<OrtValue>? _outputs;
    private long[] _stepIds = [];
    private long[] _stepPositions = [];
    private OrtValue? _stepIdsValue;
    private OrtValue? _stepPositionsValue;
    private long[] _maskBuffer = [];
    private bool _padded;

    internal sealed record Settings
    {
        public required ModelSpec Spec { get; init; }
        public required string OnnxPath { get; init; }
        public required OnnxDevice Device { get; init; }
        public int? Threads { get; init; }
        public WeightDtype? RequestedDtype { get; init; }
        public string? WeightsOrigin { get; init; }
        public string? CheckpointDirectory { get; init; }
        public Action<string>? Log { get; init; }
    }

    internal OnnxRuntimeEngine(Settings settings)
    {
        var threads = settings.Threads ?? (settings.Device.Kind == "cpu" ? OnnxDevices.PhysicalCores() : 1);
        _sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        var spinning = OnnxDevices.ConfigureThreading(_sessionOptions, threads);
        try
        {
            OnnxDevices.Append(_sessionOptions, settings.Device);
            settings.Log?.Invoke($"loading {settings.OnnxPath} on {settings.Device.Name} ({settings.Device.Provider}, {threads} intra-op threads)");
            try
            {
                _session = new InferenceSession(settings.OnnxPath, _sessionOptions);
            }
            catch (OnnxRuntimeException e) when (settings.Spec.Kind == ModelSpecKind.Onnx)
            {
                throw new InputException(settings.OnnxPath, null, null, $"ONNX Runtime cannot load this model: {e.Message}", e);
            }

            (_hasPositionIds, _layers, _kvHeads, _headDim, _kvType) = CheckInputs(_session, settings.OnnxPath);
            (_vocab, _logitsType) = CheckOutputs(_session, settings.OnnxPath, _layers);
        }
        catch
        {
            _session?.Dispose();
            _sessionOptions.Dispose();
            _runOptions.Dispose();
            throw;
        }

        var names = new List<string> { "input_ids", "attention_mask" };
        if (_hasPositionIds)
            names.Add("position_ids");
        _pastOffset = names.Count;
        for (var i = 0; i < _layers; i++)
        {
            names.Add($"past_key_values.{i}.key");
            names.Add($"past_key_values.{i}.value");
        }
        _inputNames = [.. names];
        _inputs = new OrtValue[_inputNames.Length];
        var outputs = new List<string> { "logits" };
        for (var i = 0; i < _layers; i++)
        {
            outputs.Add($"present.{i}.key");
            outputs.Add($"present.{i}.value");
        }
        _outputNames = [.. outputs];

        var computeDtype = _kvType == TensorElementType.Float16 ? WeightDtype.Fp16
            : _kvType == TensorElementType.BFloat16 ? WeightDtype.Bf16 : WeightDtype.Fp32;
        if (settings.RequestedDtype is { } requested && requested != computeDtype)
        {
            Dispose();
            throw new InputException(settings.OnnxPath, null, "--dtype",
                $"the model computes in {WeightDtypes.Name(computeDtype)} (its KV cache is {_kvType}), not {WeightDtypes.Name(requested)}");
        }

        Backend = new BackendInfo
        {
            Id = OnnxRuntimeEngineFactory.EngineId,
            Version = OrtEnv.Instance().GetVersionString(),
            Device = settings.Device.Name,
            Options = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["execution_provider"] = settings.Device.Provider,
                ["threads"] = threads.ToString(CultureInfo.InvariantCulture),
                ["thread_spinning"] = spinning ? "on" : "off",
                ["graph_optimization_level"] = "all",
                ["onnx_model"] = settings.OnnxPath,
            },
        };
        Model = DescribeModel(settings, computeDtype);
    }

    public BackendInfo Backend { get; }

    public ModelInfo Model { get; }

    /// <summary>Tests: when set, each step copies its logits [batch, steps, vocab] to <see cref="LastLogits"/>.</summary>
    internal bool CaptureLogits { get; set; }

    internal float[]? LastLogits { get; private set; }

    /// <summary>Sequence length of the last step's logits (the padded prompt length for prefill, 1 for decode).</summary>
    internal int LastLogitsSteps { get; private set; }

    /// <summary>Left padding of each sequence of the current batch.</summary>
    internal IReadOnlyList<int> Padding => _pads;

    public StepOutput Prefill(IReadOnlyList<int[]> prompts)
    {
        EndBatch();
        if (prompts.Count == 0)
            throw new ArgumentException("a batch needs at least one prompt", nameof(prompts));
        var b = prompts.Count;
        var longest = 0;
        for (var r = 0; r < b; r++)
        {
            if (prompts[r].Length == 0)
                throw new ArgumentException($"prompt {r} is empty", nameof(prompts));
            longest = Math.Max(longest, prompts[r].Length);
        }

        var ids = new long[b * longest];
        var mask = new long[b * longest];
        var positions = new long[b * longest];
        _lengths = new int[b];
        _pads = new int[b];
        _padded = false;
        for (var r = 0; r < b; r++)
        {
            var p = prompts[r];
            var pad = longest - p.Length;
            _lengths[r] = p.Length;
            _pads[r] = pad;
            _padded |= pad > 0;
            var row = r * longest;
            for (var j = 0; j < pad; j++)
                positions[row + j] = 1;
            for (var j = 0; j < p.Length; j++)
            {
                if ((uint)p[j] >= (uint)_vocab)
                    throw new ArgumentException($"token {p[j]} of prompt {r} is outside the vocabulary (0..{_vocab - 1})", nameof(prompts));
                ids[row + pad + j] = p[j];
                mask[row + pad + j] = 1;
                positions[row + pad + j] = j;
            }
        }

        long[] tokenShape = [b, longest];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, tokenShape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, tokenShape);
        using var positionsValue = OrtValue.CreateTensorValueFromMemory(positions, tokenShape);
        long[] emptyShape = [b, _kvHeads, 0, _headDim];
        var empties = new OrtValue[2 * _layers];
        try
        {
            for (var i = 0; i < empties.Length; i++)
                empties[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, _kvType, emptyShape);
            _inputs[0] = idsValue;
            _inputs[1] = maskValue;
            if (_hasPositionIds)
                _inputs[2] = positionsValue;
            Array.Copy(empties, 0, _inputs, _pastOffset, empties.Length);
            _outputs = _session.Run(_runOptions, _inputNames, _inputs, _outputNames);
        }
        finally
        {
            Array.Clear(_inputs);
            foreach (var e in empties)
                e?.Dispose();
        }

        if (!_padded)
            _maskBuffer.AsSpan().Fill(1);
        _batch = b;
        _total = longest;
        _lastTokens = new int[b];
        var tokens = Sample(_outputs[0], longest);

        _stepIds = new long[b];
        _stepPositions = new long[b];
        _stepIdsValue = OrtValue.CreateTensorValueFromMemory(_stepIds, [b, 1]);
        _stepPositionsValue = OrtValue.CreateTensorValueFromMemory(_stepPositions, [b, 1]);
        return new StepOutput(tokens);
    }

    public StepOutput Decode()
    {
        if (_batch == 0 || _outputs is null)
            throw new InvalidOperationException("no batch: call Prefill first");
        var b = _batch;
        var total = _total + 1;
        for (var r = 0; r < b; r++)
        {
            _stepIds[r] = _lastTokens[r];
            _stepPositions[r] = _lengths[r];
        }
        var maskValue = MaskValue(b, total);
        IDisposableReadOnlyCollection<OrtValue> outputs;
        try
        {
            _inputs[0] = _stepIdsValue!;
            _inputs[1] = maskValue;
            if (_hasPositionIds)
                _inputs[2] = _stepPositionsValue!;
            var previous = _outputs;
            for (var i = 0; i < 2 * _layers; i++)
                _inputs[_pastOffset + i] = previous[1 + i];
            outputs = _session.Run(_runOptions, _inputNames, _inputs, _outputNames);
        }
        finally
        {
            Array.Clear(_inputs);
            maskValue.Dispose();
        }
        // The previous step's presents were this step's pasts; ONNX Runtime is done with them now.
        _outputs.Dispose();
        _outputs = outputs;
        _total = total;
        for (var r = 0; r < b; r++)
            _lengths[r]++;
        return new StepOutput(Sample(outputs[0], 1));
    }

    public void EndBatch()
    {
        _outputs?.Dispose();
        _outputs = null;
        _stepIdsValue?.Dispose();
        _stepIdsValue = null;
        _stepPositionsValue?.Dispose();
        _stepPositionsValue = null;
        _batch = 0;
        _total = 0;
    }

    public void Dispose()
    {
        EndBatch();
        ReleaseSequences();
        _session?.Dispose();
        _sessionOptions.Dispose();
        _runOptions.Dispose();
    }

    private OrtValue MaskValue(int b, int total)
    {
        var needed = b * total;
        if (_maskBuffer.Length < needed)
        {
            _maskBuffer = new long[Math.Max(needed, _maskBuffer.Length * 2)];
            if (!_padded)
                _maskBuffer.AsSpan().Fill(1);
        }
        if (_padded)
        {
            for (var r = 0; r < b; r++)
            {
                var row = _maskBuffer.AsSpan(r * total, total);
                row[.._pads[r]].Clear();
                row[_pads[r]..].Fill(1);
            }
        }
        return OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _maskBuffer.AsMemory(0, needed), [b, total]);
    }

    /// <summary>Argmax of the last position of each row of logits [b, steps, vocab].</summary>
    private int[] Sample(OrtValue logits, int steps)
    {
        var tokens = new int[_batch];
        var v = _vocab;
        if (_logitsType == TensorElementType.Float)
        {
            var data = logits.GetTensorDataAsSpan<float>();
            for (var r = 0; r < _batch; r++)
                tokens[r] = TensorPrimitives.IndexOfMax(data.Slice(((r * steps) + steps - 1) * v, v));
            if (CaptureLogits)
                LastLogits = data.ToArray();
        }
        else
        {
            var data = logits.GetTensorDataAsSpan<ushort>();
            var row = new float[v];
            for (var r = 0; r < _batch; r++)
            {
                var src = data.Slice(((r * steps) + steps - 1) * v, v);
                for (var j = 0; j < v; j++)
                    row[j] = _logitsType == TensorElementType.Float16 ? (float)BitConverter.UInt16BitsToHalf(src[j]) : WeightDtypes.FromBf16(src[j]);
                tokens[r] = TensorPrimitives.IndexOfMax(row);
            }
            if (CaptureLogits)
            {
                var all = new float[data.Length];
                for (var j = 0; j < data.Length; j++)
                    all[j] = _logitsType == TensorElementType.Float16 ? (float)BitConverter.UInt16BitsToHalf(data[j]) : WeightDtypes.FromBf16(data[j]);
                LastLogits = all;
            }
        }
        LastLogitsSteps = steps;
        tokens.CopyTo(_lastTokens, 0);
        return tokens;
    }

    private static (bool HasPositionIds, int Layers, int KvHeads, int HeadDim, TensorElementType KvType) CheckInputs(InferenceSession session, string path)
    {
        var inputs = session.InputMetadata;
        foreach (var name in new[] { "input_ids", "attention_mask" })
        {
            if (!inputs.TryGetValue(name, out var meta))
                throw new InputException(path, null, name, $"input missing; {LayoutHelp}");
            if (meta.ElementDataType != TensorElementType.Int64 || meta.Dimensions.Length != 2)
                throw new InputException(path, null, name, $"must be an int64 tensor [batch, sequence], not {meta.ElementDataType} of rank {meta.Dimensions.Length}");
        }
        var hasPositions = inputs.TryGetValue("position_ids", out var pos);
        if (hasPositions && (pos!.ElementDataType != TensorElementType.Int64 || pos.Dimensions.Length != 2))
            throw new InputException(path, null, "position_ids", "must be an int64 tensor [batch, sequence]");

        var layers = 0;
        while (inputs.ContainsKey($"past_key_values.{layers}.key"))
            layers++;
        if (layers == 0)
            throw new InputException(path, null, "past_key_values.0.key", $"input missing; {LayoutHelp}");
        var first = inputs["past_key_values.0.key"];
        var dims = first.Dimensions;
        if (dims.Length != 4 || dims[1] <= 0 || dims[3] <= 0)
            throw new InputException(path, null, "past_key_values.0.key",
                $"must be [batch, kv_heads, past_sequence, head_dim] with fixed kv_heads and head_dim, not [{string.Join(", ", dims)}]");
        for (var i = 0; i < layers; i++)
        {
            foreach (var part in new[] { "key", "value" })
            {
                var name = $"past_key_values.{i}.{part}";
                if (!inputs.TryGetValue(name, out var m))
                    throw new InputException(path, null, name, $"input missing; {LayoutHelp}");
                if (m.ElementDataType != first.ElementDataType || m.Dimensions.Length != 4 || m.Dimensions[1] != dims[1] || m.Dimensions[3] != dims[3])
                    throw new InputException(path, null, name, "shape or dtype differs from past_key_values.0.key");
            }
        }
        if (first.ElementDataType is not (TensorElementType.Float or TensorElementType.Float16 or TensorElementType.BFloat16))
            throw new InputException(path, null, "past_key_values.0.key", $"KV cache must be float32, float16 or bfloat16, not {first.ElementDataType}");

        foreach (var name in inputs.Keys)
        {
            var expected = name is "input_ids" or "attention_mask" or "position_ids" || IsPastName(name, layers);
            if (!expected)
                throw new InputException(path, null, name, $"unexpected input; {LayoutHelp}");
        }
        return (hasPositions, layers, (int)dims[1], (int)dims[3], first.ElementDataType);
    }

    private static bool IsPastName(string name, int layers)
    {
        const string prefix = "past_key_values.";
        if (!name.StartsWith(prefix, StringComparison.Ordinal))
            return false;
        var rest = name[prefix.Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot > 0
            && int.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < layers
            && rest[(dot + 1)..] is "key" or "value";
    }

    private static (int Vocab, TensorElementType Type) CheckOutputs(InferenceSession session, string path, int layers)
    {
        var outputs = session.OutputMetadata;
        if (!outputs.TryGetValue("logits", out var logits))
            throw new InputException(path, null, "logits", $"output missing; {LayoutHelp}");
        if (logits.Dimensions.Length != 3 || logits.Dimensions[2] <= 0)
            throw new InputException(path, null, "logits", $"must be [batch, sequence, vocab] with a fixed vocab size, not [{string.Join(", ", logits.Dimensions)}]");
        if (logits.ElementDataType is not (TensorElementType.Float or TensorElementType.Float16 or TensorElementType.BFloat16))
            throw new InputException(path, null, "logits", $"must be float32, float16 or bfloat16, not {logits.ElementDataType}");
        for (var i = 0; i < layers; i++)
            foreach (var part in new[] { "key", "value" })
                if (!outputs.ContainsKey($"present.{i}.{part}"))
                    throw new InputException(path, null, $"present.{i}.{part}", $"output missing; {LayoutHelp}");
        return ((int)logits.Dimensions[2], logits.ElementDataType);
    }

    private ModelInfo DescribeModel(Settings s, WeightDtype computeDtype)
    {
        var summary = OnnxModelReader.Read(s.OnnxPath);
        LlamaConfig? config = null;
        if (summary.Metadata.TryGetValue(LlamaOnnxBuilder.ConfigMetadataKey, out var json))
            config = LlamaConfig.Parse(Encoding.UTF8.GetBytes(json), s.OnnxPath);
        else if (TryConfigBeside(s.OnnxPath) is { } beside)
            config = beside;

        var checkpointDtype = summary.Metadata.TryGetValue(LlamaOnnxBuilder.CheckpointDtypeMetadataKey, out var cd) ? cd
            : config?.TorchDtype is { } td ? WeightDtypes.Name(td) : WeightDtypes.Name(computeDtype);
        var weights = s.WeightsOrigin
            ?? (summary.Metadata.TryGetValue(LlamaOnnxBuilder.WeightsMetadataKey, out var w) ? w : null)
            ?? $"onnx {s.OnnxPath}";
        var name = s.Spec.Kind switch
        {
            ModelSpecKind.Synthetic => s.Spec.Preset!,
            ModelSpecKind.Checkpoint => Path.GetFileName(s.Spec.Path!.TrimEnd(Path.DirectorySeparatorChar)),
            _ => Path.GetFileNameWithoutExtension(s.OnnxPath),
        };
        var size = WeightDtypes.SizeOf(computeDtype);
        var kvBytesPerToken = 2L * _layers * _kvHeads * _headDim * size;
        if (config is not null)
        {
            return new ModelInfo
            {
                Spec = s.Spec.Text,
                Name = name,
                Parameters = config.Parameters,
                WeightBytes = config.StreamedParameters * size,
                Dtype = WeightDtypes.Name(computeDtype),
                CheckpointDtype = checkpointDtype,
                Weights = weights,
                Layers = config.NumHiddenLayers,
                HiddenSize = config.HiddenSize,
                IntermediateSize = config.IntermediateSize,
                Heads = config.NumAttentionHeads,
                KvHeads = config.NumKeyValueHeads,
                HeadDim = config.HeadDim,
                VocabSize = config.VocabSize,
                KvBytesPerToken = kvBytesPerToken,
            };
        }
        return new ModelInfo
        {
            Spec = s.Spec.Text,
            Name = name,
            Parameters = summary.Elements,
            WeightBytes = summary.Bytes,
            Dtype = WeightDtypes.Name(computeDtype),
            CheckpointDtype = checkpointDtype,
            Weights = weights,
            Layers = _layers,
            KvHeads = _kvHeads,
            HeadDim = _headDim,
            VocabSize = _vocab,
            KvBytesPerToken = kvBytesPerToken,
        };
    }

    /// <summary>A Llama config.json next to a user's .onnx file (as Optimum exports), if it reads as one.</summary>
    private static LlamaConfig? TryConfigBeside(string onnxPath)
    {
        var dir = Path.GetDirectoryName(onnxPath);
        if (dir is null || !File.Exists(Path.Combine(dir, LlamaConfig.FileName)))
            return null;
        try
        {
            return LlamaConfig.Load(dir);
        }
        catch (InputException)
        {
            return null;
        }
    }
}
