using SiliconBench.Engines;
using SiliconBench.Records;

namespace SiliconBench.Running;

/// <summary>
/// Engine-mode runner: warms every point up, then measures every point, timing each prefill and decode
/// step on the run's one clock. All warm-ups come first so the measured window (first measured submit to
/// last measured completion, docs/metrics.md) holds measured work only.
/// </summary>
/// <remarks>
/// The timed region is the engine call alone; record keeping happens between steps into preallocated
/// lists and is written to disk once per batch, off the step timings.
/// </remarks>
public sealed class EngineRunner
{
    private readonly ITimeSource _clock;
    private readonly IRunObserver _observer;
    private int _requestCounter;

    public EngineRunner(ITimeSource clock, IRunObserver? observer = null)
    {
        _clock = clock;
        _observer = observer ?? NullRunObserver.Instance;
    }

    public RunOutcome Run(IEngine engine, RunSchedule schedule, RunRecordWriter writer, CancellationToken cancel)
    {
        double? warmStart = null, warmEnd = null, measuredStart = null, measuredEnd = null;
        try
        {
            for (var p = 0; p < schedule.Points.Count; p++)
            {
                var point = schedule.Points[p];
                _observer.PointStarted(point, warmup: true, p, schedule.Points.Count);
                for (var rep = 0; rep < schedule.WarmupRepetitions; rep++)
                {
                    var (start, end) = RunBatch(engine, point, rep, warmup: true, writer, cancel);
                    warmStart ??= start;
                    warmEnd = end;
                }
            }
            if (warmStart is { } ws && warmEnd is { } we)
                writer.AddWindow(new WindowRecord { Name = "warmup", Kind = WindowKind.Warmup, TStart = ws, TEnd = we });

            for (var p = 0; p < schedule.Points.Count; p++)
            {
                var point = schedule.Points[p];
                _observer.PointStarted(point, warmup: false, p, schedule.Points.Count);
                double? pointStart = null;
                double pointEnd = 0;
                for (var rep = 0; rep < schedule.MaxRepetitions; rep++)
                {
                    if (rep >= schedule.Repetitions && pointEnd - pointStart >= schedule.MinDurationSeconds)
                        break;
                    var (start, end) = RunBatch(engine, point, rep, warmup: false, writer, cancel);
                    pointStart ??= start;
                    pointEnd = end;
                    measuredStart ??= start;
                    measuredEnd = end;
                    _observer.RepetitionDone(point, rep, schedule.Repetitions);
                }
                writer.AddWindow(new WindowRecord { Name = $"point {point.Id}", Kind = WindowKind.Point, Point = point.Id, TStart = pointStart ?? 0, TEnd = pointEnd });
            }
            return RunOutcome.Completed;
        }
        catch (OperationCanceledException)
        {
            return RunOutcome.Incomplete("interrupted (Ctrl-C) before the plan finished");
        }
        catch (EngineFailureException e)
        {
            return RunOutcome.Incomplete($"engine failed: {e.Message}");
        }
        finally
        {
            if (measuredStart is { } ms && measuredEnd is { } me)
                writer.AddWindow(new WindowRecord { Name = "measured", Kind = WindowKind.Measured, TStart = ms, TEnd = me });
            writer.WriteWindows();
            writer.Flush();
        }
    }

