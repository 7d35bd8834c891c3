using System.Diagnostics;
using System.Globalization;
using SiliconBench.Serving;

namespace SiliconBench.Benchmarks.Serving;

/// <summary>What a fixture server logged since the last collection; stamps are raw <see cref="Stopwatch"/> timestamps.</summary>
internal sealed record FixtureLog(long DeferredSends, long DroppedStreams, List<ServedRequest> Served);

/// <summary>A loopback SSE server the load generator is measured against.</summary>
internal interface ILoadgenFixture : IAsyncDisposable
{
    Uri BaseUrl { get; }

    /// <summary>The Unix socket the server listens on instead of a loopback TCP port; null over TCP.</summary>
    string? UnixSocketPath => null;

    /// <summary>One line for the report: which server, where it runs, on which cores.</summary>
    string Description { get; }

    /// <summary>The server's own process when it runs apart from the client, so its CPU can be read separately.</summary>
    Process? ServerProcess { get; }

    Task<FixtureLog> CollectAsync();
}

/// <summary>The body of every token chunk both fixtures send: shaped like a vLLM completion chunk.</summary>
internal static class LoadgenChunks
{
    public const string TokenEvent = "data: {\"id\":\"cmpl-loadgen\",\"object\":\"text_completion\",\"created\":1732430000,\"model\":\"loadgen\",\"choices\":[{\"index\":0,\"text\":\" tok\",\"logprobs\":null,\"finish_reason\":null,\"stop_reason\":null}],\"usage\":null}\n\n";

    public const string FinishEvent = "data: {\"id\":\"cmpl-loadgen\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\"\",\"finish_reason\":\"length\"}]}\n\n";

    public const string DoneEvent = "data: [DONE]\n\n";

    /// <summary>The usage event; the request's key returns as <c>prompt_tokens</c>, i.e. as the record's input tokens.</summary>
    public static string UsageEvent(int key, int tokens) =>
        string.Create(CultureInfo.InvariantCulture, $"data: {{\"choices\":[],\"usage\":{{\"prompt_tokens\":{key},\"completion_tokens\":{tokens},\"total_tokens\":{(long)key + tokens}}}}}\n\n");
}

/// <summary>The raw server in this process (server and client share the process and its cores).</summary>
internal sealed class InProcessRawFixture(RawSseServer server) : ILoadgenFixture
{
    public Uri BaseUrl => server.BaseUrl;

    public string? UnixSocketPath => server.UnixSocketPath;

    public string Description => $"raw-socket server in the client's process, {server.Address}";

    public Process? ServerProcess => null;

    public Task<FixtureLog> CollectAsync() => Task.FromResult(new FixtureLog(server.DeferredSends, server.DroppedStreams, server.DrainServed()));

