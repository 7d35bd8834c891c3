using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using SiliconBench.Analysis;
using SiliconBench.Records;
using SiliconBench.Running;
using SiliconBench.Serving;

namespace SiliconBench.Benchmarks.Serving;

/// <summary>
/// End-to-end load-generator ceiling: the real <see cref="ServingRunner"/> + <see cref="OpenAiEndpoint"/> drive a
/// loopback SSE fixture closed loop over HTTP/1.1. Reports chunks/s received, the streams the server and the client
/// held at once, the harness's added latency per chunk (the runner's recorded arrival time minus the server's send
/// time, both on CLOCK_MONOTONIC and converted with <see cref="MonotonicClock.ToRunSeconds"/>), and the CPU the
/// client and the server each spent per chunk.
/// </summary>
/// <remarks>
/// Usage: see <see cref="Usage"/>. The default fixture is <see cref="RawSseServer"/> in its own process
/// (<c>--server-cpus</c> pins it with taskset; pin the client by starting the harness itself under taskset).
/// </remarks>
internal static class LoadgenHarness
{
    private const string Usage = "usage: loadgen [--streams 1,100,1000,5000] [--chunks 64] [--seconds 5] [--interval-ms 0] [--ramp 1] [--server raw|raw-inprocess|kestrel] [--transport tcp|unix] [--server-cpus LIST] [--backlog 8192] [--min-threads N] [--io-queues N] [--inline-server]";

