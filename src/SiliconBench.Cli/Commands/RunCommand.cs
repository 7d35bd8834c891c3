using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using SiliconBench.Cli.Hosting;
using SiliconBench.Cli.Rendering;
using SiliconBench.Diagnostics;
using SiliconBench.Engines;
using SiliconBench.Planning;
using SiliconBench.Probing;
using SiliconBench.Records;
using SiliconBench.Running;
using SiliconBench.Telemetry;
using SiliconBench.Workloads;
using Spectre.Console;

namespace SiliconBench.Cli.Commands;

/// <summary>
/// <c>run</c>: plan the workload, load the engine, measure (samplers beside it), write the record, analyze it from
/// disk and render the site. Everything a user can get wrong is checked before the clock starts.
/// </summary>
internal static class RunCommand
{
    public static Command Create(CliEnvironment env)
    {
        var workload = new Option<string>("--workload", "-w") { Description = "Workload file, or the name of a built-in one.", DefaultValueFactory = _ => WorkloadSource.DefaultName };
        var profile = new Option<string>("--profile", "-p") { Description = "Profile of the workload.", DefaultValueFactory = _ => "smoke" };
        var backend = new Option<string>("--backend", "-b") { Description = "Engine: onnxruntime | worker.", DefaultValueFactory = _ => "onnxruntime" };
        var model = new Option<string>("--model", "-m") { Description = "synthetic:<preset> | checkpoint directory | model.onnx.", DefaultValueFactory = _ => "synthetic:tiny" };
        var device = new Option<string>("--device", "-d") { Description = "Device or execution provider: cpu, cuda[:N], ….", DefaultValueFactory = _ => "cpu" };
        var dtype = new Option<string?>("--dtype") { Description = "Compute dtype: fp32 | fp16 | bf16 (default: the engine's for the device)." };
        var seed = new Option<int?>("--seed") { Description = "Overrides the workload's seed (prompts and synthetic weights)." };
        var output = new Option<string>("--output", "-o") { Description = "Results directory; the run goes to <output>/<run-id>.", DefaultValueFactory = _ => "results" };
        var runId = new Option<string?>("--run-id") { Description = "Name of the run directory (default: time-workload-profile-backend-device)." };
        var samplers = new Option<string[]>("--sampler", "-s")
        {
            Description = "Power sampler, repeatable: nvml[:gpus=0,1] | rapl | command:scope=…,unit=w|j,pattern=…,cmd=… | replay:FILE.",
            AllowMultipleArgumentsPerToken = false,
        };
        var idle = new Option<double>("--idle-s") { Description = "Idle-baseline window before and after the work, seconds (needs a sampler to mean anything).", DefaultValueFactory = _ => 0 };
        var noRoofline = new Option<bool>("--no-roofline") { Description = "Skip measuring memory bandwidth and GEMM throughput before the run." };
        var engineOptions = new Option<string[]>("--option") { Description = "Engine option KEY=VALUE, repeatable (e.g. threads=2, command=…)." };
        var cacheDir = new Option<string?>("--cache-dir") { Description = "Where synthetic checkpoints and converted models are cached (default $SILICONBENCH_CACHE or ~/.cache/siliconbench)." };
        var json = new Option<bool>("--json") { Description = "Print summary.json instead of the table." };
        var site = new Option<string>("--site") { Description = "Render the comparison site of the results directory here after the run.", DefaultValueFactory = _ => "site" };
        var noSite = new Option<bool>("--no-site") { Description = "Do not render the site." };

        var command = new Command("run", "Run a workload on an engine and write a run record (default: the CPU smoke workload on onnxruntime cpu with synthetic:tiny).")
        {
            workload, profile, backend, model, device, dtype, seed, output, runId, samplers, idle, noRoofline, engineOptions, cacheDir, site, noSite, json,
        };
        command.SetAction(parse => Execute(env, new RunArguments
        {
            Workload = parse.GetValue(workload)!,
            Profile = parse.GetValue(profile)!,
            Backend = parse.GetValue(backend)!,
            Model = parse.GetValue(model)!,
            Device = parse.GetValue(device)!,
            Dtype = parse.GetValue(dtype),
            Seed = parse.GetValue(seed),
            Output = parse.GetValue(output)!,
            RunId = parse.GetValue(runId),
            Samplers = parse.GetValue(samplers) ?? [],
            IdleSeconds = parse.GetValue(idle),
            Roofline = !parse.GetValue(noRoofline),
            EngineOptions = parse.GetValue(engineOptions) ?? [],
            CacheDirectory = parse.GetValue(cacheDir),
            Json = parse.GetValue(json),
            Site = parse.GetValue(noSite) ? null : parse.GetValue(site),
        }));
        return command;
    }

