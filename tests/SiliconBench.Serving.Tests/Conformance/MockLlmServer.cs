using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace SiliconBench.Tests.Conformance;

/// <summary>
/// <c>@dwmkerr/mock-llm</c>, an OpenAI-compatible mock server we did not write, started as a process on a free
/// loopback port with a rules file. Found via <c>SILICONBENCH_MOCK_LLM_DIR</c> (the package folder), else
/// <c>.ci/node_modules/@dwmkerr/mock-llm</c> of the repository (installed by <c>.ci/run</c>), else <c>mock-llm</c>
/// on PATH. When it cannot be found or started the test fails with the reason, or is skipped when
/// <c>SILICONBENCH_SKIP_MOCK_LLM=1</c>.
/// </summary>
public sealed class MockLlmServer : IAsyncDisposable
{
    public const string DirectoryVariable = "SILICONBENCH_MOCK_LLM_DIR";
    public const string SkipVariable = "SILICONBENCH_SKIP_MOCK_LLM";

    private readonly Process _process;
    private readonly StringBuilder _output;
    private readonly string _configPath;

    private MockLlmServer(Process process, StringBuilder output, string configPath, Uri baseUrl)
    {
        _process = process;
        _output = output;
        _configPath = configPath;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>What the server printed so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    public static async Task<MockLlmServer> StartAsync(string configYaml, CancellationToken cancel)
    {
        var (fileName, arguments, reason) = Locate();
        if (fileName is null)
            Unavailable(reason!);
        var configPath = Path.Combine(Path.GetTempPath(), "sb-mock-llm-" + Guid.NewGuid().ToString("N") + ".yaml");
        await File.WriteAllTextAsync(configPath, configYaml, cancel);
        var port = FreePort();
        var start = new ProcessStartInfo(fileName!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var a in arguments)
            start.ArgumentList.Add(a);
        start.ArgumentList.Add("--config");
        start.ArgumentList.Add(configPath);
        start.Environment["HOST"] = "127.0.0.1";
        start.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var output = new StringBuilder();
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            File.Delete(configPath);
            Unavailable($"cannot start {fileName}: {e.Message}");
            throw;
        }
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new MockLlmServer(process, output, configPath, new Uri($"http://127.0.0.1:{port}/"));
        try
        {
            await server.WaitHealthyAsync(cancel);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }
        _process.Dispose();
        File.Delete(_configPath);
    }

    private async Task WaitHealthyAsync(CancellationToken cancel)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                Unavailable($"mock-llm exited with code {_process.ExitCode} before it was ready: {Output}");
            try
            {
                using var response = await http.GetAsync(new Uri(BaseUrl, "health"), cancel);
                if (response.StatusCode == HttpStatusCode.OK)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancel.IsCancellationRequested)
            {
            }
            await Task.Delay(100, cancel);
        }
        Unavailable($"mock-llm did not answer /health within 30 s: {Output}");
    }

    /// <summary>The command that runs the server: node with the package's entry point, or the mock-llm bin.</summary>
    private static (string? FileName, string[] Arguments, string? Reason) Locate()
    {
        var tried = new List<string>();
        var fromVariable = Environment.GetEnvironmentVariable(DirectoryVariable);
        var repo = RepositoryRoot();
        foreach (var dir in new[] { fromVariable, repo is null ? null : Path.Combine(repo, ".ci", "node_modules", "@dwmkerr", "mock-llm") })
        {
            if (string.IsNullOrEmpty(dir))
                continue;
            var main = Path.Combine(dir, "dist", "main.js");
            if (File.Exists(main))
            {
                return FindOnPath("node") is { } node
                    ? (node, [main], null)
                    : (null, [], $"found {main} but no node on PATH to run it");
            }
            tried.Add(main);
        }
        if (FindOnPath("mock-llm") is { } bin)
            return (bin, [], null);
        tried.Add("mock-llm on PATH");
        return (null, [], $"@dwmkerr/mock-llm not found (tried {string.Join(", ", tried)}); run .ci/run or `cd .ci && npm install --no-save --prefix . @dwmkerr/mock-llm`, or set {DirectoryVariable}");
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

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(p => Path.Combine(p, name))
            .FirstOrDefault(File.Exists);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
            return;
        lock (output)
            output.AppendLine(line);
    }

    private static void Unavailable(string reason)
    {
        if (Environment.GetEnvironmentVariable(SkipVariable) == "1")
            Assert.Skip($"{reason} ({SkipVariable}=1)");
        Assert.Fail($"{reason} (set {SkipVariable}=1 to skip)");
    }
}
