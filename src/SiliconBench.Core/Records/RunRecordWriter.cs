using System.Globalization;
using System.Text;
using System.Text.Json;
using SiliconBench.Diagnostics;
using SiliconBench.Telemetry;

namespace SiliconBench.Records;

/// <summary>
/// Writes a run record as it is measured. The manifest is written first, marked incomplete, and
/// rewritten complete only at the end; jsonl files are flushed after every batch, so a run cut off by
/// Ctrl-C, a dead server or a full disk still leaves a readable record of everything measured so far.
/// </summary>
public sealed class RunRecordWriter : ITelemetrySink, IDisposable
{
    private readonly StreamWriter _requests;
    private readonly StreamWriter _steps;
    private readonly StreamWriter _telemetry;
    private readonly List<WindowRecord> _windows = [];
    private readonly Lock _telemetryLock = new();
    private readonly StringBuilder _line = new();
    private bool _disposed;

    private RunRecordWriter(string directory, StreamWriter requests, StreamWriter steps, StreamWriter telemetry)
    {
        Directory = directory;
        _requests = requests;
        _steps = steps;
        _telemetry = telemetry;
    }

    public string Directory { get; }

    /// <summary>Creates the run directory and its files; an unwritable location is a user error, reported before anything runs.</summary>
    public static RunRecordWriter Create(string directory)
    {
        try
        {
            System.IO.Directory.CreateDirectory(directory);
            if (System.IO.Directory.EnumerateFileSystemEntries(directory).Any())
                throw new InputException(directory, null, "--output", "the run directory already exists and is not empty; choose another --run-id");
            var requests = Open(Path.Combine(directory, RunFiles.Requests));
            var steps = Open(Path.Combine(directory, RunFiles.Steps));
            var telemetry = Open(Path.Combine(directory, RunFiles.Telemetry));
            telemetry.Write(RunFiles.TelemetryHeader + "\n");
            telemetry.Flush();
            return new RunRecordWriter(directory, requests, steps, telemetry);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new InputException(directory, null, "--output", $"cannot write the run record here: {e.Message}", e);
        }
    }

    private static StreamWriter Open(string path) =>
        new(new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 16), new UTF8Encoding(false)) { NewLine = "\n" };

    public void WriteManifest(RunManifest manifest) => WriteManifest(Directory, manifest);

    /// <summary>Writes (or rewrites) a run directory's manifest.json; write-then-rename so a reader never sees half a manifest.</summary>
    public static void WriteManifest(string runDirectory, RunManifest manifest)
    {
        var path = Path.Combine(runDirectory, RunFiles.Manifest);
        var temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(manifest, RecordJsonContext.Indented.RunManifest) + "\n", new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }

    public void WriteRequest(RequestRecord record) =>
        _requests.Write(JsonSerializer.Serialize(record, RecordJsonContext.Compact.RequestRecord) + "\n");

    public void WriteStep(StepRecord record) =>
        _steps.Write(JsonSerializer.Serialize(record, RecordJsonContext.Compact.StepRecord) + "\n");

    public void AddWindow(WindowRecord window) => _windows.Add(window);

    /// <summary>Called from sampler threads.</summary>
    public void Write(TelemetrySample sample)
    {
        lock (_telemetryLock)
        {
            if (_disposed)
                return;
            _line.Clear();
            _line.Append(sample.T.ToString("R", CultureInfo.InvariantCulture)).Append(',')
                .Append(sample.Sensor).Append(',')
                .Append(sample.Quantity).Append(',')
                .Append(sample.Value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            _telemetry.Write(_line);
        }
    }

    /// <summary>Pushes everything written so far to disk (after each batch).</summary>
    public void Flush()
    {
        _requests.Flush();
        _steps.Flush();
        lock (_telemetryLock)
            _telemetry.Flush();
    }

    /// <summary>Writes windows.jsonl: the windows known so far, whether or not the run finished.</summary>
    public void WriteWindows()
    {
        var sb = new StringBuilder();
        foreach (var w in _windows)
            sb.Append(JsonSerializer.Serialize(w, RecordJsonContext.Compact.WindowRecord)).Append('\n');
        File.WriteAllText(Path.Combine(Directory, RunFiles.Windows), sb.ToString(), new UTF8Encoding(false));
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _requests.Dispose();
        _steps.Dispose();
        lock (_telemetryLock)
        {
            _disposed = true;
            _telemetry.Dispose();
        }
    }
}
