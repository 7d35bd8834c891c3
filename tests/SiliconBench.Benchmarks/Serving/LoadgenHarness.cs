using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using SiliconBench.Records;
using SiliconBench.Running;
using SiliconBench.Serving;

namespace SiliconBench.Benchmarks.Serving;

/// <summary>
/// End-to-end load-generator ceiling: the real <see cref="ServingRunner"/> + <see cref="OpenAiEndpoint"/> drive
/// the in-process <see cref="LoadgenServer"/> closed loop over loopback HTTP/1.1. Reports chunks/s received,
/// the most streams the server held at once, and the harness's added latency per chunk (the runner's recorded
/// arrival time minus the server's send time, both read from the same <see cref="MonotonicClock"/>).
/// </summary>
/// <remarks>
/// Usage: <c>loadgen [--streams 1,100,1000,5000] [--chunks 64] [--seconds 5] [--interval-ms 0] [--ramp 1] [--backlog 8192] [--io-queues N] [--min-threads N] [--inline-server]</c>.
/// Server and client share the machine's cores, so every figure is a lower bound on the client alone.
/// </remarks>
internal static class LoadgenHarness
{
    public static async Task<int> RunAsync(string[] args)
    {
        int[] streams = [1, 100, 1000, 5000];
        var chunks = 64;
        var seconds = 5.0;
        var intervalMs = 0.0;
        var backlog = 8192;
        var rampSeconds = 1.0;
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
                    Console.Error.WriteLine($"unknown option {args[i]}; usage: loadgen [--streams 1,100,1000,5000] [--chunks 64] [--seconds 5] [--interval-ms 0] [--ramp 1] [--backlog 8192] [--io-queues N] [--min-threads N] [--inline-server]");
                    return 2;
            }
            i++;
        }

        if (minThreads > 0)
            ThreadPool.SetMinThreads(minThreads, minThreads);
        var clock = new MonotonicClock();
        await using var server = await LoadgenServer.StartAsync(clock, backlog, ioQueues, inline).ConfigureAwait(false);
        server.Interval = TimeSpan.FromMilliseconds(intervalMs);
        var options = new OpenAiEndpointOptions
        {
            BaseUrl = server.BaseUrl,
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
            $"loadgen: {Environment.ProcessorCount} cores shared by server and client; server {server.BaseUrl} HTTP/1.1; {chunks} chunks/request; interval {intervalMs} ms; {seconds} s per point, first {rampSeconds} s ramp-up (not counted); GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}"));
        Console.WriteLine($"client handler: MaxConnectionsPerServer={(handler.MaxConnectionsPerServer == int.MaxValue ? "unbounded" : handler.MaxConnectionsPerServer.ToString(CultureInfo.InvariantCulture))}; fd limit: {FdLimit()}; somaxconn: {Somaxconn()}; Kestrel backlog {backlog}, inline sends {inline}; DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS={Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") ?? "unset"}");
        Console.WriteLine($"load average before the run: {LoadAverage()} (other processes on the machine skew every figure; see the machine-busy column, read from /proc/stat, which in a VM is indicative only)");
        Console.WriteLine("added = ServingRunner's recorded chunk time - server send time, same MonotonicClock; interval 0 saturates (sends outrun reads, so added latency there is queueing in socket buffers, not harness cost)");
        Console.WriteLine();
        Console.WriteLine("| streams | interval | chunks/s received | server max in flight | client max open | added p50 | added p90 | added p99 | added max | requests ok/failed | CPU busy user+sys (of all cores) | CPU µs per chunk | machine busy (softirq) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");

        var nextKey = 0;
        foreach (var n in streams)
        {
            var observer = new Observer(clock, server);
            var plan = new ServingPlan
            {
                Points = [new ServingPoint { Id = $"c{n}", Kind = LoadKind.ClosedLoop, Concurrency = n, DurationSeconds = seconds, RampUpSeconds = n > 1 ? rampSeconds : 0 }],
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
                    await observer.SampleCpuAsync(n > 1 ? rampSeconds : 0, seconds).ConfigureAwait(false);
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
            var result = observer.Summarize(n > 1 ? rampSeconds : 0, seconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {n} | {intervalMs} ms | {result.ChunksPerSecond:N0} | {result.MaxInFlight} | {result.ClientMaxOpen} | {Ms(result.P50)} | {Ms(result.P90)} | {Ms(result.P99)} | {Ms(result.Max)} | {result.Ok}/{result.Failed} | {result.CpuUser + result.CpuSys:P0} = {result.CpuUser:P0} + {result.CpuSys:P0} | {(result.CpuUser + result.CpuSys) * Environment.ProcessorCount / result.ChunksPerSecond * 1e6:0.0} | {observer.MachineBusy:P0} ({observer.MachineSoftIrq:P0}) |"));
            if (result.FirstError is { } error)
                Console.WriteLine($"  first failure: {error}");
            server.Sends.Clear();
        }
        return 0;
    }

    private static string Ms(double seconds) => seconds * 1e3 < 1
        ? string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e6:0.0} µs")
        : string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e3:0.00} ms");

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

    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static string Somaxconn()
    {
        try
        {
            return File.ReadAllText("/proc/sys/net/core/somaxconn").Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private sealed record Summary(double ChunksPerSecond, int MaxInFlight, int ClientMaxOpen, double P50, double P90, double P99, double Max, int Ok, int Failed, double CpuUser, double CpuSys, string? FirstError);

    /// <summary>Collects the runner's records (cheaply: one queue add per request) and the measured point's start.</summary>
    private sealed class Observer(ITimeSource clock, LoadgenServer server) : IServingObserver
    {
        private readonly ConcurrentQueue<RequestRecord> _records = new();
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private double _pointStart = double.NaN;
        private double _cpuUser;
        private double _cpuSys;

        /// <summary>Whole machine (every process, and softirq, where loopback TCP is mostly charged) busy fraction over the window.</summary>
        public double MachineBusy { get; private set; } = double.NaN;

        public double MachineSoftIrq { get; private set; } = double.NaN;

        private static (long Total, long Idle, long SoftIrq)? MachineJiffies()
        {
            try
            {
                var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
                // user nice system idle iowait irq softirq steal ...
                return (fields.Take(8).Sum(), fields[3] + fields[4], fields[6]);
            }
            catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
            {
                return null;
            }
        }

        public void PointStarted(ServingPoint point, bool warmup, int index, int count)
        {
            if (warmup)
                return;
            server.ResetMaxInFlight();
            _pointStart = clock.Now;
            _started.TrySetResult();
        }

        /// <summary>Process CPU (user and kernel, as fractions of all cores) over the counted window only.</summary>
        public async Task SampleCpuAsync(double ramp, double seconds)
        {
            await _started.Task.ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, _pointStart + ramp - clock.Now))).ConfigureAwait(false);
            var (user0, sys0, t0) = Cpu();
            var machine0 = MachineJiffies();
            await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, _pointStart + seconds - clock.Now))).ConfigureAwait(false);
            var (user1, sys1, t1) = Cpu();
            var machine1 = MachineJiffies();
            var capacity = (t1 - t0) * Environment.ProcessorCount;
            _cpuUser = (user1 - user0) / capacity;
            _cpuSys = (sys1 - sys0) / capacity;
            if (machine0 is { } m0 && machine1 is { } m1 && m1.Total > m0.Total)
            {
                MachineBusy = 1 - (double)(m1.Idle - m0.Idle) / (m1.Total - m0.Total);
                MachineSoftIrq = (double)(m1.SoftIrq - m0.SoftIrq) / (m1.Total - m0.Total);
            }

            (double User, double Sys, double T) Cpu()
            {
                using var process = Process.GetCurrentProcess();
                return (process.UserProcessorTime.TotalSeconds, process.PrivilegedProcessorTime.TotalSeconds, clock.Now);
            }
        }

        public void RequestFinished(RequestRecord record) => _records.Enqueue(record);

        public Summary Summarize(double ramp, double seconds)
        {
            var maxInFlight = server.MaxInFlight;
            // Throughput and latency count chunks that arrived after the ramp-up and before the point stopped issuing.
            var windowStart = _pointStart + ramp;
            var windowEnd = _pointStart + seconds;
            var added = new List<double>();
            var opens = new List<(double T, int Delta)>();
            long inWindow = 0;
            int ok = 0, failed = 0;
            string? firstError = null;
            foreach (var record in _records)
            {
                server.Sends.TryRemove(record.InputTokens, out var sends);
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
                {
                    opens.Add((record.TSubmit, 1));
                    opens.Add((end, -1));
                }
                if (sends is null)
                    continue;
                var chunks = record.Chunks;
                for (var j = 0; j < chunks.Count && j < sends.Length; j++)
                {
                    var t = chunks[j].T;
                    if (t < windowStart || t > windowEnd)
                        continue;
                    inWindow++;
                    added.Add(t - sends[j]);
                }
            }
            added.Sort();
            // Streams the client had open at once: submitted and not yet at their last chunk (ends sort before starts at a tie).
            opens.Sort((a, b) => a.T != b.T ? a.T.CompareTo(b.T) : a.Delta.CompareTo(b.Delta));
            int open = 0, clientMax = 0;
            foreach (var (_, delta) in opens)
                clientMax = Math.Max(clientMax, open += delta);
            double Q(double q) => added.Count == 0 ? double.NaN : added[Math.Min(added.Count - 1, (int)(q * added.Count))];
            return new Summary(inWindow / (seconds - ramp), maxInFlight, clientMax, Q(0.5), Q(0.9), Q(0.99), added.Count == 0 ? double.NaN : added[^1], ok, failed, _cpuUser, _cpuSys, firstError);
        }
    }
}
