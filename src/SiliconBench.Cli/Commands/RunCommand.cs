using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using SiliconBench.Cli.Hosting;
using SiliconBench.Cli.Rendering;
using SiliconBench.Costs;
using SiliconBench.Diagnostics;
using SiliconBench.Engines;
using SiliconBench.Engines.Worker;
using SiliconBench.Planning;
using SiliconBench.Probing;
using SiliconBench.Records;
using SiliconBench.Running;
using SiliconBench.Serving;
using SiliconBench.Serving.Batching;
using SiliconBench.Serving.Prompts;
using SiliconBench.Telemetry;
using SiliconBench.Tokenizers;
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
        var repeat = new Option<int>("--repeat") { Description = "Repetitions of the whole run (each its own record under <run-id>/r1…rN), for intervals across trials.", DefaultValueFactory = _ => 1 };
        var cooldown = new Option<double>("--cooldown-s") { Description = "Pause between repetitions, seconds (lets a device cool back down).", DefaultValueFactory = _ => 0 };
        var endpointUrl = new Option<string?>("--endpoint") { Description = "Base URL of an OpenAI-compatible server (with --backend openai), e.g. http://localhost:8000, or unix:PATH for a server on a Unix socket." };
        var api = new Option<string>("--api") { Description = "openai backend: completions | chat.", DefaultValueFactory = _ => "completions" };
        var apiKeyEnv = new Option<string>("--api-key-env") { Description = "Environment variable holding the API key (never written anywhere).", DefaultValueFactory = _ => "OPENAI_API_KEY" };
        var http2 = new Option<bool>("--http2") { Description = "openai backend: HTTP/2 (prior knowledge) instead of HTTP/1.1." };
        var tokenIds = new Option<bool>("--token-ids") { Description = "openai backend: send prompts as token ids (exact input lengths, where the server accepts them)." };
        var vocab = new Option<int>("--vocab-size") { Description = "openai backend without --tokenizer: vocabulary size for token-id prompts.", DefaultValueFactory = _ => 32000 };
        var tokenizer = new Option<string?>("--tokenizer")
        {
            Description = "openai backend: the served model's tokenizer, for prompts of exact token length: o200k_base | cl100k_base | r50k_base | gpt2 | tiktoken:MODEL | a model directory or its tokenizer.json, tokenizer.model, vocab.json.",
        };
        var servingMode = new Option<string?>("--serving") { Description = "Serve the workload's arrival sweep in-process on the engine: continuous | static batching." };
        var maxBatch = new Option<int>("--max-batch") { Description = "With --serving: most sequences in a batch.", DefaultValueFactory = _ => 8 };
        var prefillChunk = new Option<int?>("--prefill-chunk") { Description = "With --serving continuous: most prompt tokens a sequence prefills per step (chunked prefill)." };
        var search = new Option<bool>("--search")
        {
            Description = "Serving: instead of the sweep, search for the highest load whose requests meet the workload's SLOs (doubling, then bisection): concurrency for a closed-loop workload, arrival rate from its lowest rate for an open-loop one.",
        };
        var searchMax = new Option<double>("--search-max") { Description = "With --search: the highest concurrency, or rate in requests/s, tried.", DefaultValueFactory = _ => 256 };
        var kvBudget = new Option<double?>("--kv-budget-gb") { Description = "Skip operating points whose KV cache would exceed this many GB (noted in the manifest)." };
        var cost = new Option<string?>("--cost") { Description = "Price the run with this cost sheet (YAML; see workloads/costs/)." };
        var site = new Option<string>("--site") { Description = "Render the comparison site of the results directory here after the run.", DefaultValueFactory = _ => "site" };
        var noSite = new Option<bool>("--no-site") { Description = "Do not render the site." };

        var command = new Command("run", "Run a workload on an engine and write a run record (default: the CPU smoke workload on onnxruntime cpu with synthetic:tiny).")
        {
            workload, profile, backend, model, device, dtype, seed, output, runId, samplers, idle, noRoofline, engineOptions, cacheDir, repeat, cooldown, endpointUrl, api, apiKeyEnv, http2, tokenIds, vocab, tokenizer, servingMode, maxBatch, prefillChunk, search, searchMax, kvBudget, cost, site, noSite, json,
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
            CostSheet = parse.GetValue(cost),
            Repeat = parse.GetValue(repeat),
            Endpoint = parse.GetValue(endpointUrl),
            Api = parse.GetValue(api)!,
            ApiKeyVariable = parse.GetValue(apiKeyEnv)!,
            Http2 = parse.GetValue(http2),
            TokenIds = parse.GetValue(tokenIds),
            VocabSize = parse.GetValue(vocab),
            Tokenizer = parse.GetValue(tokenizer),
            Serving = parse.GetValue(servingMode),
            MaxBatch = parse.GetValue(maxBatch),
            PrefillChunk = parse.GetValue(prefillChunk),
            Search = parse.GetValue(search),
            SearchMax = parse.GetValue(searchMax),
            KvBudgetGb = parse.GetValue(kvBudget),
            CooldownSeconds = parse.GetValue(cooldown),
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
        if (args.Repeat < 1)
            throw new InputException("--repeat", null, "--repeat", "expected a whole number ≥ 1");
        if (args.Search && profile.Slo.IsEmpty)
            throw new InputException(source.DisplayName, null, "slo", "--search needs SLOs in the workload profile (or pick one that has them)");
        if (args.Search && args.Backend != OpenAiBackend && args.Serving is null)
            throw new InputException("--search", null, "--search", "the SLO search is for serving: add --serving continuous|static, or use --backend openai");
        if (args.Search && !(args.SearchMax >= 1 && double.IsFinite(args.SearchMax)))
            throw new InputException("--search-max", null, "--search-max", "expected a number ≥ 1");
        if (args.CooldownSeconds < 0)
            throw new InputException("--cooldown-s", null, "--cooldown-s", "expected a duration ≥ 0 seconds");
        if (args.Tokenizer is not null && args.Backend != OpenAiBackend)
            throw new InputException("--tokenizer", null, "--tokenizer", "only the openai backend sends text prompts; an engine takes token ids of its own vocabulary");
        var options = ParseEngineOptions(args.EngineOptions);
        var costSheet = args.CostSheet is { } c0 ? env.ResolvePath(c0) : null;
        if (costSheet is not null)
            CostSheetLoader.Load(costSheet); // a bad sheet is refused before anything is measured
        using var samplerSet = new SamplerSet(args.Samplers);
        return Measure(env, args, source, workload, profile, options, costSheet, samplerSet);
    }

    private static int Measure(CliEnvironment env, RunArguments args, WorkloadSource source, Workload workload, ResolvedProfile profile,
        Dictionary<string, string> options, string? costSheet, SamplerSet samplerSet)
    {
        var samplers = samplerSet.Current;
        var serving = args.Backend == OpenAiBackend;
        var factory = serving ? null : EngineRegistry.Catalog.Get(args.Backend, "--backend", null, "--backend");
        void Log(string line) => env.Error.WriteLine(line);
        var cache = args.CacheDirectory is { } c ? env.ResolvePath(c) : DefaultCacheDirectory();
        var runId = args.RunId ?? DefaultRunId(workload.Name, profile.Name, args.Backend, args.Device);
        var groupDir = Path.Combine(env.ResolvePath(args.Output), runId);
        string RunDirOf(int k) => args.Repeat == 1 ? groupDir : Path.Combine(groupDir, $"r{k}");
        var outputExisted = Directory.Exists(env.ResolvePath(args.Output));
        // The first record is created now, so an unwritable output is refused before a model is loaded.
        var firstWriter = RunRecordWriter.Create(RunDirOf(1));
        IEngine? engine = null;
        OpenAiEndpoint? endpoint = null;
        // What a repetition measures, given its clock and progress observer.
        Func<ITimeSource, IRunObserver, Func<RunRecordWriter, CancellationToken, RunOutcome>> measure;
        BackendInfo backendInfo;
        ModelInfo modelInfo;
        RooflineInfo? roofline = null;
        var notes = new List<string>();
        // Against a server, every repetition draws its prompts afresh (a salt the manifest keeps), so no prompt is one its prefix cache has seen.
        var promptSalt = 0UL;
        try
        {
            if (serving)
            {
                // Serving mode against an OpenAI-compatible server: the workload's arrival process drives the load.
                endpoint = new OpenAiEndpoint(EndpointOptions(env, args));
                var (vocabulary, tokenizerSha256) = PromptVocabularyOf(env, args);
                var plan = ServingPlanner.Plan(profile, vocabulary);
                backendInfo = endpoint.Describe();
                backendInfo = backendInfo with
                {
                    Options = new SortedDictionary<string, string>(backendInfo.Options.ToDictionary(), StringComparer.Ordinal)
                    {
                        ["prompt_vocabulary"] = vocabulary.Id,
                        ["prompt_lengths"] = vocabulary.ExactText ? "exact by the tokenizer (text without BOS or chat template)" : "nominal (input_tokens are the server's prompt_tokens)",
                        ["tokenizer_sha256"] = tokenizerSha256 ?? "none",
                    },
                };
                // Token ids go only on /v1/completions; chat prompts are always text.
                if (!vocabulary.ExactText && !(args.TokenIds && endpoint.Options.Api == OpenAiApi.Completions))
                    notes.Add("text prompts are nominal in length (no --tokenizer): input_tokens are what the server counted");
                modelInfo = new ModelInfo
                {
                    Spec = args.Model,
                    Name = args.Model,
                    Dtype = "as served",
                    CheckpointDtype = "as served",
                    Weights = $"served by {args.Endpoint}",
                };
                if (!endpoint.HasApiKey)
                    notes.Add($"no API key in ${endpoint.Options.ApiKeyVariable}; requests were sent without one");
                var backend = endpoint;
                measure = (clock, _) =>
                {
                    var salted = plan with { PromptSalt = promptSalt };
                    return (writer, token) => Serve(env, args, profile, clock, backend, salted, null, writer, token);
                };
            }
            else
            {
            // 2. Engine: loading and converting models happens before the clock starts.
            engine = factory!.Create(new EngineRequest
            {
                ModelSpec = args.Model.StartsWith("synthetic:", StringComparison.Ordinal) ? args.Model : env.ResolvePath(args.Model),
                Device = args.Device,
                Dtype = args.Dtype,
                Seed = profile.Seed,
                Options = options,
                CacheDirectory = cache,
                Log = Log,
            });
            backendInfo = engine.Backend;
            modelInfo = engine.Model;
            var loadedEngine = engine;
            if (args.Serving is { } mode)
            {
                // In-process serving: requests arrive by the workload's arrival process and join/leave the batch between steps.
                if (engine is not IBatchingEngine batching)
                    throw new InputException("--serving", null, "--serving", $"the {engine.Backend.Id} engine cannot join and leave sequences between steps; use --backend onnxruntime");
                var batchingOptions = BatchingOptionsOf(args, mode);
                var plan = ServingPlanner.Plan(profile, engine.Model.VocabSize, engine.Model.MaxContext);
                backendInfo = backendInfo with
                {
                    Options = new SortedDictionary<string, string>(backendInfo.Options.ToDictionary(), StringComparer.Ordinal)
                    {
                        ["serving"] = mode,
                        ["max_batch"] = batchingOptions.MaxBatch.ToString(CultureInfo.InvariantCulture),
                        ["prefill_chunk"] = batchingOptions.PrefillChunkTokens?.ToString(CultureInfo.InvariantCulture) ?? "none",
                    },
                };
                measure = (clock, _) => (writer, token) =>
                {
                    using var scheduler = new BatchingScheduler(batching, clock, batchingOptions);
                    var outcome = Serve(env, args, profile, clock, scheduler, plan, new BatchingObserver(scheduler), writer, token);
                    scheduler.WriteSteps(writer);
                    return outcome;
                };
            }
            else
            {
                var schedule = Planner.Plan(profile, engine.Model.VocabSize, engine.Model.MaxContext);
                if (args.KvBudgetGb is { } budget)
                    schedule = WithinKvBudget(schedule, engine.Model, budget, notes, Log);
                measure = (clock, observer) => (writer, token) => new EngineRunner(clock, observer).Run(loadedEngine, schedule, writer, token);
            }
            }
            if (args.Roofline && engine is WorkerEngine worker)
            {
                Log("measuring the device roofline in the worker (memory read bandwidth, GEMM)…");
                roofline = worker.MeasureRoofline();
            }
            else if (args.Roofline && engine is not null)
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
        catch (Exception e) when (e is InputException or EngineFailureException)
        {
            // Refused (or the engine failed to start) before anything was measured: leave no half-made record behind.
            engine?.Dispose();
            endpoint?.Dispose();
            firstWriter.Dispose();
            Directory.Delete(groupDir, recursive: true);
            if (!outputExisted && !Directory.EnumerateFileSystemEntries(env.ResolvePath(args.Output)).Any())
                Directory.Delete(env.ResolvePath(args.Output));
            throw;
        }
        using var loaded = engine;
        using var loadedEndpoint = endpoint;

        var host = HostProbe.Describe();
        var workloadInfo = new WorkloadInfo
        {
            Name = workload.Name,
            Profile = profile.Name,
            File = source.DisplayName,
            ContentSha256 = Convert.ToHexStringLower(SHA256.HashData(source.Bytes)),
            Spec = profile.ToJsonElement(),
        };

        var exit = ExitCodes.Ok;
        for (var k = 1; k <= args.Repeat; k++)
        {
            if (k > 1)
            {
                // Shifted starts: each trial begins at a different phase of the samplers' intervals (measurement.md, method 4).
                var shift = (k - 1) * 0.0173 % 0.05;
                if (env.Cancel.WaitHandle.WaitOne(TimeSpan.FromSeconds(args.CooldownSeconds + shift)))
                    return ExitCodes.Interrupted;
                samplers = samplerSet.Renew();
            }
            var runDir = RunDirOf(k);
            using var writer = k == 1 ? firstWriter : RunRecordWriter.Create(runDir);
            if (serving)
                promptSalt = ServingPlanner.NewPromptSalt();
            var clock = new MonotonicClock();
            var draft = new RunManifest
            {
                RunId = args.Repeat == 1 ? runId : $"{runId}-r{k}",
                StartedUtc = clock.StartedUtc,
                Clock = clock.Describe(),
                Tool = BuildInfo.Tool,
                Host = host,
                Accelerators = [.. samplers.SelectMany(x => x.Accelerators)],
                Backend = serving ? backendInfo with { Options = new SortedDictionary<string, string>(backendInfo.Options.ToDictionary(), StringComparer.Ordinal) { ["prompt_salt"] = promptSalt.ToString("x16", CultureInfo.InvariantCulture) } } : backendInfo,
                Model = modelInfo,
                Workload = workloadInfo,
                Sensors = [.. samplers.SelectMany(x => x.Sensors)],
                SensorNote = samplers.Count == 0 ? "no sensor: run with --sampler (nvml, rapl, command) to measure energy" : null,
                Roofline = roofline,
                Notes = args.Repeat == 1 ? notes : [.. notes, $"repetition {k} of {args.Repeat} (cool-down {args.CooldownSeconds} s between)"],
                Seed = profile.Seed,
            };

            // 3. Measure.
            var final = draft;
            env.Console.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(context =>
                {
                    var observer = new SpectreRunObserver(context);
                    final = new RunSession(clock, writer, samplers, observer).Run(measure(clock, observer), draft, args.IdleSeconds, env.Cancel);
                    observer.Finish();
                });
            samplerSet.Dispose();
            if (engine is WorkerEngine worker)
                File.WriteAllText(Path.Combine(runDir, "worker.stderr.log"), worker.StderrTail);

            // 4. Analyze from disk, so `analyze` reproduces it.
            var summary = AnalysisPipeline.AnalyzeAndWrite(runDir, costSheetPath: costSheet);
            if (args.Json)
                env.Console.Profile.Out.Writer.Write(Analysis.SummaryWriter.Serialize(summary));
            else
                env.Console.Write(SummaryTable.Render(summary));
            env.Error.WriteLine($"run record: {runDir}");

            if (!final.Complete)
            {
                exit = env.Cancel.IsCancellationRequested ? ExitCodes.Interrupted : ExitCodes.Failed;
                break;
            }
            if (!summary.Validity.Valid)
                exit = ExitCodes.Failed;
        }

        if (args.Site is { } siteDir)
            ReportCommand.RenderSite(env, env.ResolvePath(args.Output), env.ResolvePath(siteDir));
        return exit;
    }

    /// <summary>The serving-mode backend id: a request-level endpoint rather than a step-level engine.</summary>
    public const string OpenAiBackend = "openai";

    /// <summary>Serves the plan's sweep, or with <c>--search</c> finds the highest concurrency that meets the SLOs.</summary>
    private static RunOutcome Serve(CliEnvironment env, RunArguments args, ResolvedProfile profile, ITimeSource clock, IRequestBackend backend,
        ServingPlan plan, IServingObserver? observer, RunRecordWriter writer, CancellationToken token)
    {
        if (!args.Search)
            return new ServingRunner(clock, observer).RunAsync(backend, plan, writer, token).GetAwaiter().GetResult();
        var requests = profile.RequestCount ?? ServingPlanner.DefaultRequestsPerPoint;
        var load = SearchLoadOf(profile, args.SearchMax);
        var result = new SloSearch(clock, observer).RunAsync(backend, plan, profile.Slo, requests, load, SloSearch.DefaultAttainment, writer, token)
            .GetAwaiter().GetResult();
        var probes = string.Join(", ", result.Probes.Select(p => $"{load.Format(p.Load)}: {p.Attainment:0%}"));
        env.Error.WriteLine($"SLO search: highest {load.Name} meeting the SLOs for ≥ {SloSearch.DefaultAttainment:0%} of requests: {(result.Best is { } best ? load.Format(best) : $"none (even {load.Format(load.Start)} misses)")} ({probes})");
        return result.Incomplete is { } why ? RunOutcome.Incomplete(why) : RunOutcome.Completed;
    }

    /// <summary>Closed-loop workloads search concurrency from 1; open-loop ones search rate from their lowest rate, with their burstiness.</summary>
    private static SearchLoad SearchLoadOf(ResolvedProfile profile, double max)
    {
        var arrival = profile.Arrival!;
        if (arrival.Kind == ArrivalKind.ClosedLoop)
            return SearchLoad.Concurrency((int)Math.Floor(max));
        var start = arrival.RatesPerSecond.Min();
        if (start > max)
            throw new InputException("--search-max", null, "--search-max", $"below the workload's lowest rate, {start} requests/s, where the search starts");
        return SearchLoad.Rate(start, max, arrival.Kind == ArrivalKind.Gamma ? arrival.Burstiness ?? 1.0 : 1.0);
    }

    /// <summary>
    /// Drops the operating points whose KV cache (batch × (prompt + output) × KV bytes per token) would exceed the
    /// budget, so a lab grid (batch 256 × 32k) runs the points the device can hold instead of failing at the first
    /// that it cannot. Every dropped point is named in the manifest's notes.
    /// </summary>
    private static RunSchedule WithinKvBudget(RunSchedule schedule, ModelInfo model, double budgetGb, List<string> notes, Action<string> log)
    {
        if (model.KvBytesPerToken <= 0)
            return schedule;
        var kept = new List<ScheduledPoint>();
        foreach (var point in schedule.Points)
        {
            var tokens = point.CreateBatch(0, false).Sum(s => (long)s.Prompt.Length + s.OutputTokens);
            var gb = tokens * (double)model.KvBytesPerToken / 1e9;
            if (gb <= budgetGb)
            {
                kept.Add(point);
                continue;
            }
            var note = $"point {point.Id} skipped: its KV cache needs {gb:0.#} GB, over --kv-budget-gb {budgetGb:0.#}";
            notes.Add(note);
            log(note);
        }
        if (kept.Count == 0)
            throw new InputException("--kv-budget-gb", null, "--kv-budget-gb", $"no operating point fits {budgetGb:0.#} GB of KV cache");
        return schedule with { Points = kept };
    }

    private static BatchingOptions BatchingOptionsOf(RunArguments args, string mode)
    {
        var parsed = mode switch
        {
            "continuous" => BatchingMode.Continuous,
            "static" => BatchingMode.Static,
            _ => throw new InputException("--serving", null, "--serving", $"unknown batching '{mode}'; expected continuous or static"),
        };
        if (args.MaxBatch < 1)
            throw new InputException("--max-batch", null, "--max-batch", "expected a whole number ≥ 1");
        if (args.PrefillChunk is < 1)
            throw new InputException("--prefill-chunk", null, "--prefill-chunk", "expected a whole number ≥ 1");
        return new BatchingOptions { Mode = parsed, MaxBatch = args.MaxBatch, PrefillChunkTokens = args.PrefillChunk };
    }

    /// <summary>With <c>--tokenizer</c>, pieces that are one token each of the served model's tokenizer; without, nominal words.</summary>
    private static (IPromptVocabulary Vocabulary, string? Sha256) PromptVocabularyOf(CliEnvironment env, RunArguments args)
    {
        if (args.Tokenizer is not { } spec)
            return (new NominalPromptVocabulary(Math.Max(2, args.VocabSize)), null);
        var loaded = TokenizerLoader.Load(spec, "--tokenizer", env.ResolvePath);
        try
        {
            return (TokenizerPromptVocabulary.Build(loaded), loaded.Sha256);
        }
        catch (InvalidOperationException e)
        {
            throw new InputException("--tokenizer", null, "--tokenizer", e.Message);
        }
    }

    private static OpenAiEndpointOptions EndpointOptions(CliEnvironment env, RunArguments args)
    {
        string? unixSocket = null;
        Uri? url;
        if (args.Endpoint is { } e && e.StartsWith("unix:", StringComparison.Ordinal))
        {
            // unix:/run/vllm.sock — the server behind a socket file; requests still name http://localhost/.
            unixSocket = e.Length > "unix:".Length ? env.ResolvePath(e["unix:".Length..]) : "";
            if (unixSocket.Length == 0 || !Path.Exists(unixSocket))
                throw new InputException("--endpoint", null, "--endpoint", $"no socket at '{unixSocket}' (start the server with its socket option, e.g. vllm serve --uds PATH)");
            url = new Uri("http://localhost/");
        }
        else if (string.IsNullOrWhiteSpace(args.Endpoint) || !Uri.TryCreate(args.Endpoint, UriKind.Absolute, out url) || url.Scheme is not ("http" or "https"))
        {
            throw new InputException("--endpoint", null, "--endpoint", "the openai backend needs the server's base URL, e.g. --endpoint http://localhost:8000 (or unix:/path/to.sock)");
        }
        if (args.Model.StartsWith("synthetic:", StringComparison.Ordinal))
            throw new InputException("--model", null, "--model", "the openai backend needs the served model's name (as the server lists it under /v1/models)");
        return new OpenAiEndpointOptions
        {
            BaseUrl = url,
            UnixSocketPath = unixSocket,
            Model = args.Model,
            Api = args.Api switch
            {
                "completions" => OpenAiApi.Completions,
                "chat" => OpenAiApi.ChatCompletions,
                _ => throw new InputException("--api", null, "--api", $"unknown API '{args.Api}'; expected completions or chat"),
            },
            ApiKeyVariable = args.ApiKeyVariable,
            HttpVersion = args.Http2 ? System.Net.HttpVersion.Version20 : System.Net.HttpVersion.Version11,
            PromptAsTokenIds = args.TokenIds,
        };
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

    /// <summary>The samplers of one repetition; a sampler runs once, so each repetition gets fresh ones.</summary>
    private sealed class SamplerSet(IReadOnlyList<string> specs) : IDisposable
    {
        public IReadOnlyList<ISampler> Current { get; private set; } = SamplerSpec.ParseAll(specs, "--sampler");

        public IReadOnlyList<ISampler> Renew()
        {
            Dispose();
            return Current = SamplerSpec.ParseAll(specs, "--sampler");
        }

        public void Dispose()
        {
            foreach (var sampler in Current)
                sampler.Dispose();
        }
    }

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
        public string? CostSheet { get; init; }
        public int Repeat { get; init; } = 1;
        public string? Endpoint { get; init; }
        public string Api { get; init; } = "completions";
        public string ApiKeyVariable { get; init; } = "OPENAI_API_KEY";
        public bool Http2 { get; init; }
        public bool TokenIds { get; init; }
        public int VocabSize { get; init; } = 32000;
        public string? Tokenizer { get; init; }
        public string? Serving { get; init; }
        public int MaxBatch { get; init; } = 8;
        public int? PrefillChunk { get; init; }
        public bool Search { get; init; }
        public double SearchMax { get; init; } = 256;
        public double? KvBudgetGb { get; init; }
        public double CooldownSeconds { get; init; }
        public string? Site { get; init; }
    }
}
