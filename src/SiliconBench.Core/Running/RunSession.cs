using SiliconBench.Engines;
using SiliconBench.Records;
using SiliconBench.Telemetry;

namespace SiliconBench.Running;

/// <summary>
/// One measured run (engine steps or a serving load) from first byte to last: the manifest is written incomplete before anything
/// runs, samplers start before the first step (with optional idle-baseline windows around the work) and
/// stop after the last, and the manifest is rewritten at the end with how the run ended. Whatever stops
/// the run (Ctrl-C, engine failure, a sampler dying), the record on disk stays readable.
/// </summary>
public sealed class RunSession
{
    /// <summary>The reason the manifest carries while the run is measuring; a record left with it was cut off.</summary>
    public const string InProgressReason = "the run was still in progress when this was written";

    private readonly ITimeSource _clock;
    private readonly RunRecordWriter _writer;
    private readonly IReadOnlyList<ISampler> _samplers;
    private readonly IRunObserver _observer;

    public RunSession(ITimeSource clock, RunRecordWriter writer, IReadOnlyList<ISampler> samplers, IRunObserver? observer = null)
    {
        _clock = clock;
        _writer = writer;
        _samplers = samplers;
        _observer = observer ?? NullRunObserver.Instance;
    }

    /// <summary>Runs the schedule; returns the final manifest (also written to disk).</summary>
    /// <param name="draft">The manifest as known before the run; completeness, faults and notes are filled in here.</param>
    /// <param name="idleSeconds">Length of the idle-baseline window before and after the work; 0 for none.</param>
    /// <param name="wait">How the session waits out an idle window; tests pass one that advances a fake clock.</param>
    public RunManifest Run(IEngine engine, RunSchedule schedule, RunManifest draft, double idleSeconds, CancellationToken cancel,
        Action<TimeSpan, CancellationToken>? wait = null) =>
        Run((writer, token) => new EngineRunner(_clock, _observer).Run(engine, schedule, writer, token), draft, idleSeconds, cancel, wait);

    /// <summary>Runs any measurement (engine steps, a serving load) inside the session: samplers, idle baselines, manifest.</summary>
    public RunManifest Run(Func<RunRecordWriter, CancellationToken, RunOutcome> measure, RunManifest draft, double idleSeconds, CancellationToken cancel,
        Action<TimeSpan, CancellationToken>? wait = null)
    {
        ArgumentNullException.ThrowIfNull(measure);
        wait ??= static (span, token) => token.WaitHandle.WaitOne(span);
        _writer.WriteManifest(draft with { Complete = false, IncompleteReason = InProgressReason });

        var notes = new List<string>(draft.Notes);
        var started = new List<ISampler>();
        foreach (var sampler in _samplers)
        {
            try
            {
                sampler.Start(_clock, _writer);
                started.Add(sampler);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A sensor that cannot start loses its coverage; the run itself can still be measured.
                notes.Add($"sampler {sampler.Id} did not start: {e.Message}");
            }
        }

        RunOutcome outcome;
        try
        {
            if (idleSeconds > 0)
                Idle("idle-before", idleSeconds, wait, cancel);
            outcome = measure(_writer, cancel);
            if (outcome.Complete && idleSeconds > 0)
            {
                Idle("idle-after", idleSeconds, wait, cancel);
                _writer.WriteWindows();
            }
        }
        catch (OperationCanceledException)
        {
            outcome = RunOutcome.Incomplete("interrupted (Ctrl-C) before the plan finished");
        }
        finally
        {
            foreach (var sampler in started)
            {
                try
                {
                    sampler.Stop();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    notes.Add($"sampler {sampler.Id} failed to stop cleanly: {e.Message}");
                }
            }
            _writer.Flush();
        }

        // What the samplers learned while running: device inventory, faults (lost coverage) and caveats.
        notes.AddRange(started.SelectMany(x => x.Notes));
        var accelerators = draft.Accelerators.Count > 0 ? draft.Accelerators : [.. started.SelectMany(x => x.Accelerators)];
        var final = draft with
        {
            Complete = outcome.Complete,
            IncompleteReason = outcome.Reason,
            Notes = notes,
            Accelerators = accelerators,
            SamplerFaults = [.. draft.SamplerFaults, .. started.SelectMany(x => x.Faults).OrderBy(f => f.T)],
        };
        _writer.WriteManifest(final);
        return final;
    }

    private void Idle(string name, double seconds, Action<TimeSpan, CancellationToken> wait, CancellationToken cancel)
    {
        var start = _clock.Now;
        wait(TimeSpan.FromSeconds(seconds), cancel);
        cancel.ThrowIfCancellationRequested();
        _writer.AddWindow(new WindowRecord { Name = name, Kind = WindowKind.Idle, TStart = start, TEnd = _clock.Now });
    }
}
