using System.Threading.Channels;
using SiliconBench.Records;
using SiliconBench.Running;

namespace SiliconBench.Serving;

/// <summary>Progress callbacks of a serving run. <see cref="RequestFinished"/> is called from many threads at once.</summary>
public interface IServingObserver
{
    void PointStarted(ServingPoint point, bool warmup, int index, int count);

    void RequestFinished(RequestRecord record);
}

/// <summary>
/// Serving-mode load generator: sends the warm-up, then each point of the sweep in order, closed loop
/// (N workers back to back), open loop (seeded gamma/Poisson arrivals) or trace replay, through an
/// <see cref="IRequestBackend"/>. Every request becomes one line of requests.jsonl; each point gets a point
/// window and the run one measured window, so the analyzer derives TTFT, TPOT, ITL and goodput unchanged.
/// </summary>
/// <remarks>
/// Failed requests are recorded and counted against the plan's error budget; when it is spent, or the caller
/// cancels, requests in flight are cancelled (and recorded so), no new ones start, and the outcome is incomplete
/// with the reason. Records go through one writer task, since <see cref="RunRecordWriter"/> is not thread-safe.
/// </remarks>
public sealed class ServingRunner
{
    private readonly ITimeSource _clock;
    private readonly IServingObserver? _observer;
    // Request ids run on across RunAsync calls, so a search that runs one probe at a time keeps them unique.
    private int _requestCounter;

    public ServingRunner(ITimeSource clock, IServingObserver? observer = null)
    {
        _clock = clock;
        _observer = observer;
    }

    public async Task<RunOutcome> RunAsync(IRequestBackend backend, ServingPlan plan, RunRecordWriter writer, CancellationToken cancel)
    {
        foreach (var point in plan.Points)
            ServingPoint.Validate(point);
        using var run = new RunState(this, backend, plan, writer, cancel);
        double? measuredStart = null, measuredEnd = null;
        try
        {
            if (plan.WarmupRequests > 0 && plan.Points.Count > 0)
            {
                var first = plan.Points[0];
                var concurrency = plan.WarmupConcurrency ?? plan.Points.Where(p => p.Kind == LoadKind.ClosedLoop).Select(p => p.Concurrency).DefaultIfEmpty(1).Max();
                var warmup = first with { Kind = LoadKind.ClosedLoop, Concurrency = Math.Max(1, concurrency), RequestCount = plan.WarmupRequests, DurationSeconds = null, RampUpSeconds = 0 };
                _observer?.PointStarted(first, warmup: true, 0, plan.Points.Count);
                var span = await run.RunPointAsync(warmup, isWarmup: true).ConfigureAwait(false);
                if (span is { } w)
                    writer.AddWindow(new WindowRecord { Name = "warmup", Kind = WindowKind.Warmup, TStart = w.Start, TEnd = w.End });
            }
            for (var p = 0; p < plan.Points.Count && !run.Stopping; p++)
            {
                var point = plan.Points[p];
                _observer?.PointStarted(point, warmup: false, p, plan.Points.Count);
                if (await run.RunPointAsync(point, isWarmup: false).ConfigureAwait(false) is { } span)
                {
                    writer.AddWindow(new WindowRecord { Name = $"point {point.Id}", Kind = WindowKind.Point, Point = point.Id, TStart = span.Start, TEnd = span.End });
                    measuredStart ??= span.Start;
                    measuredEnd = Math.Max(measuredEnd ?? span.End, span.End);
                }
            }
        }
        finally
        {
            await run.DrainRecordsAsync().ConfigureAwait(false);
            if (measuredStart is { } ms && measuredEnd is { } me)
                writer.AddWindow(new WindowRecord { Name = "measured", Kind = WindowKind.Measured, TStart = ms, TEnd = me });
            writer.WriteWindows();
            writer.Flush();
        }
        return run.StopReason is { } reason ? RunOutcome.Incomplete(reason) : RunOutcome.Completed;
    }

    private sealed class RunState : IDisposable
    {
        private readonly ServingRunner _runner;
        private readonly IRequestBackend _backend;
        private readonly ServingPlan _plan;
        private readonly CancellationToken _userCancel;
        private readonly CancellationTokenSource _stop;
        private readonly Channel<RequestRecord> _records = Channel.CreateUnbounded<RequestRecord>(new UnboundedChannelOptions { SingleReader = true });
        private readonly Task _recordWriter;
        private readonly Lock _lock = new();
        private int _finished;
        private int _failed;
        private string? _lastFailure;
        private string? _stopReason;

