using SiliconBench.Records;
using SiliconBench.Running;

namespace SiliconBench.Serving.Batching;

/// <summary>
/// Serves requests in-process from an <see cref="IBatchingEngine"/>, as a serving stack would: requests queue,
/// the scheduler admits them into the running batch between steps, prefills their prompts (whole or in chunks
/// of at most <see cref="BatchingOptions.PrefillChunkTokens"/> tokens per step), and every step decodes one
/// token for each running sequence. Each token is stamped on the run clock as a chunk [t, 1] of its request
/// when its step ends, so <see cref="ServingRunner"/> drives it like any <see cref="IRequestBackend"/> and the
/// analyzer derives TTFT/TPOT unchanged. Each prefill and decode step is kept as a <see cref="StepRecord"/>
/// so energy can be split by phase under load.
/// </summary>
/// <remarks>
/// One dedicated thread owns the engine. Step records are buffered rather than written as they happen,
/// because <see cref="RunRecordWriter"/> is not thread-safe and the serving runner's writer task flushes it
/// concurrently; the caller writes them with <see cref="WriteSteps"/> from its own thread (after the run, or
/// from the same thread that writes requests). The scheduler does not own the engine.
/// </remarks>
public sealed class BatchingScheduler : IRequestBackend, IDisposable
{
    private readonly IBatchingEngine _engine;
    private readonly ITimeSource _clock;
    private readonly BatchingOptions _options;
    // A monitor rather than a Lock: the scheduler thread sleeps on it until a request arrives or is cancelled.
    private readonly object _lock = new();
    private readonly Queue<Pending> _waiting = new();
    private readonly List<Pending> _running = [];
    private readonly List<StepRecord> _steps = [];
    private readonly Thread _thread;
    private readonly int _vocab;
    private string _point = "serving";
    private bool _warmup;
    private bool _disposed;

    public BatchingScheduler(IBatchingEngine engine, ITimeSource clock, BatchingOptions options)
    {
        _engine = engine;
        _clock = clock;
        _options = options.Validate();
        _vocab = Math.Max(1, engine.Model.VocabSize);
        _thread = new Thread(Loop) { IsBackground = true, Name = "siliconbench-batching" };
        _thread.Start();
    }

    public BatchingOptions Options => _options;

    /// <summary>The point (and warm-up flag) the next step records carry; <see cref="BatchingObserver"/> calls it.</summary>
    public void SetPoint(string point, bool warmup)
    {
        lock (_lock)
        {
            _point = point;
            _warmup = warmup;
        }
    }

    public Task<RequestOutcome> SendAsync(ServingRequest request, ITimeSource clock, CancellationToken cancel)
    {
        if (!ReferenceEquals(clock, _clock))
            throw new ArgumentException("the scheduler stamps tokens on its own clock; send with the same clock", nameof(clock));
        var submit = clock.Now;
        var prompt = request.PromptTokenIds is { Count: > 0 } ids ? [.. ids] : SyntheticPrompt(request.Id, request.InputTokens, _vocab);
        if (request.OutputTokens < 1 || prompt.Length == 0)
        {
            return Task.FromResult(new RequestOutcome
            {
                TSubmit = submit,
                Status = RequestStatus.Error,
                Error = $"the engine needs at least one prompt token and one output token (asked {prompt.Length} in, {request.OutputTokens} out)",
            });
        }
        if (prompt.Any(t => (uint)t >= (uint)_vocab))
        {
            return Task.FromResult(new RequestOutcome { TSubmit = submit, Status = RequestStatus.Error, Error = $"a prompt token is outside the vocabulary (0..{_vocab - 1})" });
        }
        var pending = new Pending(request, prompt, submit);
        lock (_lock)
        {
            if (_disposed)
                return Task.FromResult(new RequestOutcome { TSubmit = submit, Status = RequestStatus.Cancelled, Error = "the scheduler was shut down" });
            _waiting.Enqueue(pending);
            Monitor.PulseAll(_lock);
        }
        if (cancel.CanBeCanceled)
        {
            pending.Registration = cancel.Register(() =>
            {
                lock (_lock)
                {
                    pending.Cancelled = true;
                    Monitor.PulseAll(_lock);
                }
            });
        }
        return pending.Done.Task;
    }