    private (double Start, double End) RunBatch(IEngine engine, ScheduledPoint point, int repetition, bool warmup, RunRecordWriter writer, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        var sequences = point.CreateBatch(repetition, warmup);
        var n = sequences.Count;
        var prompts = new int[n][];
        var maxPrompt = 0;
        var promptTokens = 0;
        var maxOutput = 0;
        for (var i = 0; i < n; i++)
        {
            prompts[i] = sequences[i].Prompt;
            maxPrompt = Math.Max(maxPrompt, prompts[i].Length);
            promptTokens += prompts[i].Length;
            maxOutput = Math.Max(maxOutput, sequences[i].OutputTokens);
        }

        var chunks = new List<Chunk>[n];
        for (var i = 0; i < n; i++)
            chunks[i] = new List<Chunk>(sequences[i].OutputTokens);
        var steps = new List<StepRecord>(maxOutput);
        var ids = new string[n];
        for (var i = 0; i < n; i++)
            ids[i] = $"r-{Interlocked.Increment(ref _requestCounter):D6}";

        var submit = _clock.Now;
        string? failure = null;
        var status = RequestStatus.Ok;
        var end = submit;
        try
        {
            var output = engine.Prefill(prompts);
            var t = _clock.Now;
            steps.Add(Step(point, repetition, warmup, Phase.Prefill, n, maxPrompt, promptTokens, submit, t, output.DeviceSeconds));
            for (var i = 0; i < n; i++)
                chunks[i].Add(new Chunk(t, 1));
            end = t;

            for (var step = 1; step < maxOutput; step++)
            {
                if (cancel.IsCancellationRequested)
                {
                    status = RequestStatus.Cancelled;
                    failure = "interrupted";
                    break;
                }
                var live = 0;
                for (var i = 0; i < n; i++)
                    if (chunks[i].Count < sequences[i].OutputTokens)
                        live++;
                var t0 = _clock.Now;
                output = engine.Decode();
                var t1 = _clock.Now;
                steps.Add(Step(point, repetition, warmup, Phase.Decode, n, maxPrompt + step, live, t0, t1, output.DeviceSeconds));
                for (var i = 0; i < n; i++)
                    if (chunks[i].Count < sequences[i].OutputTokens)
                        chunks[i].Add(new Chunk(t1, 1));
                end = t1;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            status = RequestStatus.Error;
            failure = e.Message;
        }
        finally
        {
            engine.EndBatch();
        }

        foreach (var s in steps)
            writer.WriteStep(s);
        for (var i = 0; i < n; i++)
        {
            var c = chunks[i];
            var done = c.Count == sequences[i].OutputTokens;
            writer.WriteRequest(new RequestRecord
            {
                Id = ids[i],
                Point = point.Id,
                Repetition = repetition,
                Warmup = warmup,
                InputTokens = prompts[i].Length,
                OutputTokens = c.Count,
                TSubmit = submit,
                TFirst = c.Count > 0 ? c[0].T : null,
                TEnd = c.Count > 0 ? c[^1].T : null,
                Chunks = c,
                Status = done ? RequestStatus.Ok : status,
                Error = done ? null : failure,
            });
        }
        writer.Flush();

        if (status == RequestStatus.Cancelled)
            throw new OperationCanceledException(cancel);
        if (status == RequestStatus.Error)
            throw new EngineFailureException(failure ?? "unknown engine error");
        return (submit, end);
    }

    private static StepRecord Step(ScheduledPoint point, int repetition, bool warmup, string phase, int batch, int context, int tokens, double start, double end, double? device) =>
        new()
        {
            Point = point.Id,
            Repetition = repetition,
            Warmup = warmup,
            Phase = phase,
            Batch = batch,
            Context = context,
            Tokens = tokens,
            TStart = start,
            TEnd = end,
            DeviceS = device,
        };
}

/// <summary>The engine failed mid-run (out of memory, worker died); the record so far is kept and marked incomplete.</summary>
public sealed class EngineFailureException(string message) : Exception(message);

/// <summary>How a run ended: completed, or incomplete with the reason the manifest records.</summary>
public sealed record RunOutcome(bool Complete, string? Reason)
{
    public static RunOutcome Completed { get; } = new(true, null);

    public static RunOutcome Incomplete(string reason) => new(false, reason);
}

/// <summary>Progress callbacks (the CLI draws them; tests can record them). Called between batches, never inside a timed step.</summary>
public interface IRunObserver
{
    void PointStarted(ScheduledPoint point, bool warmup, int index, int count);

    void RepetitionDone(ScheduledPoint point, int repetition, int plannedRepetitions);
}

/// <summary>Null object: a run nobody watches.</summary>
public sealed class NullRunObserver : IRunObserver
{
    public static NullRunObserver Instance { get; } = new();

    public void PointStarted(ScheduledPoint point, bool warmup, int index, int count) { }

    public void RepetitionDone(ScheduledPoint point, int repetition, int plannedRepetitions) { }
}
