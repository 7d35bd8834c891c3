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
/// steps. Gathering and scattering cost O(batch × context) copies, paid only when membership changes: between
/// changes, decode steps chain the presents of one step into the past of the next, as the one-batch path does.
/// </summary>
public sealed partial class OnnxRuntimeEngine : IBatchingEngine
{
    private readonly Dictionary<int, SequenceState> _sequences = [];
    private int _nextSequence;

    // The last decode step's outputs, as ONNX Runtime returned them. While the next decode step runs the same
    // sequences in the same order (most steps, under steady load), these presents are its past as they are, with
    // no copies, as in Decode(); when membership changes they are spilled into the sequences' own caches.
    private IDisposableReadOnlyCollection<OrtValue>? _held;
    private SequenceState[] _heldMembers = [];
    private int[] _heldPads = [];
    private int _heldTotal;

    private sealed class SequenceState(int[] prompt, int layers)
    {
        public int[] Prompt { get; } = prompt;
        /// <summary>Prompt tokens already in the cache.</summary>
        public int Prefilled { get; set; }
        /// <summary>Tokens in the cache (prompt and generated).</summary>
        public int Length { get; set; }
        public int LastToken { get; set; } = -1;
        /// <summary>Its rows live in the held batch; <see cref="Cache"/> is stale until the next spill.</summary>
        public bool Held { get; set; }
        public bool Closed { get; set; }
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
        var token = RunSequences([s], [chunk], hold: false)[0];
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
        var tokens = RunSequences(states, inputs, hold: true);
        for (var r = 0; r < states.Length; r++)
            states[r].LastToken = tokens[r];
        return new StepOutput(tokens);
    }

    public void CloseSequence(SequenceId sequence)
    {
        // A closed sequence may still have rows in the held batch; the next spill skips it.
        if (_sequences.Remove(sequence.Value, out var s))
            s.Closed = true;
    }

    private SequenceState Sequence(SequenceId id) =>
        _sequences.TryGetValue(id.Value, out var s) ? s : throw new InvalidOperationException($"sequence {id.Value} is not open");

    /// <summary>Appends the same number of new tokens to each sequence in one model call; returns the greedy next token of each.</summary>
    private int[] RunSequences(IReadOnlyList<SequenceState> states, IReadOnlyList<int[]> newTokens, bool hold) => _kvType switch
    {
        TensorElementType.Float => RunSequences<float>(states, newTokens, hold),
        TensorElementType.Float16 => RunSequences<Float16>(states, newTokens, hold),
        _ => RunSequences<BFloat16>(states, newTokens, hold),
    };

