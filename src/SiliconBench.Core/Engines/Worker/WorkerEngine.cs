using System.Text.Json;
using SiliconBench.Records;
using SiliconBench.Running;

namespace SiliconBench.Engines.Worker;

/// <summary>
/// An engine run by an external worker process over the JSON-lines protocol of workers/PROTOCOL.md, for
/// accelerators whose SDK is Python-only. The worker times each step on its device (synchronized) and
/// reports it as <see cref="StepOutput.DeviceSeconds"/>; the runner still times the whole call on its clock.
/// A crash, hang or protocol breach becomes <see cref="EngineFailureException"/> whose message ends with the
/// worker's last stderr lines; <see cref="StderrTail"/> keeps more of it for the run record.
/// </summary>
public sealed class WorkerEngine : IEngine
{
    private readonly WorkerProcess _process;
    private readonly TimeSpan _stepTimeout;
    private int _batchSize;
    private bool _batchStarted;

    internal WorkerEngine(WorkerProcess process, BackendInfo backend, ModelInfo model, TimeSpan stepTimeout)
    {
        _process = process;
        Backend = backend;
        Model = model;
        _stepTimeout = stepTimeout;
    }

    public BackendInfo Backend { get; }

    public ModelInfo Model { get; }

    /// <summary>The last 64 KiB of the worker's stderr (its log), e.g. for <c>worker.stderr.log</c> in the run record.</summary>
    public string StderrTail => _process.StderrTail;

    /// <summary>The worker's process id (for diagnostics and tests).</summary>
    public int ProcessId => _process.Id;

    public StepOutput Prefill(IReadOnlyList<int[]> prompts)
    {
        ArgumentOutOfRangeException.ThrowIfZero(prompts.Count, nameof(prompts));
        _batchStarted = true;
        _batchSize = prompts.Count;
        var answer = _process.Request("prefill", _stepTimeout, json =>
        {
            json.WriteStartArray("prompts");
            foreach (var prompt in prompts)
            {
                json.WriteStartArray();
                foreach (var token in prompt)
                    json.WriteNumberValue(token);
                json.WriteEndArray();
            }
            json.WriteEndArray();
        });
        return ReadStep("prefill", answer);
    }

    public StepOutput Decode()
    {
        if (_batchSize == 0)
            throw new InvalidOperationException("Decode needs a batch: call Prefill first.");
        return ReadStep("decode", _process.Request("decode", _stepTimeout));
    }

    /// <summary>
    /// Frees the batch on the worker. Never throws: the runner calls it in a <c>finally</c> after failures too,
    /// and a worker that cannot end a batch is already faulted, so the next step reports it.
    /// </summary>
    public void EndBatch()
    {
        var started = _batchStarted;
        _batchStarted = false;
        _batchSize = 0;
        if (!started || _process.Fault is not null)
            return;
        try
        {
            _process.Request("end_batch", _stepTimeout);
        }
        catch (EngineFailureException)
        {
            // Recorded as the process fault when it is one; an error answer leaves the worker usable.
        }
    }

    /// <summary>
    /// The device's own ceilings, measured by the worker where the model runs (device memory read bandwidth and
    /// dense GEMM in the model's dtype), so decode and prefill are judged against the accelerator, not the host.
    /// </summary>
    public RooflineInfo MeasureRoofline()
    {
        var answer = _process.Request("roofline", _stepTimeout);
        double Number(string name) =>
            answer.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.GetDouble() > 0
                ? v.GetDouble()
                : throw _process.ProtocolViolation("roofline", $"the answer has no positive '{name}'");
        string Text(string name) =>
            answer.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
                ? v.GetString()!
                : throw _process.ProtocolViolation("roofline", $"the answer has no '{name}' text");
        return new RooflineInfo
        {
            MemoryBandwidthGBs = Number("memory_bandwidth_gbs"),
            GemmGflops = Number("gemm_gflops"),
            Device = Text("device"),
            Method = Text("method"),
        };
    }

    public void Dispose() => _process.Dispose();

    private StepOutput ReadStep(string command, JsonElement answer)
    {
        if (!answer.TryGetProperty("tokens", out var tokens) || tokens.ValueKind != JsonValueKind.Array)
            throw _process.ProtocolViolation(command, "the answer has no 'tokens' array");
        if (tokens.GetArrayLength() != _batchSize)
            throw _process.ProtocolViolation(command, $"{tokens.GetArrayLength()} tokens for a batch of {_batchSize}");
        var result = new int[_batchSize];
        var i = 0;
        foreach (var token in tokens.EnumerateArray())
        {
            if (token.ValueKind != JsonValueKind.Number || !token.TryGetInt32(out result[i++]))
                throw _process.ProtocolViolation(command, $"token {token.GetRawText()} is not an integer");
        }

        double? deviceSeconds = null;
        if (answer.TryGetProperty("device_s", out var device) && device.ValueKind != JsonValueKind.Null)
        {
            if (device.ValueKind != JsonValueKind.Number || device.GetDouble() is var s && (!double.IsFinite(s) || s < 0))
                throw _process.ProtocolViolation(command, $"device_s {device.GetRawText()} is not a non-negative number of seconds");
            deviceSeconds = device.GetDouble();
        }
        return new StepOutput(result, deviceSeconds);
    }
}