    public ValueTask DisposeAsync()
    {
        server.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// The raw server in its own process (<c>loadgen-server</c>), optionally pinned with <c>taskset</c>, so its CPU is
/// counted apart from the client's. It lives as long as its stdin: the harness's end, or crash, ends it.
/// </summary>
internal sealed class ServerProcessFixture : ILoadgenFixture
{
    private readonly Process _process;
    private readonly HttpClient _control;

    private ServerProcessFixture(Process process, Uri baseUrl, string? unixSocketPath, string description)
    {
        _process = process;
        BaseUrl = baseUrl;
        UnixSocketPath = unixSocketPath;
        Description = description;
        var handler = new SocketsHttpHandler();
        if (unixSocketPath is not null)
            handler.ConnectCallback = (_, cancel) => OpenAiEndpoint.ConnectUnixAsync(unixSocketPath, cancel);
        _control = new HttpClient(handler) { BaseAddress = baseUrl, Timeout = TimeSpan.FromMinutes(1) };
    }

    public Uri BaseUrl { get; }

    public string? UnixSocketPath { get; }

    public string Description { get; }

    public Process? ServerProcess => _process;

    public static async Task<ServerProcessFixture> StartAsync(double intervalMs, int backlog, string? cpus, string? unixSocketPath = null)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("no process path to start the server with");
        var start = new ProcessStartInfo { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (cpus is not null)
        {
            start.FileName = "taskset";
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(cpus);
            start.ArgumentList.Add(self);
        }
        else
        {
            start.FileName = self;
        }
        // Run as `dotnet X.dll`, the host needs the assembly; as the apphost, it is the program itself.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, typeof(ServerProcessFixture).Assembly.GetName().Name + ".dll"));
        foreach (var arg in (string[])["loadgen-server", "--interval-ms", intervalMs.ToString("R", CultureInfo.InvariantCulture), "--backlog", backlog.ToString(CultureInfo.InvariantCulture)])
            start.ArgumentList.Add(arg);
        if (unixSocketPath is not null)
        {
            start.ArgumentList.Add("--unix-socket");
            start.ArgumentList.Add(unixSocketPath);
        }
        var process = Process.Start(start) ?? throw new InvalidOperationException("the server process did not start");
        var line = await process.StandardOutput.ReadLineAsync().ConfigureAwait(false);
        const string Prefix = "listening ";
        if (line is null || !line.StartsWith(Prefix, StringComparison.Ordinal))
            throw new InvalidOperationException($"the server process said {line ?? "nothing"} instead of its address");
        var address = line[Prefix.Length..];
        var url = unixSocketPath is null ? new Uri(address) : RawSseServer.UnixBaseUrl;
        var pinning = Pinning.Of(process.Id);
        return new ServerProcessFixture(process, url, unixSocketPath, $"raw-socket server in process {process.Id} (cores {pinning}), {address}");
    }

    public async Task<FixtureLog> CollectAsync()
    {
        var body = await _control.GetByteArrayAsync(new Uri(RawSseServer.SendsPath, UriKind.Relative)).ConfigureAwait(false);
        var (deferred, dropped, served) = RawSseServer.DecodeServed(body);
        return new FixtureLog(deferred, dropped, served);
    }

    /// <summary>
    /// Checks that the server's timestamps are on the client's clock: a stamp the server takes while answering
    /// must fall between the client's stamps before and after the request. Returns the narrowest bracket in µs, or
    /// null when the stamp falls outside it (the clocks differ, and added latency cannot be measured).
    /// </summary>
    public async Task<double?> CheckClockAsync()
    {
        double? narrowest = null;
        for (var i = 0; i < 5; i++)
        {
            var before = Stopwatch.GetTimestamp();
            var text = await _control.GetStringAsync(new Uri(RawSseServer.ClockPath, UriKind.Relative)).ConfigureAwait(false);
            var after = Stopwatch.GetTimestamp();
            var server = long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
            if (server < before || server > after)
                return null;
            narrowest = Math.Min(narrowest ?? double.MaxValue, Stopwatch.GetElapsedTime(before, after).TotalMicroseconds);
        }
        return narrowest;
    }

    public async ValueTask DisposeAsync()
    {
        _control.Dispose();
        _process.StandardInput.Close();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
        }
        _process.Dispose();
    }

    /// <summary>The <c>loadgen-server</c> subcommand: serve until stdin closes.</summary>
    public static async Task<int> ServeAsync(string[] args)
    {
        var intervalMs = 0.0;
        var backlog = 8192;
        string? unixSocket = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--unix-socket":
                    unixSocket = args[i + 1];
                    break;
                case "--interval-ms":
                    intervalMs = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--backlog":
                    backlog = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                default:
                    await Console.Error.WriteLineAsync($"unknown option {args[i]}; usage: loadgen-server [--interval-ms 0] [--backlog 8192] [--unix-socket PATH]").ConfigureAwait(false);
                    return 2;
            }
        }
        using var server = new RawSseServer(TimeSpan.FromMilliseconds(intervalMs), backlog, unixSocket);
        Console.WriteLine($"listening {server.Address}");
        Console.Out.Flush();
        using var stdin = Console.OpenStandardInput();
        var sink = new byte[256];
        while (await stdin.ReadAsync(sink).ConfigureAwait(false) > 0)
        {
        }
        return 0;
    }
}

/// <summary>Reads which cores a process may run on (<c>Cpus_allowed_list</c>), as taskset set them.</summary>
internal static class Pinning
{
    public static string Of(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
            return line?["Cpus_allowed_list:".Length..].Trim() ?? "?";
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
