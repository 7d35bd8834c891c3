using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SiliconBench.Testing.Servers;

/// <summary>
/// llama.cpp's <c>llama-server</c>, the real inference server the serving tests run against, started as a process
/// on a loopback port it picks itself (<c>--port 0</c>). The binary is the one <c>scripts/build-llama-server.sh</c>
/// builds from the commit <c>scripts/llama-server.pin</c> names, in <c>$SILICONBENCH_CACHE</c> (default
/// <c>~/.cache/siliconbench</c>)<c>/llama.cpp/&lt;commit&gt;/bin/</c>; <c>SILICONBENCH_LLAMA_SERVER</c> names another.
/// </summary>
public sealed partial class LlamaServer : IAsyncDisposable
{
    public const string BinaryVariable = "SILICONBENCH_LLAMA_SERVER";

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private LlamaServer(Process process) => _process = process;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Everything the server printed so far (for failure messages and its own per-request log).</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>The binary, or why there is none (the tests that need it skip with that reason).</summary>
    public static (string? Path, string? Missing) Locate()
    {
        if (Environment.GetEnvironmentVariable(BinaryVariable) is { Length: > 0 } named)
            return File.Exists(named) ? (named, null) : (null, $"{BinaryVariable}={named} does not exist");
        var root = RepositoryRoot();
        if (root is null)
            return (null, "repository root (SiliconBench.sln) not found above the test binaries");
        var pin = File.ReadAllLines(Path.Combine(root, "scripts", "llama-server.pin"));
        var commit = pin.Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("commit=", StringComparison.Ordinal))?["commit=".Length..];
        if (string.IsNullOrEmpty(commit))
            return (null, "scripts/llama-server.pin names no commit");
        var cache = Environment.GetEnvironmentVariable("SILICONBENCH_CACHE") is { Length: > 0 } c
            ? c
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "siliconbench");
        var path = Path.Combine(cache, "llama.cpp", commit, "bin", "llama-server");
        return File.Exists(path)
            ? (path, null)
            : (null, $"llama-server is not built ({path} is missing): run scripts/build-llama-server.sh (the test command does)");
    }

    /// <summary>The pinned commit's build record (package, commit, build time), for reports.</summary>
    public static string? BuildInfo(string binary)
    {
        var file = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(binary)!)!, "BUILD");
        return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
    }

    /// <summary>
    /// Starts the server on <paramref name="model"/> with <paramref name="slots"/> parallel slots and waits until it
    /// answers <c>/health</c>. Throws when it exits or does not become ready; the message holds its output.
    /// </summary>
    public static async Task<LlamaServer> StartAsync(string binary, string model, string alias, int slots, IEnumerable<string>? extraArguments, CancellationToken cancel)
    {
        var start = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        string[] arguments =
        [
            "-m", model, "--alias", alias, "--host", "127.0.0.1", "--port", "0",
            "--parallel", slots.ToString(CultureInfo.InvariantCulture),
            // Enough context for every slot's longest request; one thread each for the two cores' other user, the client.
            "--ctx-size", (slots * 1024).ToString(CultureInfo.InvariantCulture), "--threads", "1", "--threads-batch", "1",
            "--no-webui", "--log-timestamps",
        ];
        foreach (var a in arguments.Concat(extraArguments ?? []))
            start.ArgumentList.Add(a);
        var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {binary}");
        var server = new LlamaServer(process);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitReadyAsync(cancel).ConfigureAwait(false);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }
        _process.Dispose();
    }

    private async Task WaitReadyAsync(CancellationToken cancel)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        Uri? url = null;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"llama-server exited with code {_process.ExitCode} before it was ready:\n{Output}");
            if (url is null && ListeningLine().Match(Output) is { Success: true } m)
                url = new Uri($"http://127.0.0.1:{m.Groups[1].Value}/");
            if (url is not null)
            {
                try
                {
                    using var response = await http.GetAsync(new Uri(url, "health"), cancel).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        BaseUrl = url;
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                }
                catch (TaskCanceledException) when (!cancel.IsCancellationRequested)
                {
                }
            }
            await Task.Delay(100, cancel).ConfigureAwait(false);
        }
        throw new TimeoutException($"llama-server was not ready within 60 s:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            _output.AppendLine(line);
    }

    private static string? RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SiliconBench.sln")))
                return dir.FullName;
        }
        return null;
    }

    [GeneratedRegex(@"listening on http://127\.0\.0\.1:(\d+)")]
    private static partial Regex ListeningLine();
}
