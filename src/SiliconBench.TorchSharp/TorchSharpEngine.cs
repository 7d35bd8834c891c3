using System.Diagnostics;
using System.Globalization;
using SiliconBench.Diagnostics;
using SiliconBench.Engines;
using SiliconBench.Models;
using SiliconBench.Records;
using TorchSharp;
using static TorchSharp.torch;

namespace SiliconBench.TorchSharp;

/// <summary>
/// A Llama decoder in TorchSharp: RMSNorm (in fp32, as Hugging Face), rotate-half RoPE from a precomputed table,
/// grouped-query attention through <c>scaled_dot_product_attention</c> over a preallocated KV cache, SwiGLU, and
/// greedy argmax. Unequal prompts share a batch by left padding; the cache slots are shared by the rows.
/// </summary>
public sealed class TorchSharpEngine : IEngine
{
    private const int LoadChunkElements = 1 << 22;

    private readonly LlamaConfig _config;
    private readonly AttentionLayout _attention;
    private readonly Device _device;
    private readonly TorchDevice _torchDevice;
    private readonly ScalarType _dtype;
    private readonly int _kvReserve;
    private readonly Action<string>? _log;
    private readonly Tensor _embedding;
    private readonly Tensor _finalNorm;
    private readonly Tensor _lmHead;
    private readonly LayerWeights[] _layers;
    private readonly List<Tensor> _owned = [];

    // Current batch.
    private int _batch;
    private int _total;
    private int _capacity;
    private int[] _pads = [];
    private int[] _lengths = [];
    private long[] _lastTokens = [];
    private bool _padded;
    private Tensor[] _keyCache = [];
    private Tensor[] _valueCache = [];
    private Tensor? _cos;
    private Tensor? _sin;

    private sealed record LayerWeights(Tensor InputNorm, Tensor Q, Tensor K, Tensor V, Tensor O, Tensor PostNorm, Tensor Gate, Tensor Up, Tensor Down);

    internal sealed record Settings
    {
        public required ModelSpec Spec { get; init; }
        public required string CheckpointDirectory { get; init; }
        public required TorchDevice Device { get; init; }
        public required WeightDtype Dtype { get; init; }
        public required TorchSharpOptions Options { get; init; }
        public string? WeightsOrigin { get; init; }
        public Action<string>? Log { get; init; }
    }

