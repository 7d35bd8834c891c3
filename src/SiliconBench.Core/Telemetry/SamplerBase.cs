using SiliconBench.Records;
using SiliconBench.Running;

namespace SiliconBench.Telemetry;

/// <summary>
/// Owns a sampler's background thread (a dedicated thread, so sampling never queues behind work on the
/// thread pool), makes Start/Stop idempotent, and turns an exception while sampling into a
/// <see cref="SamplerFault"/>: that sampler stops, its coverage is lost, and the run goes on.
/// </summary>
public abstract class SamplerBase : ISampler
{
    private readonly Lock _gate = new();
    private readonly List<SamplerFault> _faults = [];
    private readonly List<string> _notes = [];
    private Thread? _thread;
    private CancellationTokenSource? _stop;
    private bool _disposed;

    protected SamplerBase(string id) => Id = id;

    public string Id { get; }

    public abstract IReadOnlyList<SensorInfo> Sensors { get; }

    public virtual IReadOnlyList<AcceleratorInfo> Accelerators => [];

    public IReadOnlyList<SamplerFault> Faults
    {
        get { lock (_gate) return [.. _faults]; }
    }

    public IReadOnlyList<string> Notes
    {
        get { lock (_gate) return [.. _notes]; }
    }

    /// <summary>True while the sampling thread runs (false before Start, after Stop and after a fault).</summary>
    public bool IsRunning
    {
        get { lock (_gate) return _thread is { IsAlive: true }; }
    }

    protected void AddNote(string note)
    {
        lock (_gate)
            _notes.Add(note);
    }

    public void Start(ITimeSource clock, ITelemetrySink sink)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(sink);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_thread is not null)
                return;
            var stop = new CancellationTokenSource();
            _stop = stop;
            _thread = new Thread(() => Loop(clock, sink, stop.Token))
            {
                IsBackground = true,
                Name = "sampler:" + Id,
                // Why: a late sample is a lost sample; keep the sampler ahead of the busy benchmark threads.
                Priority = ThreadPriority.AboveNormal,
            };
            _thread.Start();
        }
    }

    public void Stop()
    {
        Thread? thread;
        lock (_gate)
        {
            thread = _thread;
            _stop?.Cancel();
        }
        thread?.Join();
    }

    private void Loop(ITimeSource clock, ITelemetrySink sink, CancellationToken stop)
    {
        try
        {
            Run(clock, sink, stop);
        }
#pragma warning disable CA1031 // Why: any failure of a sensor must cost only that sensor's coverage, never the run.
        catch (Exception e)
#pragma warning restore CA1031
        {
            RecordFault(clock.Now, e);
        }
    }

    /// <summary>Records a failure now; used by the thread and by subclasses that fail outside it.</summary>
    protected void RecordFault(double t, Exception e)
    {
        var message = e is OperationCanceledException ? "cancelled" : $"{e.GetType().Name}: {e.Message}";
        lock (_gate)
            _faults.Add(new SamplerFault(Id, t, message));
    }

    /// <summary>The sampler's body, on its own thread, until <paramref name="stop"/> is cancelled; may throw.</summary>
    protected abstract void Run(ITimeSource clock, ITelemetrySink sink, CancellationToken stop);

    public void Dispose()
    {
        Stop();
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            _stop?.Dispose();
        }
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>
/// A sampler that reads its sensors every <see cref="Interval"/>: once at start, on a fixed schedule
/// (deadlines, not sleeps, so it does not drift), and once more at stop so the end of the last window is covered.
/// </summary>
public abstract class PeriodicSampler : SamplerBase
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(50);

    protected PeriodicSampler(string id, TimeSpan interval) : base(id)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        Interval = interval;
    }

    public TimeSpan Interval { get; }

    /// <summary>Reads every sensor once and writes the samples at time <paramref name="t"/> on the run clock.</summary>
    protected internal abstract void Sample(double t, ITelemetrySink sink);

    protected override void Run(ITimeSource clock, ITelemetrySink sink, CancellationToken stop)
    {
        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        long tick = 0;
        while (true)
        {
            Sample(clock.Now, sink);
            tick++;
            var due = Interval * tick - System.Diagnostics.Stopwatch.GetElapsedTime(start);
            // Why: a tick slower than the interval skips ahead rather than firing a burst of catch-up reads.
            if (due < TimeSpan.Zero)
            {
                tick += (long)Math.Ceiling(-due / Interval);
                due = Interval * tick - System.Diagnostics.Stopwatch.GetElapsedTime(start);
            }
            if (stop.WaitHandle.WaitOne(due > TimeSpan.Zero ? due : TimeSpan.Zero))
            {
                Sample(clock.Now, sink);
                return;
            }
        }
    }
}