        public RunState(ServingRunner runner, IRequestBackend backend, ServingPlan plan, RunRecordWriter writer, CancellationToken cancel)
        {
            _runner = runner;
            _backend = backend;
            _plan = plan;
            _userCancel = cancel;
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            _recordWriter = Task.Run(() => WriteRecordsAsync(writer));
        }

        public bool Stopping => _stop.IsCancellationRequested;

        public string? StopReason
        {
            get
            {
                lock (_lock)
                {
                    if (_stopReason is null && _userCancel.IsCancellationRequested)
                        _stopReason = "interrupted (Ctrl-C) before the plan finished";
                    return _stopReason;
                }
            }
        }

        private ITimeSource Clock => _runner._clock;

        public async Task<(double Start, double End)?> RunPointAsync(ServingPoint point, bool isWarmup)
        {
            var span = new PointSpan();
            var token = _stop.Token;
            var start = Clock.Now;
            var deadline = point.DurationSeconds is { } d ? start + d : double.PositiveInfinity;
            if (point.Kind == LoadKind.ClosedLoop)
            {
                var next = -1;
                var workers = new Task[point.Concurrency];
                for (var w = 0; w < workers.Length; w++)
                {
                    var delay = point.RampUpSeconds * w / workers.Length;
                    workers[w] = Task.Run(async () =>
                    {
                        if (delay > 0 && !await DelayUntilAsync(start + delay, token).ConfigureAwait(false))
                            return;
                        while (!token.IsCancellationRequested)
                        {
                            var i = Interlocked.Increment(ref next);
                            if ((point.RequestCount is { } n && i >= n) || Clock.Now >= deadline)
                                return;
                            await SendAsync(point, i, isWarmup, Spec(point, i, isWarmup), span, token).ConfigureAwait(false);
                            // The request may have finished on the socket thread (inline completions): leave it before
                            // rendering and serializing the next prompt, so that work never delays other streams' stamps.
                            await Task.Yield();
                        }
                    }, CancellationToken.None);
                }
                await Task.WhenAll(workers).ConfigureAwait(false);
            }
            else
            {
                await RunOpenLoopAsync(point, isWarmup, start, deadline, span, token).ConfigureAwait(false);
            }
            return span.Value;
        }