    /// <summary>Step records buffered since the last call, oldest first; takes them out of the buffer.</summary>
    public IReadOnlyList<StepRecord> TakeSteps()
    {
        lock (_lock)
        {
            var taken = _steps.ToArray();
            _steps.Clear();
            return taken;
        }
    }

    /// <summary>Writes the buffered step records to steps.jsonl; call it from the one thread that uses <paramref name="writer"/>.</summary>
    public int WriteSteps(RunRecordWriter writer)
    {
        var steps = TakeSteps();
        foreach (var step in steps)
            writer.WriteStep(step);
        writer.Flush();
        return steps.Count;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
                return;
            _disposed = true;
            Monitor.PulseAll(_lock);
        }
        _thread.Join();
    }

    /// <summary>A deterministic prompt of <paramref name="length"/> tokens for a request that brought none, seeded by its id.</summary>
    public static int[] SyntheticPrompt(string requestId, int length, int vocab)
    {
        // FNV-1a: string.GetHashCode differs between processes, and runs must be reproducible.
        var seed = 2166136261u;
        foreach (var c in requestId)
            seed = (seed ^ c) * 16777619u;
        var random = new Random((int)seed);
        var prompt = new int[Math.Max(0, length)];
        for (var i = 0; i < prompt.Length; i++)
            prompt[i] = random.Next(vocab);
        return prompt;
    }

    private void Loop()
    {
        while (true)
        {
            List<Pending> admitted;
            List<Pending> cancelled;
            lock (_lock)
            {
                while (true)
                {
                    if (_disposed)
                    {
                        ShutDown();
                        return;
                    }
                    cancelled = TakeCancelled();
                    admitted = Admit(out var waitSeconds);
                    if (cancelled.Count > 0 || admitted.Count > 0 || _running.Count > 0)
                        break;
                    if (waitSeconds is { } w)
                        Monitor.Wait(_lock, TimeSpan.FromSeconds(Math.Clamp(w, 0.0005, 1.0)));
                    else
                        Monitor.Wait(_lock);
                }
            }
            foreach (var p in cancelled)
                Finish(p, RequestStatus.Cancelled, "cancelled by the caller");
            foreach (var p in admitted)
                p.Sequence = _engine.OpenSequence(p.Prompt);
            if (_running.Count > 0)
                Step();
        }
    }

    /// <summary>Under the lock: removes cancelled requests from the queue and the batch (the latter are closed by the caller).</summary>
    private List<Pending> TakeCancelled()
    {
        var cancelled = new List<Pending>();
        if (_waiting.Any(p => p.Cancelled))
        {
            var keep = _waiting.Where(p => !p.Cancelled).ToList();
            cancelled.AddRange(_waiting.Where(p => p.Cancelled));
            _waiting.Clear();
            foreach (var p in keep)
                _waiting.Enqueue(p);
        }
        for (var i = _running.Count - 1; i >= 0; i--)
        {
            if (_running[i].Cancelled)
            {
                cancelled.Add(_running[i]);
                _running.RemoveAt(i);
            }
        }
        return cancelled;
    }

    /// <summary>Under the lock: moves waiting requests into the batch as the mode allows; else says how long until a static batch times out.</summary>
    private List<Pending> Admit(out double? waitSeconds)
    {
        waitSeconds = null;
        var admitted = new List<Pending>();
        if (_options.Mode == BatchingMode.Static)
        {
            if (_running.Count > 0 || _waiting.Count == 0)
                return admitted;
            var due = _waiting.Peek().TSubmit + _options.BatchTimeoutSeconds - _clock.Now;
            if (_waiting.Count < _options.MaxBatch && due > 0)
            {
                waitSeconds = due;
                return admitted;
            }
        }
        while (_running.Count < _options.MaxBatch && _waiting.Count > 0)
        {
            var p = _waiting.Dequeue();
            _running.Add(p);
            admitted.Add(p);
        }
        return admitted;
    }

    /// <summary>One scheduler iteration: a prefill step for sequences still in their prompt, then a decode step for the rest.</summary>
    private void Step()
    {
        List<Pending> batch;
        lock (_lock)
            batch = [.. _running];
        try
        {
            PrefillStep(batch);
            DecodeStep(batch);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A failed step fails the running batch, not the run: the serving runner counts these requests against the error budget.
            foreach (var p in batch)
                Finish(p, RequestStatus.Error, $"engine step failed: {e.Message}");
        }
    }

    private void PrefillStep(List<Pending> batch)
    {
        var budget = _options.PrefillChunkTokens ?? int.MaxValue;
        var touched = new List<(Pending Request, int? First)>();
        var tokens = 0;
        var context = 0;
        var start = _clock.Now;
        foreach (var p in batch)
        {
            if (budget == 0)
                break;
            if (p.Prefilled == p.Prompt.Length)
                continue;
            var n = Math.Min(budget, p.Prompt.Length - p.Prefilled);
            var first = _engine.PrefillSequence(p.Sequence!.Value, n);
            p.Prefilled += n;
            budget -= n;
            tokens += n;
            context = Math.Max(context, p.Prefilled);
            touched.Add((p, first));
        }
        if (touched.Count == 0)
            return;
        var end = _clock.Now;
        Record(Phase.Prefill, touched.Count, context, tokens, start, end);
        foreach (var (p, first) in touched)
        {
            if (first is null)
                continue;
            p.Chunks.Add(new Chunk(end, 1));
            if (p.Chunks.Count >= p.Request.OutputTokens)
                Finish(p, RequestStatus.Ok, null);
        }
    }

    private void DecodeStep(List<Pending> batch)
    {
        var decoding = batch.Where(p => p.Prefilled == p.Prompt.Length && p.Chunks.Count > 0 && p.Chunks.Count < p.Request.OutputTokens && !p.Finished).ToList();
        if (decoding.Count == 0)
            return;
        var start = _clock.Now;
        var output = _engine.DecodeSequences([.. decoding.Select(p => p.Sequence!.Value)]);
        var end = _clock.Now;
        var context = decoding.Max(p => p.Prompt.Length + p.Chunks.Count);
        Record(Phase.Decode, decoding.Count, context, decoding.Count, start, end, output.DeviceSeconds);
        foreach (var p in decoding)
        {
            p.Chunks.Add(new Chunk(end, 1));
            if (p.Chunks.Count >= p.Request.OutputTokens)
                Finish(p, RequestStatus.Ok, null);
        }
    }

    private void Record(string phase, int batch, int context, int tokens, double start, double end, double? deviceSeconds = null)
    {
        lock (_lock)
        {
            _steps.Add(new StepRecord
            {
                Point = _point,
                Warmup = _warmup,
                Phase = phase,
                Batch = batch,
                Context = context,
                Tokens = tokens,
                TStart = start,
                TEnd = end,
                DeviceS = deviceSeconds,
            });
        }
    }

    /// <summary>Scheduler thread: takes the request out of the batch, frees its sequence and hands the outcome to its caller.</summary>
    private void Finish(Pending p, string status, string? error)
    {
        if (p.Finished)
            return;
        p.Finished = true;
        lock (_lock)
            _running.Remove(p);
        if (p.Sequence is { } sequence)
            _engine.CloseSequence(sequence);
        p.Registration.Dispose();
        p.Done.TrySetResult(new RequestOutcome
        {
            TSubmit = p.TSubmit,
            Chunks = p.Chunks,
            InputTokens = p.Prompt.Length,
            OutputTokens = p.Chunks.Count,
            Status = status,
            Error = error,
        });
    }

    /// <summary>Under the lock, on disposal: every request not yet finished ends cancelled.</summary>
    private void ShutDown()
    {
        foreach (var p in _waiting.Concat(_running).ToList())
        {
            p.Finished = true;
            if (p.Sequence is { } sequence)
                _engine.CloseSequence(sequence);
            p.Done.TrySetResult(new RequestOutcome { TSubmit = p.TSubmit, Chunks = p.Chunks, InputTokens = p.Prompt.Length, OutputTokens = p.Chunks.Count, Status = RequestStatus.Cancelled, Error = "the scheduler was shut down" });
        }
        _waiting.Clear();
        _running.Clear();
    }

    private sealed class Pending(ServingRequest request, int[] prompt, double submit)
    {
        public ServingRequest Request { get; } = request;
        public int[] Prompt { get; } = prompt;
        public double TSubmit { get; } = submit;
        public TaskCompletionSource<RequestOutcome> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public List<Chunk> Chunks { get; } = [];
        public SequenceId? Sequence { get; set; }
        public int Prefilled { get; set; }
        public bool Finished { get; set; }
        /// <summary>Set by the caller's token from any thread; read under the scheduler's lock.</summary>
        public bool Cancelled { get; set; }
        public CancellationTokenRegistration Registration { get; set; }
    }
}