    internal TorchSharpEngine(Settings settings)
    {
        _config = LlamaConfig.Load(settings.CheckpointDirectory);
        _attention = new AttentionLayout(_config.NumAttentionHeads, _config.NumKeyValueHeads, _config.HeadDim);
        _torchDevice = settings.Device;
        _device = torch.device(settings.Device.Name);
        _dtype = ToScalarType(settings.Dtype);
        _kvReserve = settings.Options.KvReserve;
        _log = settings.Log;
        if (settings.Options.Threads is { } threads)
            torch.set_num_threads(threads);

        using var checkpoint = SafetensorsCheckpoint.Open(settings.CheckpointDirectory);
        var shapes = checkpoint.TensorNames.ToDictionary(n => n, n => checkpoint.Get(n).Tensor.Shape, StringComparer.Ordinal);
        LlamaTensorMap.Validate(_config, shapes, settings.CheckpointDirectory);
        _log?.Invoke($"loading {settings.CheckpointDirectory} on {_torchDevice.Name} in {WeightDtypes.Name(settings.Dtype)}");
        using (torch.no_grad())
        {
            try
            {
                _embedding = Load(checkpoint, LlamaTensorMap.Embedding);
                _finalNorm = Load(checkpoint, LlamaTensorMap.FinalNorm);
                _lmHead = _config.TieWordEmbeddings ? _embedding : Load(checkpoint, LlamaTensorMap.LmHead);
                _layers = new LayerWeights[_config.NumHiddenLayers];
                for (var i = 0; i < _layers.Length; i++)
                {
                    var n = LlamaTensorMap.Layer(i);
                    _layers[i] = new LayerWeights(
                        Load(checkpoint, n.InputNorm), Load(checkpoint, n.QProj), Load(checkpoint, n.KProj), Load(checkpoint, n.VProj),
                        Load(checkpoint, n.OProj), Load(checkpoint, n.PostAttentionNorm), Load(checkpoint, n.GateProj),
                        Load(checkpoint, n.UpProj), Load(checkpoint, n.DownProj));
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        Backend = new BackendInfo
        {
            Id = TorchSharpEngineFactory.EngineId,
            Version = TorchSharpRuntime.Version,
            Device = _torchDevice.Name,
            Options = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["threads"] = torch.get_num_threads().ToString(CultureInfo.InvariantCulture),
                ["kv_reserve"] = _kvReserve.ToString(CultureInfo.InvariantCulture),
                ["attention"] = "scaled_dot_product_attention",
            },
        };
        Model = DescribeModel(settings, checkpoint);
    }

    public BackendInfo Backend { get; }

    public ModelInfo Model { get; }

    /// <summary>Tests: when set, prefill computes logits for every position and each step copies them [batch, steps, vocab] to <see cref="LastLogits"/>.</summary>
    internal bool CaptureLogits { get; set; }

    internal float[]? LastLogits { get; private set; }

    internal int LastLogitsSteps { get; private set; }

    public StepOutput Prefill(IReadOnlyList<int[]> prompts)
    {
        EndBatch();
        var batch = PaddedBatch.Create(prompts, _config.VocabSize);
        var capacity = KvCachePlan.InitialCapacity(batch.Longest, _kvReserve, _config.MaxPositionEmbeddings);
        AllocateCache(batch.Batch, capacity);
        _batch = batch.Batch;
        _pads = batch.Pads;
        _lengths = batch.Lengths;
        _padded = batch.Pads.Any(p => p > 0);
        _lastTokens = new long[batch.Batch];

        var clock = StartStep();
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            var ids = torch.tensor(batch.Ids, [batch.Batch, batch.Longest], ScalarType.Int64).to(_device);
            var positions = torch.tensor(batch.Positions, [batch.Batch, batch.Longest], ScalarType.Int64).to(_device);
            var mask = MaskTensor(0, batch.Longest, batch.Longest);
            var logits = Forward(ids, positions, 0, batch.Longest, mask, allPositions: CaptureLogits);
            Sample(logits);
        }
        _total = batch.Longest;
        return new StepOutput(Tokens(), StopStep(clock));
    }

    public StepOutput Decode()
    {
        if (_batch == 0)
            throw new InvalidOperationException("no batch: call Prefill first");
        if (_total + 1 > _capacity)
            GrowCache(KvCachePlan.GrownCapacity(_capacity, _total + 1, _config.MaxPositionEmbeddings));

        var clock = StartStep();
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
        {
            var ids = torch.tensor(_lastTokens, [_batch, 1], ScalarType.Int64).to(_device);
            var positions = torch.tensor(_lengths.Select(l => (long)l).ToArray(), [_batch, 1], ScalarType.Int64).to(_device);
            // Unpadded rows attend to every filled slot, which needs no mask.
            var mask = _padded ? MaskTensor(_total, 1, _total + 1) : null;
            var logits = Forward(ids, positions, _total, 1, mask, allPositions: false);
            Sample(logits);
        }
        _total++;
        for (var r = 0; r < _batch; r++)
            _lengths[r]++;
        return new StepOutput(Tokens(), StopStep(clock));
    }

    public void EndBatch()
    {
        foreach (var t in _keyCache.Concat(_valueCache))
            t.Dispose();
        _keyCache = [];
        _valueCache = [];
        _cos?.Dispose();
        _sin?.Dispose();
        _cos = null;
        _sin = null;
        _batch = 0;
        _total = 0;
        _capacity = 0;
    }

    public void Dispose()
    {
        EndBatch();
        foreach (var t in _owned)
            t.Dispose();
        _owned.Clear();
    }

    /// <summary>Logits [batch, steps or 1, vocab] for tokens at cache slots <paramref name="slot"/>..+<paramref name="steps"/>.</summary>
    private Tensor Forward(Tensor ids, Tensor positions, int slot, int steps, Tensor? mask, bool allPositions)
    {
        int b = _batch, hidden = _config.HiddenSize, d = _config.HeadDim, half = d / 2;
        var keys = slot + steps;
        var x = _embedding.index_select(0, ids.reshape(-1)).view(b, steps, hidden);
        var cos = _cos!.index_select(0, positions.reshape(-1)).view(b, 1, steps, half);
        var sin = _sin!.index_select(0, positions.reshape(-1)).view(b, 1, steps, half);
        for (var l = 0; l < _layers.Length; l++)
        {
            var w = _layers[l];
            var h = RmsNorm(x, w.InputNorm);
            var q = Rope(nn.functional.linear(h, w.Q).view(b, steps, _attention.Heads, d).transpose(1, 2), cos, sin);
            var k = Rope(nn.functional.linear(h, w.K).view(b, steps, _attention.KvHeads, d).transpose(1, 2), cos, sin);
            var v = nn.functional.linear(h, w.V).view(b, steps, _attention.KvHeads, d).transpose(1, 2);
            _keyCache[l].narrow(2, slot, steps).copy_(k);
            _valueCache[l].narrow(2, slot, steps).copy_(v);
            var folded = q.reshape(_attention.FoldedQueryShape(b, steps));
            var attended = nn.functional.scaled_dot_product_attention(
                folded, _keyCache[l].narrow(2, 0, keys), _valueCache[l].narrow(2, 0, keys), mask);
            var merged = attended.reshape(b, _attention.Heads, steps, d).transpose(1, 2).reshape(b, steps, _attention.Heads * d);
            x = x + nn.functional.linear(merged, w.O);
            var m = RmsNorm(x, w.PostNorm);
            x = x + nn.functional.linear(nn.functional.silu(nn.functional.linear(m, w.Gate)) * nn.functional.linear(m, w.Up), w.Down);
        }
        if (!allPositions && steps > 1)
            x = x.narrow(1, steps - 1, 1);
        return nn.functional.linear(RmsNorm(x, _finalNorm), _lmHead);
    }

    private Tensor RmsNorm(Tensor x, Tensor weight)
    {
        var xf = x.to_type(ScalarType.Float32);
        var scale = xf.square().mean([-1L], keepdim: true).add(_config.RmsNormEps).rsqrt();
        return (xf * scale).to_type(_dtype) * weight;
    }

    private static Tensor Rope(Tensor x, Tensor cos, Tensor sin)
    {
        var half = x.shape[^1] / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        return torch.cat([(x1 * cos) - (x2 * sin), (x2 * cos) + (x1 * sin)], -1);
    }

    private Tensor MaskTensor(int queryStart, int steps, int keys) =>
        torch.tensor(_attention.FoldedMask(_pads, queryStart, steps, keys), _attention.FoldedMaskShape(_batch, steps, keys)).to(_device);

    /// <summary>Greedy choice at the last position of each row (first index on ties, as argmax).</summary>
    private void Sample(Tensor logits)
    {
        var steps = (int)logits.shape[1];
        var last = logits.select(1, steps - 1);
        var chosen = last.argmax(-1).cpu();
        chosen.data<long>().CopyTo(_lastTokens, 0);
        LastLogitsSteps = steps;
        if (CaptureLogits)
            LastLogits = logits.to_type(ScalarType.Float32).cpu().data<float>().ToArray();
    }

    private int[] Tokens() => [.. _lastTokens.Select(t => (int)t)];

    private void AllocateCache(int batch, int capacity)
    {
        long[] shape = [batch, _config.NumKeyValueHeads, capacity, _config.HeadDim];
        _keyCache = new Tensor[_layers.Length];
        _valueCache = new Tensor[_layers.Length];
        for (var l = 0; l < _layers.Length; l++)
        {
            _keyCache[l] = torch.zeros(shape, _dtype, _device);
            _valueCache[l] = torch.zeros(shape, _dtype, _device);
        }
        BuildRope(capacity);
        _capacity = capacity;
    }

    /// <summary>Doubles the cache in place of the old one; costs one copy, in the step that needs it (see kv_reserve).</summary>
    private void GrowCache(int capacity)
    {
        _log?.Invoke($"KV cache grows from {_capacity} to {capacity} slots (option kv_reserve avoids this)");
        var oldKeys = _keyCache;
        var oldValues = _valueCache;
        var filled = _total;
        AllocateCache(_batch, capacity);
        using (torch.no_grad())
        {
            for (var l = 0; l < _layers.Length; l++)
            {
                using (var k = _keyCache[l].narrow(2, 0, filled))
                using (var src = oldKeys[l].narrow(2, 0, filled))
                    k.copy_(src);
                using (var v = _valueCache[l].narrow(2, 0, filled))
                using (var src = oldValues[l].narrow(2, 0, filled))
                    v.copy_(src);
                oldKeys[l].Dispose();
                oldValues[l].Dispose();
            }
        }
    }

    private void BuildRope(int positions)
    {
        _cos?.Dispose();
        _sin?.Dispose();
        var (cos, sin) = RopeTable.Build(_config, positions);
        long[] shape = [positions, _config.HeadDim / 2];
        _cos = OnDevice(torch.tensor(cos, shape), _dtype);
        _sin = OnDevice(torch.tensor(sin, shape), _dtype);
    }

    /// <summary>The host tensor converted to the device (and dtype); the host copy is freed unless it is the result itself.</summary>
    private Tensor OnDevice(Tensor host, ScalarType dtype)
    {
        var result = host.to(dtype, _device);
        if (!ReferenceEquals(result, host))
            host.Dispose();
        return result;
    }

    /// <summary>Synchronizes a CUDA device so the step's clock sees only this step's work; null on cpu (the runner's clock is exact there).</summary>
    private Stopwatch? StartStep()
    {
        if (!_torchDevice.IsCuda)
            return null;
        torch.cuda.synchronize(_device);
        return Stopwatch.StartNew();
    }

    private double? StopStep(Stopwatch? clock)
    {
        if (clock is null)
            return null;
        torch.cuda.synchronize(_device);
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Copies one checkpoint tensor to the device in the compute dtype, a few million elements at a time.</summary>
    private Tensor Load(SafetensorsCheckpoint checkpoint, string name)
    {
        var (file, t) = checkpoint.Get(name);
        var result = torch.empty(t.Shape, _dtype, _device);
        _owned.Add(result);
        var rows = t.Shape.Length > 1 ? t.Shape[0] : 1;
        var rowElements = t.ElementCount / Math.Max(rows, 1);
        var rowsPerChunk = Math.Max(1, LoadChunkElements / Math.Max(rowElements, 1));
        for (long r0 = 0; r0 < rows; r0 += rowsPerChunk)
        {
            var n = Math.Min(rowsPerChunk, rows - r0);
            // A fresh array per chunk: torch.tensor may keep the managed array as the tensor's storage.
            var values = new float[checked((int)(n * rowElements))];
            file.ReadFloats(t, r0 * rowElements, values);
            long[] chunkShape = t.Shape.Length > 1 ? [n, .. t.Shape[1..]] : [t.Shape[0]];
            using var chunk = torch.tensor(values, chunkShape);
            if (t.Shape.Length > 1)
            {
                using var target = result.narrow(0, r0, n);
                target.copy_(chunk);
            }
            else
            {
                result.copy_(chunk);
            }
        }
        return result;
    }

    private ModelInfo DescribeModel(Settings s, SafetensorsCheckpoint checkpoint)
    {
        var size = WeightDtypes.SizeOf(s.Dtype);
        var synthetic = checkpoint.Metadata.TryGetValue(SyntheticCheckpoint.SeedMetadataKey, out var seed) ? $"synthetic (seed {seed})" : null;
        return new ModelInfo
        {
            Spec = s.Spec.Text,
            Name = s.Spec.Kind == ModelSpecKind.Synthetic ? s.Spec.Preset! : Path.GetFileName(s.CheckpointDirectory.TrimEnd(Path.DirectorySeparatorChar)),
            Parameters = _config.Parameters,
            WeightBytes = _config.StreamedParameters * size,
            Dtype = WeightDtypes.Name(s.Dtype),
            CheckpointDtype = WeightDtypes.Name(_config.TorchDtype ?? checkpoint.Dtype),
            Weights = s.WeightsOrigin ?? synthetic ?? $"checkpoint {s.CheckpointDirectory}",
            Layers = _config.NumHiddenLayers,
            HiddenSize = _config.HiddenSize,
            IntermediateSize = _config.IntermediateSize,
            Heads = _config.NumAttentionHeads,
            KvHeads = _config.NumKeyValueHeads,
            HeadDim = _config.HeadDim,
            VocabSize = _config.VocabSize,
            MaxContext = _config.MaxPositionEmbeddings,
            KvBytesPerToken = _config.KvElementsPerToken * size,
        };
    }

    private static ScalarType ToScalarType(WeightDtype dtype) => dtype switch
    {
        WeightDtype.Fp16 => ScalarType.Float16,
        WeightDtype.Bf16 => ScalarType.BFloat16,
        _ => ScalarType.Float32,
    };
}
