using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using SiliconBench.Records;
using SiliconBench.Running;

namespace SiliconBench.Telemetry;

public enum CommandUnit
{
    /// <summary>The number is power in watts (written as power_w).</summary>
    Watts,
    /// <summary>The number is a cumulative energy counter in joules (written as energy_j).</summary>
    Joules,
}

/// <summary>
/// Any external reader (ipmitool, amd-smi, hl-smi, a PDU script): run periodically, or once as a stream
/// whose every output line is a reading. The first capture group of <see cref="Pattern"/> is the number.
/// The scope is what the user declares; the harness cannot check it.
/// </summary>
public sealed class CommandSampler : SamplerBase
{
    /// <summary>A periodic command that takes longer than this is killed and the sampler faults.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    private readonly SensorInfo[] _sensors;

    public CommandSampler(string sensorId, string scope, CommandUnit unit, Regex pattern, string commandLine, TimeSpan interval, bool stream)
        : base("command")
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        SensorId = sensorId;
        Scope = scope;
        Unit = unit;
        Pattern = pattern;
        CommandLine = commandLine;
        Interval = interval;
        Stream = stream;
        var method = unit == CommandUnit.Joules ? "command energy counter" : "command power (integrated)";
        _sensors = [new SensorInfo(sensorId, scope, method) { IntervalS = interval.TotalSeconds, Device = commandLine }];
    }

    public string SensorId { get; }
    public string Scope { get; }
    public CommandUnit Unit { get; }
    public Regex Pattern { get; }
    public string CommandLine { get; }
    public TimeSpan Interval { get; }
    public bool Stream { get; }

    public override IReadOnlyList<SensorInfo> Sensors => _sensors;

    private string Quantity => Unit == CommandUnit.Joules ? Quantities.EnergyJ : Quantities.PowerW;

    /// <summary>Parses one output text; null when the pattern does not match (a stream's other lines).</summary>
    public double? Parse(string output)
    {
        var m = Pattern.Match(output);
        if (!m.Success || m.Groups.Count < 2)
            return null;
        var text = m.Groups[1].Value.Trim();
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v
            : throw new FormatException($"'{text}' captured by the pattern is not a number");
    }

    private ProcessStartInfo StartInfo()
    {
        var psi = OperatingSystem.IsWindows()
            ? new ProcessStartInfo("cmd.exe") { ArgumentList = { "/c", CommandLine } }
            : new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", CommandLine } };
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        return psi;
    }

    protected override void Run(ITimeSource clock, ITelemetrySink sink, CancellationToken stop)
    {
        if (Stream)
            RunStream(clock, sink, stop);
        else
            RunPeriodic(clock, sink, stop);
    }

    /// <summary>Runs the command once and returns its reading (one periodic tick).</summary>
    internal double ReadOnce()
    {
        using var p = Process.Start(StartInfo()) ?? throw new InvalidOperationException($"could not start: {CommandLine}");
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(CommandTimeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{CommandLine}' did not finish within {CommandTimeout.TotalSeconds} s");
        }
        var output = stdout.GetAwaiter().GetResult();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"'{CommandLine}' exited with {p.ExitCode}: {stderr.GetAwaiter().GetResult().Trim()}");
        return Parse(output) ?? throw new FormatException($"the output of '{CommandLine}' did not match the pattern {Pattern}: {Truncate(output)}");
    }

    private static string Truncate(string s) => s.Length > 200 ? s[..200] + "…" : s.Trim();

    private void RunPeriodic(ITimeSource clock, ITelemetrySink sink, CancellationToken stop)
    {
        var start = Stopwatch.GetTimestamp();
        long tick = 0;
        do
        {
            // Why: the reading belongs to the moment the command ran, not when its output was parsed.
            var t = clock.Now;
            var value = ReadOnce();
            sink.Write(new TelemetrySample(t, SensorId, Quantity, value));
            tick++;
            var due = Interval * tick - Stopwatch.GetElapsedTime(start);
            if (due < TimeSpan.Zero)
            {
                tick += (long)Math.Ceiling(-due / Interval);
                due = Interval * tick - Stopwatch.GetElapsedTime(start);
            }
            if (stop.WaitHandle.WaitOne(due > TimeSpan.Zero ? due : TimeSpan.Zero))
                return;
        }
        while (true);
    }

    private void RunStream(ITimeSource clock, ITelemetrySink sink, CancellationToken stop)
    {
        using var p = Process.Start(StartInfo()) ?? throw new InvalidOperationException($"could not start: {CommandLine}");
        p.ErrorDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        using var kill = stop.Register(() =>
        {
            try
            {
                p.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already exited.
            }
        });
        while (p.StandardOutput.ReadLine() is { } line)
        {
            var t = clock.Now;
            if (Parse(line) is { } value)
                sink.Write(new TelemetrySample(t, SensorId, Quantity, value));
        }
        if (stop.IsCancellationRequested)
            return;
        p.WaitForExit();
        throw new InvalidOperationException($"the stream command '{CommandLine}' ended (exit code {p.ExitCode}) before the run did");
    }
}
