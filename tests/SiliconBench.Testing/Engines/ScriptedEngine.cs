using SiliconBench.Engines;
using SiliconBench.Records;

namespace SiliconBench.Testing.Engines;

/// <summary>
/// An engine double whose steps take a scripted time on a <see cref="FakeTimeSource"/>: prefill costs
/// <c>PrefillSecondsPerToken × prompt tokens</c>, decode <c>DecodeSeconds</c>. It can fail on a chosen
/// decode step, or trip a cancellation, to exercise the runner's fault paths.
/// </summary>
public sealed class ScriptedEngine(FakeTimeSource clock) : IEngine
{
    private int _batch;
    private int _decodeSteps;

    public double PrefillSecondsPerToken { get; init; } = 0.001;
    public double DecodeSeconds { get; init; } = 0.01;
    /// <summary>Decode call number (1-based, over the engine's life) that throws, or 0 for never.</summary>
    public int FailOnDecodeCall { get; init; }
    /// <summary>Decode call number after which this source is cancelled, or 0 for never.</summary>
    public int CancelAfterDecodeCall { get; init; }
    public CancellationTokenSource? Cancellation { get; init; }

    public int PrefillCalls { get; private set; }
    public int DecodeCalls { get; private set; }
    public int EndBatchCalls { get; private set; }
    public List<int[][]> Prompts { get; } = [];

    public BackendInfo Backend { get; } = new() { Id = "scripted", Version = "1", Device = "cpu" };

    public ModelInfo Model { get; } = new()
    {
        Spec = "scripted",
        Name = "scripted",
        Dtype = "fp32",
        CheckpointDtype = "fp32",
        Weights = "none",
        Parameters = 1000,
        WeightBytes = 4000,
        KvBytesPerToken = 16,
    };

    public StepOutput Prefill(IReadOnlyList<int[]> prompts)
    {
        PrefillCalls++;
        Prompts.Add([.. prompts]);
        _batch = prompts.Count;
        _decodeSteps = 0;
        clock.Advance(PrefillSecondsPerToken * prompts.Sum(p => p.Length));
        return new StepOutput(new int[_batch]);
    }

    public StepOutput Decode()
    {
        DecodeCalls++;
        if (DecodeCalls == FailOnDecodeCall)
            throw new InvalidOperationException("scripted out of memory");
        _decodeSteps++;
        clock.Advance(DecodeSeconds);
        if (DecodeCalls == CancelAfterDecodeCall)
            Cancellation?.Cancel();
        var tokens = new int[_batch];
        Array.Fill(tokens, _decodeSteps);
        return new StepOutput(tokens);
    }

    public void EndBatch() => EndBatchCalls++;

    public void Dispose() { }
}
