using System.Globalization;
using System.Text.Json;
using SiliconBench.Diagnostics;
using SiliconBench.Records;
using SiliconBench.Running;

namespace SiliconBench.Engines.Worker;

/// <summary>
/// The <c>worker</c> backend: starts the worker command, greets it (<c>hello</c>), loads the model
/// (<c>load</c>) and hands back a <see cref="WorkerEngine"/>. <see cref="EngineRequest.ModelSpec"/> is a
/// checkpoint directory in Hugging Face layout (config.json + *.safetensors); device and dtype pass through.
/// Options: <c>command</c> (default <c>python3 &lt;repo&gt;/workers/pytorch/worker.py</c> when that file is
/// found), <c>startup_timeout_s</c> (default 300: covers hello and load), <c>step_timeout_s</c> (default 120).
/// </summary>
public sealed class WorkerEngineFactory : IEngineFactory
{
    public const string FactoryId = "worker";
    public const int ProtocolVersion = 1;
    public const string CommandOption = "command";
    public const string StartupTimeoutOption = "startup_timeout_s";
    public const string StepTimeoutOption = "step_timeout_s";
    public const double DefaultStartupTimeoutSeconds = 300;
    public const double DefaultStepTimeoutSeconds = 120;

    /// <summary>Where a worker that ships with the repository lives, relative to the repository root.</summary>
    public static readonly string ReferenceWorkerPath = Path.Combine("workers", "pytorch", "worker.py");

    private const string OptionsSource = "options of backend 'worker'";
    private static readonly string[] KnownOptions = [CommandOption, StartupTimeoutOption, StepTimeoutOption];

    private readonly string? _referenceWorker;

    /// <param name="referenceWorker">The reference worker script; null finds it above the app and the current directory.</param>
    public WorkerEngineFactory(string? referenceWorker = null)
    {
        _referenceWorker = referenceWorker ?? FindReferenceWorker();
    }

    public string Id => FactoryId;

    /// <summary>The command used when the <c>command</c> option is absent, or null when no reference worker was found.</summary>
    public WorkerCommand? DefaultCommand =>
        _referenceWorker is null ? null : new WorkerCommand(OperatingSystem.IsWindows() ? "python" : "python3", [_referenceWorker]);

    /// <summary>
    /// Says whether the default worker can be started, without starting it: which devices a worker offers is
    /// only known once it runs (it reports them in <c>hello</c>), so <see cref="EngineAvailability.Devices"/> is empty.
    /// </summary>
    public EngineAvailability Check()
    {
        var version = $"protocol {ProtocolVersion}";
        if (DefaultCommand is not { } command || !File.Exists(_referenceWorker))
            return EngineAvailability.Unavailable(Id, $"no reference worker ({ReferenceWorkerPath}) found; set backend option '{CommandOption}'");
        if (FindOnPath(command.FileName) is null)
            return EngineAvailability.Unavailable(Id, $"'{command.FileName}' is not on PATH; set backend option '{CommandOption}'");
        return new EngineAvailability(Id, true, version, [], null);
    }

