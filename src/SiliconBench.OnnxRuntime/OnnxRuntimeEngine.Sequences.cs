using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SiliconBench.Engines;
using SiliconBench.Models;
using SiliconBench.Serving.Batching;

namespace SiliconBench.OnnxRuntime;

/// <summary>
/// Continuous batching: every sequence keeps its own KV cache ([kv_heads, length, head_dim] per layer and part,
/// in managed memory); a step gathers the caches of the sequences it runs into one left-padded past, masks the
/// padding, and scatters each sequence's rows of the presents back. Membership can change between any two
/// steps. The copies cost O(batch × context) per step — the price of a layout without paged attention.
/// </summary>
public sealed partial class OnnxRuntimeEngine : IBatchingEngine
{
    private readonly Dictionary<int, SequenceState> _sequences = [];
    private int _nextSequence;

    private sealed class SequenceState(int[] prompt, int layers)
    {
        public int[] Prompt { get; } = prompt;
        /// <summary>Prompt tokens already in the cache.</summary>
        public int Prefilled { get; set; }
        /// <summary>Tokens in the cache (prompt and generated).</summary>
        public int Length { get; set; }
        public int LastToken { get; set; } = -1;
        /// <summary>Per layer, key then value: [kv_heads, Length, head_dim] of the KV element type.</summary>
        public Array[] Cache { get; } = new Array[2 * layers];
    }