    public static async Task<int> RunAsync(string[] args)
    {
        int[] streams = [1, 100, 1000, 5000];
        var chunks = 64;
        var seconds = 5.0;
        var intervalMs = 0.0;
        var backlog = 8192;
        var rampSeconds = 1.0;
        var serverKind = "raw";
        var transport = "tcp";
        string? serverCpus = null;
        int? ioQueues = null;
        var minThreads = 0;
        var inline = false;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--inline-server")
            {
                inline = true;
                continue;
            }
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--streams":
                    streams = value.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
                    break;
                case "--chunks":
                    chunks = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--seconds":
                    seconds = double.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--interval-ms":
                    intervalMs = double.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--ramp":
                    rampSeconds = double.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--server" when value is "raw" or "raw-inprocess" or "kestrel":
                    serverKind = value;
                    break;
                case "--transport" when value is "tcp" or "unix":
                    transport = value;
                    break;
                case "--server-cpus":
                    serverCpus = value;
                    break;
                case "--io-queues":
                    ioQueues = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--min-threads":
                    minThreads = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "--backlog":
                    backlog = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                default:
                    Console.Error.WriteLine($"unknown option {args[i]} {value}; {Usage}");
                    return 2;
            }
            i++;
        }
        if (serverCpus is not null && serverKind != "raw")
        {
            Console.Error.WriteLine("--server-cpus pins the server's own process: it needs --server raw");
            return 2;
        }
        if (transport == "unix" && serverKind == "kestrel")
        {
            Console.Error.WriteLine("--transport unix needs a raw server (--server raw or raw-inprocess)");
            return 2;
        }
        var unixSocket = transport == "unix" ? Path.Combine(Path.GetTempPath(), $"sb-loadgen-{Environment.ProcessId}.sock") : null;

        if (minThreads > 0)
            ThreadPool.SetMinThreads(minThreads, minThreads);
        var clock = new MonotonicClock();
        var interval = TimeSpan.FromMilliseconds(intervalMs);
        await using ILoadgenFixture server = serverKind switch
        {
            "raw" => await ServerProcessFixture.StartAsync(intervalMs, backlog, serverCpus, unixSocket).ConfigureAwait(false),
            "raw-inprocess" => new InProcessRawFixture(new RawSseServer(interval, backlog, unixSocket)),
            _ => await LoadgenServer.StartAsync(interval, backlog, ioQueues, inline).ConfigureAwait(false),
        };
        var clockCheck = server is ServerProcessFixture separate
            ? await separate.CheckClockAsync().ConfigureAwait(false) is { } width
                ? string.Create(CultureInfo.InvariantCulture, $"the server's stamps fall inside the client's request brackets (narrowest {width:0} µs): one clock")
                : "FAILED: a server stamp fell outside the client's bracket; added latency is meaningless"
            : "one process, one clock";
        var options = new OpenAiEndpointOptions
        {
            BaseUrl = server.BaseUrl,
            UnixSocketPath = server.UnixSocketPath,
            Model = "loadgen",
            ApiKeyVariable = "SB_LOADGEN_NO_KEY",
            SendMinTokens = false,
            IgnoreEos = false,
            RequestTimeout = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(30),
        };
        using var handler = OpenAiEndpoint.CreateHandler(options);
        using var endpoint = new OpenAiEndpoint(options, handler);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"loadgen: {Environment.ProcessorCount} cores; client process {Environment.ProcessId} on cores {Pinning.Of(Environment.ProcessId)}; {chunks} chunks/request; interval {intervalMs} ms; {seconds} s per point, first {rampSeconds} s ramp-up (not counted)"));
        Console.WriteLine($"server: {server.Description}; {clockCheck}");
        Console.WriteLine($"client runtime: GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} {(Environment.GetEnvironmentVariable("DOTNET_gcConcurrent") == "0" ? "non-concurrent" : "concurrent")}; {Knobs()}; MaxConnectionsPerServer={(handler.MaxConnectionsPerServer == int.MaxValue ? "unbounded" : handler.MaxConnectionsPerServer.ToString(CultureInfo.InvariantCulture))}; fd limit {FdLimit()}; somaxconn {ReadTrimmed("/proc/sys/net/core/somaxconn")}");
        Console.WriteLine($"load average before the run: {ReadTrimmed("/proc/loadavg")} (other processes on the machine skew every figure; per-core busy comes from /proc/stat, indicative only in a VM)");
        Console.WriteLine("added = ServingRunner's recorded chunk time - server send time; CPU columns: % of one core over the counted window, and µs per chunk received; interval 0 saturates (sends outrun reads, so added latency there is queueing in socket buffers, not harness cost)");
        Console.WriteLine();
        Console.WriteLine("| streams | interval | chunks/s received | server max in flight | client max open | added p50 | added p90 | added p99 | added max | requests ok/failed | client CPU (user+sys) | client µs/chunk | server CPU | server µs/chunk | core busy (softirq) | deferred sends | alloc B/chunk (gen0 GCs, pause) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|");

        var nextKey = 0;
        var countedRamp = 0.0;
        foreach (var n in streams)
        {
            countedRamp = n > 1 ? rampSeconds : 0;
            var observer = new Observer(clock, server.ServerProcess);
            var plan = new ServingPlan
            {
                Points = [new ServingPoint { Id = $"c{n}", Kind = LoadKind.ClosedLoop, Concurrency = n, DurationSeconds = seconds, RampUpSeconds = countedRamp }],
                // The key rides in the prompt and returns as usage.prompt_tokens, i.e. as the record's input tokens.
                Requests = _ => new ServingRequestSpec(1, chunks) { PromptText = Interlocked.Increment(ref nextKey).ToString(CultureInfo.InvariantCulture) },
                WarmupRequests = n,
                WarmupConcurrency = n,
                ErrorBudget = ErrorBudget.Unlimited,
            };
            var dir = Path.Combine(Path.GetTempPath(), $"sb-loadgen-{Environment.ProcessId}-{n}-{Guid.NewGuid():N}");
            try
            {
                using (var writer = RunRecordWriter.Create(dir))
                {
                    var runner = new ServingRunner(clock, observer);
                    var run = runner.RunAsync(endpoint, plan, writer, CancellationToken.None);
                    await observer.SampleCpuAsync(countedRamp, seconds).ConfigureAwait(false);
                    await run.ConfigureAwait(false);
                }
            }
            finally
            {
                try
                {
                    Directory.Delete(dir, recursive: true);
                }
                catch (IOException)
                {
                }
            }
            var log = await server.CollectAsync().ConfigureAwait(false);
            var r = observer.Summarize(log, countedRamp, seconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {n} | {intervalMs} ms | {r.ChunksPerSecond:N0} | {r.ServerMaxInFlight} | {r.ClientMaxOpen} | {Ms(r.P50)} | {Ms(r.P90)} | {Ms(r.P99)} | {Ms(r.Max)} | {r.Ok}/{r.Failed} | {r.ClientCpu.User + r.ClientCpu.Sys:P0} = {r.ClientCpu.User:P0} + {r.ClientCpu.Sys:P0} | {PerChunk(r.ClientCpu, r.ChunksPerSecond)} | {(r.ServerCpu is { } s ? $"{s.User + s.Sys:P0} = {s.User:P0} + {s.Sys:P0}" : "in client")} | {(r.ServerCpu is { } sc ? PerChunk(sc, r.ChunksPerSecond) : "-")} | {observer.CoreBusy} | {log.DeferredSends} | {observer.AllocatedBytes / (r.ChunksPerSecond * (seconds - countedRamp)):0} ({observer.Gen0Collections}, {observer.GcPause.TotalMilliseconds:0} ms) |"));
            if (r.FirstError is { } error)
                Console.WriteLine($"  first failure: {error}");
            if (log.DroppedStreams > 0)
                Console.WriteLine($"  the server dropped {log.DroppedStreams} streams in all so far (connection gone before the last chunk)");
        }
        return 0;
    }

    private static string PerChunk((double User, double Sys) cpu, double chunksPerSecond) =>
        string.Create(CultureInfo.InvariantCulture, $"{(cpu.User + cpu.Sys) / chunksPerSecond * 1e6:0.00}");

    private static string Ms(double seconds) => double.IsNaN(seconds) ? "-" : seconds * 1e3 < 1
        ? string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e6:0.0} µs")
        : string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e3:0.00} ms");

    private static string Knobs()
    {
        string[] names = ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT", "DOTNET_ThreadPool_UsePortableThreadPool", "DOTNET_TieredPGO", "DOTNET_gcServer"];
        var set = names.Where(n => Environment.GetEnvironmentVariable(n) is not null).Select(n => $"{n}={Environment.GetEnvironmentVariable(n)}").ToList();
        return set.Count == 0 ? "no socket/runtime knobs set" : string.Join(' ', set);
    }

    private static string FdLimit()
    {
        try
        {
            var line = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal));
            return line is null ? "?" : string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(3).Take(2)) + " (soft hard)";
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static string ReadTrimmed(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private sealed record Summary(double ChunksPerSecond, int ServerMaxInFlight, int ClientMaxOpen, double P50, double P90, double P99, double Max, int Ok, int Failed, (double User, double Sys) ClientCpu, (double User, double Sys)? ServerCpu, string? FirstError);

    /// <summary>Collects the runner's records (cheaply: one queue add per request) and the measured point's start.</summary>
    private sealed class Observer(MonotonicClock clock, Process? serverProcess) : IServingObserver
    {
        private readonly ConcurrentQueue<RequestRecord> _records = new();
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private double _pointStart = double.NaN;
        private (double User, double Sys) _clientCpu;
        private (double User, double Sys)? _serverCpu;

        /// <summary>Per core over the counted window: busy fraction (all processes) and, in brackets, softirq, where loopback TCP is mostly charged.</summary>
        public string CoreBusy { get; private set; } = "?";

        /// <summary>Bytes the client process allocated over the counted window (the server's too when it runs in-process).</summary>
        public long AllocatedBytes { get; private set; }

        public int Gen0Collections { get; private set; }

        /// <summary>Time the client's threads were paused by the GC over the counted window.</summary>
        public TimeSpan GcPause { get; private set; }

        public void PointStarted(ServingPoint point, bool warmup, int index, int count)
        {
            if (warmup)
                return;
            _pointStart = clock.Now;
            _started.TrySetResult();
        }

        /// <summary>Process CPU (user and kernel, as fractions of one core) over the counted window only.</summary>
        public async Task SampleCpuAsync(double ramp, double seconds)
        {
            await _started.Task.ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, _pointStart + ramp - clock.Now))).ConfigureAwait(false);
            var (client0, server0, cores0, t0) = (Cpu(Process.GetCurrentProcess()), serverProcess is null ? default : Cpu(serverProcess), CoreJiffies(), clock.Now);
            var (allocated0, collections0, pause0) = (GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), GC.GetTotalPauseDuration());
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, _pointStart + seconds - clock.Now))).ConfigureAwait(false);
            var (client1, server1, cores1, t1) = (Cpu(Process.GetCurrentProcess()), serverProcess is null ? default : Cpu(serverProcess), CoreJiffies(), clock.Now);
            (AllocatedBytes, Gen0Collections, GcPause) = (GC.GetTotalAllocatedBytes() - allocated0, GC.CollectionCount(0) - collections0, GC.GetTotalPauseDuration() - pause0);
            var span = t1 - t0;
            _clientCpu = ((client1.User - client0.User) / span, (client1.Sys - client0.Sys) / span);
            if (serverProcess is not null)
                _serverCpu = ((server1.User - server0.User) / span, (server1.Sys - server0.Sys) / span);
            if (cores0.Count == cores1.Count && cores0.Count > 0)
            {
                CoreBusy = string.Join(", ", cores0.Zip(cores1, (a, b) =>
                {
                    var total = (double)(b.Total - a.Total);
                    return string.Create(CultureInfo.InvariantCulture, $"cpu{a.Core} {1 - (b.Idle - a.Idle) / total:P0} ({(b.SoftIrq - a.SoftIrq) / total:P0})");
                }));
            }

            static (double User, double Sys) Cpu(Process process)
            {
                process.Refresh();
                return (process.UserProcessorTime.TotalSeconds, process.PrivilegedProcessorTime.TotalSeconds);
            }
        }

        private static List<(int Core, long Total, long Idle, long SoftIrq)> CoreJiffies()
        {
            var cores = new List<(int, long, long, long)>();
            try
            {
                foreach (var line in File.ReadLines("/proc/stat"))
                {
                    if (!line.StartsWith("cpu", StringComparison.Ordinal) || line.Length < 4 || !char.IsAsciiDigit(line[3]))
                        continue;
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    var f = parts.Skip(1).Take(8).Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();
                    // user nice system idle iowait irq softirq steal
                    cores.Add((int.Parse(parts[0].AsSpan(3), CultureInfo.InvariantCulture), f.Sum(), f[3] + f[4], f[6]));
                }
            }
            catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
            {
                cores.Clear();
            }
            return cores;
        }

        public void RequestFinished(RequestRecord record) => _records.Enqueue(record);

        public Summary Summarize(FixtureLog log, double ramp, double seconds)
        {
            // Throughput and latency count chunks that arrived after the ramp-up and before the point stopped issuing.
            var windowStart = _pointStart + ramp;
            var windowEnd = _pointStart + seconds;
            var sendsByKey = new Dictionary<int, long[]>(log.Served.Count);
            var serverSpans = new List<(double T, int Delta)>();
            foreach (var served in log.Served)
            {
                sendsByKey[served.Key] = served.Sends;
                var (accepted, done) = (clock.ToRunSeconds(served.Accepted), clock.ToRunSeconds(served.Done));
                AddClipped(serverSpans, accepted, done, windowStart, windowEnd);
            }
            var added = new List<double>();
            var clientSpans = new List<(double T, int Delta)>();
            long inWindow = 0;
            int ok = 0, failed = 0;
            string? firstError = null;
            foreach (var record in _records)
            {
                if (record.Warmup)
                    continue;
                if (record.Status == RequestStatus.Ok)
                {
                    ok++;
                }
                else
                {
                    failed++;
                    firstError ??= $"{record.Status}: {record.Error}";
                }
                if (record.TEnd is { } end)
                    AddClipped(clientSpans, record.TSubmit, end, windowStart, windowEnd);
                // A failed request carries no server count, so no key.
                if (record.InputTokens is not { } key || !sendsByKey.TryGetValue(key, out var sends))
                    continue;
                var chunks = record.Chunks;
                for (var j = 0; j < chunks.Count && j < sends.Length; j++)
                {
                    var t = chunks[j].T;
                    if (t < windowStart || t > windowEnd)
                        continue;
                    inWindow++;
                    added.Add(t - clock.ToRunSeconds(sends[j]));
                }
            }
            added.Sort();
            double Q(double percent) => added.Count == 0 ? double.NaN : Statistics.Percentile(added, percent);
            return new Summary(inWindow / (seconds - ramp), MostAtOnce(serverSpans), MostAtOnce(clientSpans), Q(50), Q(90), Q(99), Q(100), ok, failed, _clientCpu, _serverCpu, firstError);
        }

        private static void AddClipped(List<(double T, int Delta)> spans, double start, double end, double windowStart, double windowEnd)
        {
            if (end < windowStart || start > windowEnd)
                return;
            spans.Add((Math.Max(start, windowStart), 1));
            spans.Add((Math.Min(end, windowEnd), -1));
        }

        /// <summary>The most intervals open at once (an end sorts before a start at the same time).</summary>
        private static int MostAtOnce(List<(double T, int Delta)> spans)
        {
            spans.Sort((a, b) => a.T != b.T ? a.T.CompareTo(b.T) : a.Delta.CompareTo(b.Delta));
            int open = 0, most = 0;
            foreach (var (_, delta) in spans)
                most = Math.Max(most, open += delta);
            return most;
        }
    }
}