        private async Task RunOpenLoopAsync(ServingPoint point, bool isWarmup, double start, double deadline, PointSpan span, CancellationToken token)
        {
            var generator = point.Kind == LoadKind.OpenLoop ? new ArrivalGenerator(point.RatePerSecond, point.Burstiness, _plan.Seed, point.Id) : null;
            using var cap = point.MaxConcurrency is { } max ? new SemaphoreSlim(max, max) : null;
            var inFlight = new List<Task>();
            var offset = 0.0;
            for (var i = 0; !token.IsCancellationRequested; i++)
            {
                if (point.RequestCount is { } n && i >= n)
                    break;
                ServingRequestSpec spec;
                if (generator is not null)
                {
                    if (i > 0)
                    {
                        var gap = generator.NextGap();
                        // Ramp-up: the instantaneous rate rises linearly from 5% to 100% of the target.
                        if (point.RampUpSeconds > 0 && offset < point.RampUpSeconds)
                            gap /= Math.Max(0.05, offset / point.RampUpSeconds);
                        offset += gap;
                    }
                    spec = Spec(point, i, isWarmup);
                }
                else
                {
                    var arrival = point.Trace![i];
                    offset = arrival.ArrivalS;
                    spec = new ServingRequestSpec(arrival.InputTokens, arrival.OutputTokens);
                }
                if (start + offset >= deadline || !await DelayUntilAsync(start + offset, token).ConfigureAwait(false))
                    break;
                if (cap is not null)
                {
                    try
                    {
                        await cap.WaitAsync(token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
                var index = i;
                inFlight.Add(Task.Run(async () =>
                {
                    try
                    {
                        await SendAsync(point, index, isWarmup, spec, span, token).ConfigureAwait(false);
                    }
                    finally
                    {
                        cap?.Release();
                    }
                }, CancellationToken.None));
            }
            await Task.WhenAll(inFlight).ConfigureAwait(false);
        }

        private ServingRequestSpec Spec(ServingPoint point, int index, bool isWarmup)
        {
            if (point.Kind == LoadKind.Trace && point.Trace is { } trace)
            {
                var arrival = trace[index % trace.Count];
                return new ServingRequestSpec(arrival.InputTokens, arrival.OutputTokens);
            }
            return _plan.Requests(new RequestSlot(point.Id, index, isWarmup, _plan.PromptSalt));
        }

        /// <summary>False when the run was stopped while waiting.</summary>
        private async Task<bool> DelayUntilAsync(double target, CancellationToken token)
        {
            var remaining = target - Clock.Now;
            if (remaining <= 0)
                return !token.IsCancellationRequested;
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(remaining), token).ConfigureAwait(false);
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }

        private async Task SendAsync(ServingPoint point, int index, bool isWarmup, ServingRequestSpec spec, PointSpan span, CancellationToken token)
        {
            if (token.IsCancellationRequested)
                return;
            var id = $"r-{Interlocked.Increment(ref _runner._requestCounter):D6}";
            var request = new ServingRequest
            {
                Id = id,
                InputTokens = spec.PromptTokenIds?.Count ?? spec.InputTokens,
                OutputTokens = spec.OutputTokens,
                PromptTokenIds = spec.PromptTokenIds,
                PromptText = spec.PromptText,
            };
            RequestOutcome outcome;
            try
            {
                outcome = await _backend.SendAsync(request, Clock, token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A backend should return faults as data; one that throws still must not end the run unrecorded.
                outcome = new RequestOutcome
                {
                    TSubmit = Clock.Now,
                    Status = token.IsCancellationRequested ? RequestStatus.Cancelled : RequestStatus.Error,
                    Error = $"backend failed: {e.Message}",
                };
            }
            // A failed request keeps only what the server counted: the planned length of a prompt it never took is not a measurement.
            var inputTokens = outcome.InputTokens ?? (outcome.Status == RequestStatus.Ok ? request.InputTokens : null);
            var error = outcome.Error;
            if (outcome.Status == RequestStatus.Cancelled)
            {
                lock (_lock)
                    error = _stopReason is { } reason ? $"run stopped: {reason}" : error;
            }
            var record = new RequestRecord
            {
                Id = id,
                Point = point.Id,
                Warmup = isWarmup,
                InputTokens = inputTokens,
                OutputTokens = outcome.OutputTokens,
                CachedTokens = outcome.CachedTokens,
                SharedTokens = spec.SharedTokens,
                TSubmit = outcome.TSubmit,
                TFirst = outcome.TFirst,
                TEnd = outcome.TEnd,
                Chunks = outcome.Chunks,
                Status = outcome.Status,
                Error = error,
                Retries = outcome.Retries,
                RetryError = outcome.RetryError,
                ServerTimings = outcome.ServerTimings,
            };
            span.Add(record.TSubmit, Analysis.RequestTiming.Completion(record));
            _records.Writer.TryWrite(record);
            _runner._observer?.RequestFinished(record);
            Account(record);
        }

        private void Account(RequestRecord record)
        {
            if (record.Status == RequestStatus.Cancelled)
                return;
            var failed = record.Status is RequestStatus.Error or RequestStatus.Timeout;
            bool stop;
            lock (_lock)
            {
                _finished++;
                if (failed)
                {
                    _failed++;
                    _lastFailure = $"{record.Id}: {record.Status}: {record.Error}";
                }
                stop = failed && _stopReason is null && _plan.ErrorBudget.IsExceeded(_finished, _failed);
                if (stop)
                    _stopReason = $"error budget exceeded: {_failed} of {_finished} finished requests failed (last {_lastFailure})";
            }
            if (stop)
                _stop.Cancel();
        }

        private async Task WriteRecordsAsync(RunRecordWriter writer)
        {
            var reader = _records.Reader;
            try
            {
                while (await reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    while (reader.TryRead(out var record))
                        writer.WriteRequest(record);
                    writer.Flush();
                }
            }
            catch (IOException e)
            {
                lock (_lock)
                    _stopReason ??= $"cannot write the run record: {e.Message}";
                await _stop.CancelAsync().ConfigureAwait(false);
            }
        }

        public async Task DrainRecordsAsync()
        {
            _records.Writer.TryComplete();
            await _recordWriter.ConfigureAwait(false);
        }

        public void Dispose() => _stop.Dispose();
    }

    /// <summary>First submit and last completion of the requests of one point (or of the warm-up).</summary>
    private sealed class PointSpan
    {
        private readonly Lock _lock = new();
        private double _start = double.PositiveInfinity;
        private double _end = double.NegativeInfinity;

        public (double Start, double End)? Value
        {
            get
            {
                lock (_lock)
                    return double.IsPositiveInfinity(_start) ? null : (_start, _end);
            }
        }

        public void Add(double submit, double completion)
        {
            lock (_lock)
            {
                _start = Math.Min(_start, submit);
                _end = Math.Max(_end, completion);
            }
        }
    }
}
