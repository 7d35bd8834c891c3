using System.Buffers;
using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using SiliconBench.Running;

namespace SiliconBench.Engines.Worker;

/// <summary>
/// One worker process and its pipes (workers/PROTOCOL.md): a request is one JSON line on stdin, its answer one
/// JSON line on stdout within a deadline; stderr is a free-form log of which the tail is kept. A crash (exit or
/// closed stdout), a hang (no answer in time) or a line that is not JSON faults the process for good: it is
/// killed and every later request fails with the same message. An <c>{"error": …}</c> answer fails only that
/// request, since the worker is still alive and in step.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    /// <summary>How much of stderr is kept: enough for a Python traceback and the log lines before it.</summary>
    public const int StderrLimitChars = 64 * 1024;

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(2);
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private readonly Process _process;
    private readonly Stream _stdin;
    private readonly StreamReader _stdout;
    private readonly Task _stderrPump;
    private readonly BoundedText _stderr = new(StderrLimitChars);
    private readonly ArrayBufferWriter<byte> _requestBuffer = new(4096);
    private Task<string?>? _pendingLine;
    private bool _disposed;

    private WorkerProcess(Process process)
    {
        _process = process;
        _stdin = process.StandardInput.BaseStream;
        _stdout = process.StandardOutput;
        var stderr = process.StandardError;
        _stderrPump = Task.Run(async () =>
        {
            while (await stderr.ReadLineAsync().ConfigureAwait(false) is { } line)
                _stderr.AppendLine(line);
        });
    }

    public int Id => _process.Id;

    /// <summary>The last 64 KiB of what the worker wrote to stderr so far.</summary>
    public string StderrTail => _stderr.ToString();

    /// <summary>Why the process is unusable (crashed, hung, out of protocol), or null while it is healthy.</summary>
    public string? Fault { get; private set; }

    /// <summary>Starts the worker. A program that cannot be started is the user's mistake in <c>command</c>.</summary>
    public static WorkerProcess Start(WorkerCommand command)
    {
        var info = new ProcessStartInfo
        {
            FileName = command.FileName,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = Utf8NoBom,
            StandardOutputEncoding = Utf8NoBom,
            StandardErrorEncoding = Utf8NoBom,
        };
        foreach (var argument in command.Arguments)
            info.ArgumentList.Add(argument);
        // Why: a Python worker's log then reaches us line by line, so a crash report holds its last lines.
        info.Environment["PYTHONUNBUFFERED"] = "1";
        info.Environment["PYTHONIOENCODING"] = "utf-8";
        try
        {
            var process = Process.Start(info) ?? throw new Win32Exception("the process did not start");
            return new WorkerProcess(process);
        }
        catch (Win32Exception e)
        {
            throw new WorkerStartException($"cannot start worker '{command}': {e.Message}");
        }
    }

    /// <summary>
    /// Sends <c>{"cmd": command, …fields}</c> and waits up to <paramref name="timeout"/> for the answer.
    /// Returns the answer object; throws <see cref="EngineFailureException"/> for an error answer or a fault.
    /// </summary>
    public JsonElement Request(string command, TimeSpan timeout, Action<Utf8JsonWriter>? writeFields = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Fault is not null)
            throw new EngineFailureException(Fault);

        _requestBuffer.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(_requestBuffer))
        {
            json.WriteStartObject();
            json.WriteString("cmd", command);
            writeFields?.Invoke(json);
            json.WriteEndObject();
        }
        try
        {
            _stdin.Write(_requestBuffer.WrittenSpan);
            _stdin.Write(NewLine);
            _stdin.Flush();
        }
        catch (IOException)
        {
            throw Die(ExitedOrClosed(command));
        }

        _pendingLine ??= _stdout.ReadLineAsync();
        bool answered;
        try
        {
            answered = _pendingLine.Wait(timeout);
        }
        catch (AggregateException)
        {
            throw Die(ExitedOrClosed(command));
        }
        if (!answered)
            throw Die($"worker gave no answer to '{command}' within {timeout.TotalSeconds:0.###} s (hung?); it was killed");
        var line = _pendingLine.Result;
        _pendingLine = null;
        if (line is null)
            throw Die(ExitedOrClosed(command));

        JsonElement answer;
        try
        {
            using var document = JsonDocument.Parse(line);
            answer = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw Die($"worker answered '{command}' with a line that is not JSON: {Excerpt(line)}");
        }
        if (answer.ValueKind != JsonValueKind.Object)
            throw Die($"worker answered '{command}' with JSON that is not an object: {Excerpt(line)}");
        if (answer.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
        {
            var text = error.ValueKind == JsonValueKind.String ? error.GetString() : error.GetRawText();
            SettleStderr();
            throw new EngineFailureException(WithStderr($"worker reported an error in '{command}': {text}"));
        }
        return answer;
    }

    /// <summary>Marks the worker out of protocol (the answer was unusable) and kills it.</summary>
    public EngineFailureException ProtocolViolation(string command, string problem) => Die($"worker broke the protocol in '{command}': {problem}");

    /// <summary>Asks a healthy worker to shut down; kills it if it does not exit within a grace period, or was faulted.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        if (Fault is null && !_process.HasExited)
        {
            try
            {
                Request("shutdown", ExitGrace);
            }
            catch (EngineFailureException)
            {
                // Killed below: shutting down is best effort.
            }
        }
        _disposed = true;
        if (!_process.WaitForExit(Fault is null ? ExitGrace : TimeSpan.Zero))
            Kill();
        _process.WaitForExit(ExitGrace);
        _stderrPump.Wait(ExitGrace);
        _process.Dispose();
    }

    private string ExitedOrClosed(string command) =>
        _process.WaitForExit(ExitGrace)
            ? $"worker exited with code {_process.ExitCode} during '{command}'"
            : $"worker closed its stdout during '{command}'; it was killed";

    private EngineFailureException Die(string reason)
    {
        Kill();
        // Why: the stderr pump may still hold the last lines (the traceback); give it a moment to reach EOF.
        _stderrPump.Wait(ExitGrace);
        Fault = WithStderr(reason);
        return new EngineFailureException(Fault);
    }

    /// <summary>
    /// Waits (briefly, error path only) until stderr has been quiet for a moment: stderr and stdout are separate
    /// pipes, so the log lines a worker wrote just before its error answer may still be in flight.
    /// </summary>
    private void SettleStderr()
    {
        var seen = _stderr.LinesAppended;
        for (var i = 0; i < 20; i++)
        {
            Thread.Sleep(50);
            var now = _stderr.LinesAppended;
            if (now == seen && i >= 1)
                return;
            seen = now;
        }
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
            // Why: the kill is a signal; wait until the process is reaped, so it is truly gone when we return.
            _process.WaitForExit(ExitGrace);
        }
        catch (InvalidOperationException)
        {
            // Exited between the check and the kill.
        }
        catch (Win32Exception)
        {
        }
    }

    private string WithStderr(string message)
    {
        var tail = _stderr.LastLines(20);
        return tail.Length == 0 ? $"{message} (worker stderr is empty)" : $"{message}\n--- last lines of worker stderr ---\n{tail}";
    }

    private static string Excerpt(string line) => line.Length <= 200 ? $"'{line}'" : $"'{line[..200]}…' ({line.Length} chars)";
}

/// <summary>The worker program could not be started at all (not found, not executable).</summary>
internal sealed class WorkerStartException(string message) : Exception(message);