    /// <summary>
    /// One model call. With <paramref name="hold"/> (decode steps) the presents are kept as the held batch instead of
    /// being copied back, and a next step over the same sequences in the same order takes them as its past unchanged.
    /// </summary>
    private int[] RunSequences<T>(IReadOnlyList<SequenceState> states, IReadOnlyList<int[]> newTokens, bool hold)
        where T : unmanaged
    {
        var b = states.Count;
        var n = newTokens[0].Length;
        var reuse = hold && n == 1 && _held is not null && states.SequenceEqual(_heldMembers);
        if (!reuse && hold)
            Spill<T>();

        int past;
        int[] pads;
        if (reuse)
        {
            past = _heldTotal;
            pads = _heldPads;
        }
        else
        {
            past = 0;
            foreach (var s in states)
                past = Math.Max(past, s.Length);
            pads = new int[b];
            for (var r = 0; r < b; r++)
                pads[r] = past - states[r].Length;
        }
        var total = past + n;

        var ids = new long[b * n];
        var positions = new long[b * n];
        var mask = new long[b * total];
        for (var r = 0; r < b; r++)
        {
            var s = states[r];
            mask.AsSpan((r * total) + pads[r], total - pads[r]).Fill(1);
            for (var j = 0; j < n; j++)
            {
                ids[(r * n) + j] = newTokens[r][j];
                positions[(r * n) + j] = s.Length + j;
            }
        }

        var pastValues = new OrtValue[2 * _layers];
        IDisposableReadOnlyCollection<OrtValue> outputs;
        long[] tokenShape = [b, n];
        using var idsValue = OrtValue.CreateTensorValueFromMemory(ids, tokenShape);
        using var positionsValue = OrtValue.CreateTensorValueFromMemory(positions, tokenShape);
        using var maskValue = OrtValue.CreateTensorValueFromMemory(mask, [b, total]);
        try
        {
            if (reuse)
            {
                for (var i = 0; i < pastValues.Length; i++)
                    pastValues[i] = _held![1 + i];
            }
            else
            {
                Gather<T>(states, pads, past, pastValues);
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
            // Held presents belong to _held (released below, once the step that read them is done).
            if (!reuse)
            {
                foreach (var v in pastValues)
                    v?.Dispose();
            }
        }

        int[] tokens;
        try
        {
            tokens = ArgmaxLastPosition(outputs[0], b, n);
        }
        catch
        {
            outputs.Dispose();
            throw;
        }
        foreach (var s in states)
            s.Length += n;
        if (hold)
        {
            _held?.Dispose();
            _held = outputs;
            _heldMembers = [.. states];
            _heldPads = pads;
            _heldTotal = total;
            foreach (var s in states)
                s.Held = true;
        }
        else
        {
            using (outputs)
                Scatter<T>(states, pads, total, outputs);
        }
        return tokens;
    }

    /// <summary>Left-padded past [b, kv_heads, past, head_dim] per layer and part from the sequences' own caches; padding stays zero and masked.</summary>
    private void Gather<T>(IReadOnlyList<SequenceState> states, int[] pads, int past, OrtValue[] pastValues)
        where T : unmanaged
    {
        var b = states.Count;
        long[] pastShape = [b, _kvHeads, past, _headDim];
        for (var i = 0; i < pastValues.Length; i++)
        {
            if (past == 0)
            {
                pastValues[i] = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, _kvType, pastShape);
                continue;
            }
            var gathered = new T[b * _kvHeads * past * _headDim];
            for (var r = 0; r < b; r++)
            {
                var length = states[r].Length;
                if (length == 0)
                    continue;
                var cache = (T[])states[r].Cache[i];
                for (var h = 0; h < _kvHeads; h++)
                {
                    cache.AsSpan(h * length * _headDim, length * _headDim)
                        .CopyTo(gathered.AsSpan((((r * _kvHeads) + h) * past + pads[r]) * _headDim));
                }
            }
            pastValues[i] = OrtValue.CreateTensorValueFromMemory(gathered, pastShape);
        }
    }

    /// <summary>Copies each sequence's rows (after its padding) of presents [b, kv_heads, total, head_dim] into its own cache.</summary>
    private void Scatter<T>(IReadOnlyList<SequenceState> states, int[] pads, int total, IReadOnlyList<OrtValue> outputs)
        where T : unmanaged
    {
        for (var i = 0; i < 2 * _layers; i++)
        {
            var present = outputs[1 + i].GetTensorDataAsSpan<T>();
            for (var r = 0; r < states.Count; r++)
            {
                var s = states[r];
                if (s.Closed)
                    continue;
                var length = s.Length;
                var cache = new T[_kvHeads * length * _headDim];
                for (var h = 0; h < _kvHeads; h++)
                {
                    present.Slice((((r * _kvHeads) + h) * total + pads[r]) * _headDim, length * _headDim)
                        .CopyTo(cache.AsSpan(h * length * _headDim));
                }
                s.Cache[i] = cache;
            }
        }
    }

    /// <summary>Membership changes: the held batch's sequences get their rows back in their own caches, and the batch is released.</summary>
    private void Spill<T>()
        where T : unmanaged
    {
        if (_held is null)
            return;
        using (_held)
            Scatter<T>(_heldMembers, _heldPads, _heldTotal, _held);
        foreach (var s in _heldMembers)
            s.Held = false;
        _held = null;
        _heldMembers = [];
        _heldPads = [];
    }

    /// <summary>Frees the held batch (engine disposal).</summary>
    private void ReleaseSequences()
    {
        _held?.Dispose();
        _held = null;
        _heldMembers = [];
        _sequences.Clear();
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