    public SequenceId OpenSequence(int[] prompt)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        if (prompt.Length == 0)
            throw new ArgumentException("a prompt needs at least one token", nameof(prompt));
        foreach (var t in prompt)
        {
            if ((uint)t >= (uint)_vocab)
                throw new ArgumentException($"token {t} is outside the vocabulary (0..{_vocab - 1})", nameof(prompt));
        }
        var id = new SequenceId(_nextSequence++);
        _sequences.Add(id.Value, new SequenceState((int[])prompt.Clone(), _layers));
        return id;
    }

    public int? PrefillSequence(SequenceId sequence, int maxTokens)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        var s = Sequence(sequence);
        if (s.Prefilled == s.Prompt.Length)
            throw new InvalidOperationException($"sequence {sequence.Value} has already processed its prompt");
        var n = Math.Min(maxTokens, s.Prompt.Length - s.Prefilled);
        var chunk = s.Prompt.AsSpan(s.Prefilled, n).ToArray();
        var token = RunSequences([s], [chunk])[0];
        s.Prefilled += n;
        if (s.Prefilled < s.Prompt.Length)
            return null;
        s.LastToken = token;
        return token;
    }

    public StepOutput DecodeSequences(IReadOnlyList<SequenceId> sequences)
    {
        if (sequences.Count == 0)
            throw new ArgumentException("a decode step needs at least one sequence", nameof(sequences));
        var states = new SequenceState[sequences.Count];
        var inputs = new int[sequences.Count][];
        for (var r = 0; r < states.Length; r++)
        {
            var s = Sequence(sequences[r]);
            if (s.LastToken < 0)
                throw new InvalidOperationException($"sequence {sequences[r].Value} has not finished its prompt");
            states[r] = s;
            inputs[r] = [s.LastToken];
        }
        var tokens = RunSequences(states, inputs);
        for (var r = 0; r < states.Length; r++)
            states[r].LastToken = tokens[r];
        return new StepOutput(tokens);
    }

    public void CloseSequence(SequenceId sequence) => _sequences.Remove(sequence.Value);

    private SequenceState Sequence(SequenceId id) =>
        _sequences.TryGetValue(id.Value, out var s) ? s : throw new InvalidOperationException($"sequence {id.Value} is not open");

    /// <summary>Appends the same number of new tokens to each sequence in one model call; returns the greedy next token of each.</summary>
    private int[] RunSequences(IReadOnlyList<SequenceState> states, IReadOnlyList<int[]> newTokens) => _kvType switch
    {
        TensorElementType.Float => RunSequences<float>(states, newTokens),
        TensorElementType.Float16 => RunSequences<Float16>(states, newTokens),
        _ => RunSequences<BFloat16>(states, newTokens),
    };

    private int[] RunSequences<T>(IReadOnlyList<SequenceState> states, IReadOnlyList<int[]> newTokens)
        where T : unmanaged
    {
        var b = states.Count;
        var n = newTokens[0].Length;
        var past = 0;
        foreach (var s in states)
            past = Math.Max(past, s.Length);
        var total = past + n;

        var ids = new long[b * n];
        var positions = new long[b * n];
        var mask = new long[b * total];
        var pads = new int[b];
        for (var r = 0; r < b; r++)
        {
            var s = states[r];
            pads[r] = past - s.Length;
            mask.AsSpan((r * total) + pads[r], total - pads[r]).Fill(1);
            for (var j = 0; j < n; j++)
            {
                ids[(r * n) + j] = newTokens[r][j];
                positions[(r * n) + j] = s.Length + j;
            }
        }

        var rowElements = _kvHeads * _headDim;
        var pastValues = new OrtValue[2 * _layers];
        long[] pastShape = [b, _kvHeads, past, _headDim];
        IDisposableReadOnlyCollection<OrtValue> outputs;
        long[] tokenShape = [b, n];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, tokenShape);
        using var positionsValue = OrtValue.CreateTensorValueFromMemory(positions, tokenShape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, [b, total]);
        try
        {
            for (var i = 0; i < pastValues.Length; i++)
            {
                if (past == 0)
                {
                    pastValues[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, _kvType, pastShape);
                    continue;
                }
                // Left-padded gather: sequence r occupies positions pads[r].. of each head; the padding stays zero and masked.
                var gathered = new T[b * rowElements * past];
                for (var r = 0; r < b; r++)
                {
                    var length = states[r].Length;
                    var cache = (T[])states[r].Cache[i];
                    for (var h = 0; h < _kvHeads; h++)
                    {
                        cache.AsSpan(h * length * _headDim, length * _headDim)
                            .CopyTo(gathered.AsSpan((((r * _kvHeads) + h) * past + pads[r]) * _headDim));
                    }
                }
                pastValues[i] = OrtValue.CreateTensorValueFromMemory(gathered, pastShape);
            }
            _inputs[0] = idsValue;
            _inputs[1] = maskValue;
            if (_hasPositionIds)
                _inputs[2] = positionsValue;
            Array.Copy(pastValues, 0, _inputs, _pastOffset, pastValues.Length);
            outputs = _session.Run(_runOptions, _inputNames, _inputs, _outputNames);
        }
        finally
        {
            Array.Clear(_inputs);
            foreach (var v in pastValues)
                v?.Dispose();
        }

        using (outputs)
        {
            var tokens = ArgmaxLastPosition(outputs[0], b, n);
            for (var i = 0; i < 2 * _layers; i++)
            {
                var present = outputs[1 + i].GetTensorDataAsSpan<T>();
                for (var r = 0; r < b; r++)
                {
                    var s = states[r];
                    var length = s.Length + n;
                    var cache = new T[_kvHeads * length * _headDim];
                    for (var h = 0; h < _kvHeads; h++)
                    {
                        present.Slice((((r * _kvHeads) + h) * total + pads[r]) * _headDim, length * _headDim)
                            .CopyTo(cache.AsSpan(h * length * _headDim));
                    }
                    s.Cache[i] = cache;
                }
            }
            foreach (var s in states)
                s.Length += n;
            return tokens;
        }
    }

    /// <summary>Argmax (first index on ties) of the last position of each row of logits [b, steps, vocab].</summary>
    private int[] ArgmaxLastPosition(OrtValue logits, int b, int steps)
    {
        var tokens = new int[b];
        var v = _vocab;
        if (_logitsType == TensorElementType.Float)
        {
            var data = logits.GetTensorDataAsSpan<float>();
            for (var r = 0; r < b; r++)
                tokens[r] = TensorPrimitives.IndexOfMax(data.Slice(((r * steps) + steps - 1) * v, v));
            return tokens;
        }
        var raw = logits.GetTensorDataAsSpan<ushort>();
        var row = new float[v];
        for (var r = 0; r < b; r++)
        {
            var src = raw.Slice(((r * steps) + steps - 1) * v, v);
            for (var j = 0; j < v; j++)
                row[j] = _logitsType == TensorElementType.Float16 ? (float)BitConverter.UInt16BitsToHalf(src[j]) : WeightDtypes.FromBf16(src[j]);
            tokens[r] = TensorPrimitives.IndexOfMax(row);
        }
        return tokens;
    }
}
