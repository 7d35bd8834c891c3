using SiliconBench.Running;
using Spectre.Console;

namespace SiliconBench.Cli.Rendering;

/// <summary>Live progress of a run: one bar for warm-up, one per measured operating point. Called between batches only.</summary>
internal sealed class SpectreRunObserver(ProgressContext context) : IRunObserver
{
    private ProgressTask? _warmup;
    private ProgressTask? _current;

    public void PointStarted(ScheduledPoint point, bool warmup, int index, int count)
    {
        if (warmup)
        {
            _warmup ??= context.AddTask("warm-up", maxValue: count);
            _warmup.Value = index + 1;
            _warmup.Description = $"warm-up {point.Id}";
            return;
        }
        if (_warmup is { IsFinished: false })
            _warmup.Value = _warmup.MaxValue;
        if (_current is { IsFinished: false })
            _current.Value = _current.MaxValue;
        _current = context.AddTask($"{point.Id}", maxValue: 1);
    }

    public void RepetitionDone(ScheduledPoint point, int repetition, int plannedRepetitions)
    {
        if (_current is null)
            return;
        // Repetitions past the planned count come from the minimum-duration rule; keep the bar honest.
        _current.MaxValue = Math.Max(plannedRepetitions, repetition + 1);
        _current.Value = repetition + 1;
    }

    public void Finish()
    {
        foreach (var task in new[] { _warmup, _current })
            if (task is { IsFinished: false })
                task.Value = task.MaxValue;
    }
}
