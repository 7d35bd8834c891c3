using SiliconBench.Engines;
using SiliconBench.Records;
using SiliconBench.Running;
using SiliconBench.Serving.Batching;

namespace SiliconBench.Tests.Batching;

/// <summary>A clock that moves only when the scripted engine works, so step and token times are exact.</summary>
public sealed class ManualClock : ITimeSource
{
    private long _ms;

    public double Now => Interlocked.Read(ref _ms) / 1000.0;

    public void AdvanceMs(long ms) => Interlocked.Add(ref _ms, ms);
}

/// <summary>
/// An engine double that logs every call ("P a:3" = prefill 3 prompt tokens of sequence a, "D a,b" = decode a and b),
/// costs 10 ms per prefill call and 5 ms per decode step on the manual clock, and can hold its first call until
/// the test releases it, so requests can be queued while a step is in flight.
/// </summary>
public sealed class ScriptedBatchingEngine(ManualClock clock, bool holdFirstCall = false) : IBatchingEngine
{
    private readonly Dictionary<int, (string Name, int PromptLength, int Prefilled)> _open = [];
    private readonly ManualResetEventSlim _release = new(!holdFirstCall);
    private readonly List<string> _log = [];
    private int _next;
    private int _calls;

    /// <summary>Set when the first call has started (and, if held, is waiting).</summary>
    public ManualResetEventSlim FirstCallStarted { get; } = new();

    public int MaxDecodeBatch { get; private set; }

    /// <summary>Throws from the decode step with this 1-based index.</summary>
    public int? FailDecodeCall { get; init; }

    private int _decodeCalls;

    public IReadOnlyList<string> Log
    {
        get
        {
            lock (_log)
                return [.. _log];
        }
    }

    public BackendInfo Backend { get; } = new() { Id = "scripted", Version = "1", Device = "none" };

    public ModelInfo Model { get; } = new() { Spec = "scripted", Name = "scripted", Dtype = "fp32", CheckpointDtype = "fp32", Weights = "none", VocabSize = 1000 };

    public void Release() => _release.Set();

    public SequenceId OpenSequence(int[] prompt)
    {
        var id = new SequenceId(_next++);
        // Prompts from the tests start with a token naming the request: 1 = a, 2 = b, …
        _open.Add(id.Value, (((char)('a' + prompt[0] - 1)).ToString(), prompt.Length, 0));
        return id;
    }

    public int? PrefillSequence(SequenceId sequence, int maxTokens)
    {
        Enter();
        var s = _open[sequence.Value];
        var n = Math.Min(maxTokens, s.PromptLength - s.Prefilled);
        _open[sequence.Value] = s with { Prefilled = s.Prefilled + n };
        Write($"P {s.Name}:{n}");
        clock.AdvanceMs(10);
        return s.Prefilled + n == s.PromptLength ? 7 : null;
    }

    public StepOutput DecodeSequences(IReadOnlyList<SequenceId> sequences)
    {
        Enter();
        if (++_decodeCalls == FailDecodeCall)
            throw new InvalidOperationException("device lost");
        MaxDecodeBatch = Math.Max(MaxDecodeBatch, sequences.Count);
        Write("D " + string.Join(",", sequences.Select(s => _open[s.Value].Name)));
        clock.AdvanceMs(5);
        return new StepOutput([.. sequences.Select(_ => 7)]);
    }

    public void CloseSequence(SequenceId sequence) => _open.Remove(sequence.Value);

    public StepOutput Prefill(IReadOnlyList<int[]> prompts) => throw new NotSupportedException();

    public StepOutput Decode() => throw new NotSupportedException();

    public void EndBatch()
    {
    }

    public void Dispose()
    {
        _release.Dispose();
        FirstCallStarted.Dispose();
    }

    private void Enter()
    {
        if (Interlocked.Increment(ref _calls) == 1)
        {
            FirstCallStarted.Set();
            _release.Wait(TimeSpan.FromSeconds(30));
        }
    }

    private void Write(string line)
    {
        lock (_log)
            _log.Add(line);
    }
}
