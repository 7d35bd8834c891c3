using System.Globalization;
using System.Text;
using System.Text.Json;
using SiliconBench.Analysis;
using SiliconBench.Costs;
using SiliconBench.Metrics;
using SiliconBench.Records;
using SiliconBench.Telemetry;

namespace SiliconBench.Benchmarks.Site;

/// <summary>
/// Writes a results directory of synthetic but well-formed runs (seeded, so the same every time):
/// the input for the site's render benchmark and its page-size test.
/// </summary>
public static class GeneratedResults
{
    private static readonly string[] Workloads = ["chat", "batch", "agentic", "reasoning", "rag"];
    private static readonly string[] Silicon =
    [
        "NVIDIA H100 80GB HBM3", "NVIDIA H200", "NVIDIA L40S", "NVIDIA A100-SXM4-80GB", "AMD Instinct MI300X",
        "Intel Gaudi 3", "NVIDIA B200", "NVIDIA RTX 4090", "", "",
    ];

    private static readonly JsonElement Spec = JsonDocument.Parse("""{"batch":[1,2,4,8],"output_tokens":128}""").RootElement.Clone();

    public static void Write(string directory, int runs, int telemetrySamples = 400, int requests = 64, int steps = 400, int points = 4, int workloads = 5)
    {
        Directory.CreateDirectory(directory);
        Parallel.For(0, runs, i => WriteRun(Path.Combine(directory, "run-" + i.ToString("D5", CultureInfo.InvariantCulture)), i, telemetrySamples, requests, steps, points, workloads));
    }