    private static int Execute(CliEnvironment env, RunArguments args)
    {
        // 1. Inputs: all checked before anything is measured.
        var source = WorkloadSource.Resolve(args.Workload, env);
        var workload = WorkloadLoader.Parse(source.Text, source.DisplayName, source.BaseDirectory);
        var profile = workload.GetProfile(args.Profile);
        if (args.Seed is { } s)
            profile = profile with { Seed = s };
        if (args.IdleSeconds < 0)
            throw new InputException("--idle-s", null, "--idle-s", "expected a duration ≥ 0 seconds");
        var options = ParseEngineOptions(args.EngineOptions);
        var samplers = SamplerSpec.ParseAll(args.Samplers, "--sampler");
        var factory = EngineRegistry.Catalog.Get(args.Backend, "--backend", null, "--backend");
        void Log(string line) => env.Error.WriteLine(line);
        var cache = args.CacheDirectory is { } c ? env.ResolvePath(c) : DefaultCacheDirectory();
        var runId = args.RunId ?? DefaultRunId(workload.Name, profile.Name, args.Backend, args.Device);
        var runDir = Path.Combine(env.ResolvePath(args.Output), runId);
        var outputExisted = Directory.Exists(env.ResolvePath(args.Output));
        using var writer = RunRecordWriter.Create(runDir);
        IEngine? engine = null;
        RunSchedule schedule;
        RooflineInfo? roofline = null;
        var notes = new List<string>();
        try
        {
            // 2. Engine: loading and converting models happens before the clock starts.
            engine = factory.Create(new EngineRequest
            {
                ModelSpec = args.Model.StartsWith("synthetic:", StringComparison.Ordinal) ? args.Model : env.ResolvePath(args.Model),
                Device = args.Device,
                Dtype = args.Dtype,
                Seed = profile.Seed,
                Options = options,
                CacheDirectory = cache,
                Log = Log,
            });
            schedule = Planner.Plan(profile, engine.Model.VocabSize, engine.Model.MaxContext);
            if (args.Roofline)
            {
                var (gemm, whyNot) = EngineRegistry.GemmProbeFor(engine.Backend);
                if (gemm is not null)
                {
                    Log("measuring the roofline (streaming-read bandwidth, GEMM throughput)…");
                    roofline = new RooflineProbe(gemm).Measure(env.Cancel);
                }
                else if (whyNot is not null)
                {
                    notes.Add(whyNot);
                }
            }
        }
        catch (InputException)
        {
            // Refused before anything was measured: leave no half-made record behind.
            engine?.Dispose();
            writer.Dispose();
            Directory.Delete(runDir, recursive: true);
            if (!outputExisted && !Directory.EnumerateFileSystemEntries(env.ResolvePath(args.Output)).Any())
                Directory.Delete(env.ResolvePath(args.Output));
            throw;
        }
        using var loaded = engine;

        var clock = new MonotonicClock();
        var draft = new RunManifest
        {
            RunId = runId,
            StartedUtc = clock.StartedUtc,
            Tool = BuildInfo.Tool,
            Host = HostProbe.Describe(),
            Accelerators = [.. samplers.SelectMany(x => x.Accelerators)],
            Backend = engine.Backend,
            Model = engine.Model,
            Workload = new WorkloadInfo
            {
                Name = workload.Name,
                Profile = profile.Name,
                File = source.DisplayName,
                ContentSha256 = Convert.ToHexStringLower(SHA256.HashData(source.Bytes)),
                Spec = profile.ToJsonElement(),
            },
            Sensors = [.. samplers.SelectMany(x => x.Sensors)],
            SensorNote = samplers.Count == 0 ? "no sensor: run with --sampler (nvml, rapl, command) to measure energy" : null,
            Roofline = roofline,
            Notes = notes,
            Seed = profile.Seed,
        };

        // 3. Measure.
        RunManifest final = draft;
        env.Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                var observer = new SpectreRunObserver(context);
                final = new EngineRunSession(clock, writer, samplers, observer).Run(engine, schedule, draft, args.IdleSeconds, env.Cancel);
                observer.Finish();
            });
        foreach (var sampler in samplers)
            sampler.Dispose();

        // 4. Analyze from disk (so `analyze` reproduces it), then the site.
        var summary = AnalysisPipeline.AnalyzeAndWrite(runDir);
        if (args.Json)
            env.Console.Profile.Out.Writer.Write(Analysis.SummaryWriter.Serialize(summary));
        else
            env.Console.Write(SummaryTable.Render(summary));
        env.Error.WriteLine($"run record: {runDir}");
        if (args.Site is { } siteDir)
            ReportCommand.RenderSite(env, env.ResolvePath(args.Output), env.ResolvePath(siteDir));

        if (!final.Complete)
            return env.Cancel.IsCancellationRequested ? ExitCodes.Interrupted : ExitCodes.Failed;
        return summary.Validity.Valid ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static Dictionary<string, string> ParseEngineOptions(IEnumerable<string> pairs)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
                throw new InputException("--option", null, pair, "expected KEY=VALUE");
            options[pair[..eq]] = pair[(eq + 1)..];
        }
        return options;
    }

    public static string DefaultCacheDirectory() =>
        Environment.GetEnvironmentVariable("SILICONBENCH_CACHE") is { Length: > 0 } fromEnv
            ? fromEnv
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "siliconbench");

    private static string DefaultRunId(string workload, string profile, string backend, string device) =>
        string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{workload}-{profile}-{backend}-{device.Replace(':', '-')}");

    private sealed record RunArguments
    {
        public required string Workload { get; init; }
        public required string Profile { get; init; }
        public required string Backend { get; init; }
        public required string Model { get; init; }
        public required string Device { get; init; }
        public string? Dtype { get; init; }
        public int? Seed { get; init; }
        public required string Output { get; init; }
        public string? RunId { get; init; }
        public required IReadOnlyList<string> Samplers { get; init; }
        public double IdleSeconds { get; init; }
        public bool Roofline { get; init; }
        public required IReadOnlyList<string> EngineOptions { get; init; }
        public string? CacheDirectory { get; init; }
        public bool Json { get; init; }
        public string? Site { get; init; }
    }
}