    public IEngine Create(EngineRequest request)
    {
        var options = request.Options;
        foreach (var key in options.Keys)
        {
            if (!KnownOptions.Contains(key, StringComparer.Ordinal))
                throw new InputException(OptionsSource, null, key, $"unknown option; the worker backend knows {string.Join(", ", KnownOptions)}");
        }
        var command = ParseCommand(options);
        var startupTimeout = ParseSeconds(options, StartupTimeoutOption, DefaultStartupTimeoutSeconds);
        var stepTimeout = ParseSeconds(options, StepTimeoutOption, DefaultStepTimeoutSeconds);

        // A synthetic model is materialized once in the cache (the same files every engine loads) and handed over as a directory.
        const string synthetic = "synthetic:";
        var modelDir = request.ModelSpec.StartsWith(synthetic, StringComparison.Ordinal)
            ? Models.SyntheticCheckpoint.GetOrCreate(request.ModelSpec[synthetic.Length..], request.Dtype ?? "bf16", request.Seed, request.CacheDirectory, request.Log)
            : Path.GetFullPath(request.ModelSpec);
        if (!File.Exists(Path.Combine(modelDir, "config.json")))
            throw new InputException(request.ModelSpec, null, "model",
                "the worker backend needs a checkpoint directory in Hugging Face layout (config.json + *.safetensors); no config.json there");

        request.Log?.Invoke($"starting worker: {command}");
        WorkerProcess process;
        try
        {
            process = WorkerProcess.Start(command);
        }
        catch (WorkerStartException e)
        {
            throw new InputException(OptionsSource, null, CommandOption, e.Message, e);
        }

        try
        {
            var hello = process.Request("hello", startupTimeout);
            var protocol = hello.TryGetProperty("protocol", out var p) && p.TryGetInt32(out var v) ? v : 0;
            if (protocol != ProtocolVersion)
                throw process.ProtocolViolation("hello", $"it speaks protocol {protocol}, this build speaks {ProtocolVersion}");
            var workerName = Text(hello, "worker") ?? "worker";
            var workerVersion = Text(hello, "version") ?? "?";
            var framework = Text(hello, "framework");

            request.Log?.Invoke($"worker {workerName} {workerVersion} loading {modelDir} on {request.Device}");
            var loaded = process.Request("load", startupTimeout, json =>
            {
                json.WriteString("model_dir", modelDir);
                json.WriteString("device", request.Device);
                if (request.Dtype is null)
                    json.WriteNull("dtype");
                else
                    json.WriteString("dtype", request.Dtype);
                json.WriteNumber("seed", request.Seed);
            });
            if (!loaded.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
                throw process.ProtocolViolation("load", "the answer has no 'model' object");

            var backendOptions = new SortedDictionary<string, string>(StringComparer.Ordinal) { [CommandOption] = command.ToString() };
            foreach (var (key, value) in options)
                backendOptions[key] = value;
            var backend = new BackendInfo
            {
                Id = Id,
                Version = framework is null ? $"{workerName} {workerVersion}" : $"{workerName} {workerVersion} ({framework})",
                Device = Text(loaded, "device") ?? request.Device,
                Options = backendOptions,
            };
            return new WorkerEngine(process, backend, ReadModel(process, request.ModelSpec, modelDir, model), stepTimeout);
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    private WorkerCommand ParseCommand(IReadOnlyDictionary<string, string> options)
    {
        if (!options.TryGetValue(CommandOption, out var text))
            return DefaultCommand ?? throw new InputException(OptionsSource, null, CommandOption,
                $"no worker command given and no reference worker ({ReferenceWorkerPath}) found above {AppContext.BaseDirectory} or the current directory");
        try
        {
            return WorkerCommand.Parse(text);
        }
        catch (FormatException e)
        {
            throw new InputException(OptionsSource, null, CommandOption, e.Message, e);
        }
    }

    private static TimeSpan ParseSeconds(IReadOnlyDictionary<string, string> options, string key, double fallback)
    {
        if (!options.TryGetValue(key, out var text))
            return TimeSpan.FromSeconds(fallback);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !double.IsFinite(seconds) || seconds <= 0 || seconds > int.MaxValue / 1000.0)
            throw new InputException(OptionsSource, null, key, $"'{text}' is not a positive number of seconds");
        return TimeSpan.FromSeconds(seconds);
    }

    private static ModelInfo ReadModel(WorkerProcess process, string spec, string modelDir, JsonElement model)
    {
        long Required(string name) =>
            model.TryGetProperty(name, out var e) && e.TryGetInt64(out var n) && n >= 0
                ? n
                : throw process.ProtocolViolation("load", $"model.{name} is missing or not a non-negative integer");
        int Optional(string name) => model.TryGetProperty(name, out var e) && e.TryGetInt32(out var n) ? n : 0;

        var dtype = Text(model, "dtype") ?? throw process.ProtocolViolation("load", "model.dtype is missing");
        return new ModelInfo
        {
            Spec = spec,
            Name = Text(model, "name") ?? Path.GetFileName(modelDir.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar)),
            Architecture = Text(model, "architecture") ?? "llama",
            Parameters = Required("parameters"),
            WeightBytes = Required("weight_bytes"),
            KvBytesPerToken = Required("kv_bytes_per_token"),
            Dtype = dtype,
            CheckpointDtype = Text(model, "checkpoint_dtype") ?? dtype,
            Weights = Text(model, "weights") ?? $"checkpoint {modelDir}",
            Layers = Optional("layers"),
            HiddenSize = Optional("hidden_size"),
            IntermediateSize = Optional("intermediate_size"),
            Heads = Optional("heads"),
            KvHeads = Optional("kv_heads"),
            HeadDim = Optional("head_dim"),
            VocabSize = Optional("vocab_size"),
        };
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;

    private static string? FindReferenceWorker()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, ReferenceWorkerPath);
                if (File.Exists(candidate))
                    return candidate;
            }
        }
        return null;
    }

    private static string? FindOnPath(string program)
    {
        if (Path.IsPathRooted(program))
            return File.Exists(program) ? program : null;
        var extensions = OperatingSystem.IsWindows() ? new[] { ".exe", "" } : [""];
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var extension in extensions)
            {
                var candidate = Path.Combine(dir, program + extension);
                if (File.Exists(candidate))
                    return candidate;
            }
        }
        return null;
    }
}