    private static void WriteRun(string folder, int index, int telemetrySamples, int requestCount, int stepCount, int pointCount, int workloads)
    {
        Directory.CreateDirectory(folder);
        var random = new Random(index);
        var accelerator = Silicon[index % Silicon.Length];
        var cpuRun = accelerator.Length == 0;
        var runId = "run-" + index.ToString("D5", CultureInfo.InvariantCulture);
        var manifest = new RunManifest
        {
            RunId = runId,
            StartedUtc = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(index),
            Complete = index % 17 != 0,
            IncompleteReason = index % 17 != 0 ? null : "interrupted",
            Tool = new ToolInfo("siliconbench", "0.1.0", "abc1234"),
            Host = new HostInfo { Hostname = "host-" + (index % 7), Os = "Linux", Cpu = index % 2 == 0 ? "AMD EPYC 9454" : "Intel Xeon 6430", LogicalCores = 64, MemoryBytes = 512L << 30, Runtime = ".NET 10" },
            Accelerators = cpuRun ? [] : [new AcceleratorInfo { Name = accelerator, Uuid = "GPU-" + index, MemoryBytes = 80L << 30, PowerLimitW = 700 }],
            Backend = new BackendInfo { Id = "onnxruntime", Version = "1.31", Device = cpuRun ? "cpu" : "cuda:0" },
            Model = new ModelInfo { Spec = "synthetic:llama-3.1-8b", Name = "Llama 3.1 8B (synthetic)", Dtype = "bf16", CheckpointDtype = "bf16", Weights = "synthetic (seed 42)" },
            Workload = new WorkloadInfo { Name = Workloads[index % Math.Clamp(workloads, 1, Workloads.Length)], Profile = "full", Spec = Spec },
            Sensors = cpuRun ? [] : [new SensorInfo("nvml:0", "accelerator", "nvml energy counter") { IntervalS = 0.1 }],
        };
        File.WriteAllText(Path.Combine(folder, RunFiles.Manifest), JsonSerializer.Serialize(manifest, RecordJsonContext.Indented.RunManifest));

        var pointNames = Enumerable.Range(0, pointCount).Select(p => "b" + (1 << p) + "-c1024-o128").ToArray();
        var scale = 1 + random.NextDouble() * 3;
        var points = new List<PointSummary>();
        for (var p = 0; p < pointCount; p++)
        {
            var metrics = Metrics(80 * scale / (1 + p), 60 * scale * (1 << p) * (0.8 + 0.4 * random.NextDouble()), 20 + 15 * p * random.NextDouble(), scale);
            var energy = new SortedDictionary<string, MetricSet>(StringComparer.Ordinal);
            if (!cpuRun)
            {
                var board = new MetricSet { Provenance = Provenance.Measured };
                board.Set(MetricCatalog.EnergyJ, 1000 * scale);
                board.Set(MetricCatalog.OutputTokensPerJ, 0.2 * scale * (1 + p) * (0.8 + 0.4 * random.NextDouble()));
                energy[SensorScope.Accelerator] = board;
            }
            points.Add(new PointSummary { Point = pointNames[p], Batch = 1 << p, Metrics = metrics, Energy = energy });
        }
        var overallEnergy = new SortedDictionary<string, MetricSet>(StringComparer.Ordinal);
        if (!cpuRun)
        {
            var board = new MetricSet { Provenance = Provenance.Measured };
            board.Set(MetricCatalog.EnergyJ, 60_000 * scale);
            board.Set(MetricCatalog.AvgPowerW, 300 + 100 * random.NextDouble());
            board.Set(MetricCatalog.OutputTokensPerJ, 0.5 * scale);
            overallEnergy[SensorScope.Accelerator] = board;
        }
        var usdPerHour = 2 + 4 * random.NextDouble();
        var summary = new Summary
        {
            RunId = runId,
            Complete = manifest.Complete,
            Validity = new Validity
            {
                Valid = index % 23 != 0,
                FailedRequests = 0,
                MeasuredRequests = requestCount,
                WindowS = 60,
                Energy = cpuRun ? "not measured: no sensor" : "measured: accelerator by counter",
            },
            Overall = Metrics(40 * scale, 100 * scale, 20, scale),
            Points = points,
            Energy = overallEnergy,
            Cost = new CostSection
            {
                Sheet = "generated",
                SheetSha256 = new string('0', 64),
                Basis = cpuRun ? CostBasis.FixedOnly : CostBasis.CloudPrice,
                Provenance = Provenance.Imported,
                Accelerators = 1,
                UsdPerHour = usdPerHour,
                RentUsdPerHour = usdPerHour,
                OutputTokensPerUsd = 100_000 * scale,
                UsdPerMillionOutputTokens = 1e6 / (100_000 * scale),
            },
        };
        SummaryWriter.Write(summary, Path.Combine(folder, RunFiles.Summary));

        var sb = new StringBuilder();
        for (var r = 0; r < requestCount; r++)
        {
            var submit = 1 + r * 0.5;
            var first = submit + 0.02 + random.NextDouble() * 0.05;
            var chunks = Enumerable.Range(0, 16).Select(k => new Chunk(first + k * 0.012, 1)).ToArray();
            var record = new RequestRecord
            {
                Id = "r-" + r.ToString("D6", CultureInfo.InvariantCulture), Point = pointNames[r % pointCount], Warmup = r < 2,
                InputTokens = 1024, OutputTokens = 16, TSubmit = submit, TFirst = first, TEnd = chunks[^1].T, Chunks = chunks,
            };
            sb.Append(JsonSerializer.Serialize(record, RecordJsonContext.Compact.RequestRecord)).Append('\n');
        }
        File.WriteAllText(Path.Combine(folder, RunFiles.Requests), sb.ToString());

        sb.Clear();
        var t = 1.0;
        for (var s = 0; s < stepCount; s++)
        {
            var prefill = s % 20 == 0;
            var d = prefill ? 0.05 : 0.012;
            var step = new StepRecord { Point = pointNames[s * pointCount / stepCount], Phase = prefill ? Phase.Prefill : Phase.Decode, Batch = 4, Context = 1100, Tokens = prefill ? 4096 : 4, TStart = t, TEnd = t + d };
            sb.Append(JsonSerializer.Serialize(step, RecordJsonContext.Compact.StepRecord)).Append('\n');
            t += d;
        }
        File.WriteAllText(Path.Combine(folder, RunFiles.Steps), sb.ToString());
        var window = new WindowRecord { Name = "measured", Kind = WindowKind.Measured, TStart = 1, TEnd = t };
        File.WriteAllText(Path.Combine(folder, RunFiles.Windows), JsonSerializer.Serialize(window, RecordJsonContext.Compact.WindowRecord) + "\n");

        sb.Clear().Append(RunFiles.TelemetryHeader).Append('\n');
        var sensor = cpuRun ? "rapl:0" : "nvml:0";
        for (var k = 0; k < telemetrySamples; k++)
        {
            var ts = (k * 0.1).ToString("R", CultureInfo.InvariantCulture);
            var power = 300 + 100 * Math.Sin(k / 20.0) + random.NextDouble() * 10;
            sb.Append(ts).Append(',').Append(sensor).Append(",energy_j,").Append((k * 30.0).ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            sb.Append(ts).Append(',').Append(sensor).Append(",power_w,").Append(power.ToString("0.##", CultureInfo.InvariantCulture)).Append('\n');
            sb.Append(ts).Append(',').Append(sensor).Append(",sm_clock_mhz,").Append(k % 100 < 90 ? "1980" : "1755").Append('\n');
            sb.Append(ts).Append(',').Append(sensor).Append(",temp_c,").Append((45 + k * 0.01).ToString("0.##", CultureInfo.InvariantCulture)).Append('\n');
        }
        File.WriteAllText(Path.Combine(folder, RunFiles.Telemetry), sb.ToString());
    }

    private static MetricSet Metrics(double interactivity, double outputTokS, double ttftP50, double scale)
    {
        var m = new MetricSet();
        m.Set(MetricCatalog.TtftMs, Distribution(ttftP50));
        m.Set(MetricCatalog.TpotMs, Distribution(1000 / interactivity));
        m.Set(MetricCatalog.ItlMs, Distribution(1000 / interactivity));
        m.Set(MetricCatalog.E2eMs, Distribution(ttftP50 + 128 * 1000 / interactivity));
        m.Set(MetricCatalog.InteractivityTokSUser, interactivity);
        m.Set(MetricCatalog.RequestsPerS, outputTokS / 128);
        m.Set(MetricCatalog.OutputTokensPerS, outputTokS);
        m.Set(MetricCatalog.TotalTokensPerS, outputTokS * 9);
        m.Set(MetricCatalog.OutputTokensPerSPerAccelerator, outputTokS);
        m.Set(MetricCatalog.GoodputRequestsPerS, outputTokS / 140);
        m.Set(MetricCatalog.DecodeRooflineFraction, Math.Min(0.95, 0.2 * scale));
        return m;
    }

    private static Distribution Distribution(double p50) => new(p50 * 1.05, p50, p50 * 1.4, p50 * 1.6, p50 * 2, p50 * 0.7, p50 * 2.5, 64);
}
