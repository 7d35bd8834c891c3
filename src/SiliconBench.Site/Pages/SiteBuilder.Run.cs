using System.Text.Json;
using SiliconBench.Analysis;
using SiliconBench.Costs;
using SiliconBench.Metrics;
using SiliconBench.Records;
using SiliconBench.Site.Charts;
using SiliconBench.Site.Loading;
using SiliconBench.Site.Text;
using SiliconBench.Telemetry;

namespace SiliconBench.Site.Pages;

internal sealed partial class SiteBuilder
{
    private const int MaxSpecChars = 20_000;

    /// <summary>Writes the run's page and data folder; returns a warning when its raw files had damaged lines.</summary>
    private string? WriteRun(SiteRun run)
    {
        var raw = RawRecords.Read(run.Folder);
        var s = run.Summary;
        var m = run.Manifest;
        var primary = run.PrimaryEnergy;

        var distributions = s.Overall.Entries.Where(e => e.Value is Distribution)
            .Select(e => DistRow(Title(e.Key), (Distribution)e.Value!)).ToList();
        var scalars = s.Overall.Entries.Where(e => e.Value is not Distribution).Select(MetricRow).ToList();
        var energy = s.Energy.Select(scope => new EnergyTable(scope.Key, new ScopeEnergy(scope.Key, scope.Value).Label,
            [.. scope.Value.Entries.Select(MetricRow)])).ToList();
        var points = s.Points.Select(p =>
        {
            var pe = SiteRun.PickScope(p.Energy);
            return new PointRow(p.Point, p.Batch is { } b ? Format.Integer(b) : Format.None,
                MetricCatalog.OutputTokensPerS.Format(p.Metrics.Scalar(MetricCatalog.OutputTokensPerS)),
                MetricCatalog.InteractivityTokSUser.Format(p.Metrics.Scalar(MetricCatalog.InteractivityTokSUser)),
                MetricCatalog.TtftMs.Format(p.Metrics.DistributionOf(MetricCatalog.TtftMs)?.P99),
                MetricCatalog.TpotMs.Format(p.Metrics.DistributionOf(MetricCatalog.TpotMs)?.P50),
                pe is null ? "not measured" : MetricCatalog.OutputTokensPerJ.Format(pe.Metrics.Scalar(MetricCatalog.OutputTokensPerJ)), pe?.Label ?? "",
                MetricCatalog.UsdPerMillionOutputTokens.Format(p.Cost?.UsdPerMillionOutputTokens));
        }).ToList();

        var manifestRows = new List<KeyValue>
        {
            new("Run id", m.RunId),
            new("Started (UTC)", m.StartedUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)),
            new("Tool", m.Tool.Name + " " + m.Tool.Version + (m.Tool.Commit is null ? "" : " (" + m.Tool.Commit + ")")),
            new("Host", m.Host.Hostname),
            new("OS", m.Host.Os),
            new("CPU", m.Host.Cpu + " · " + Format.Integer(m.Host.LogicalCores) + " logical cores"),
            new("Memory", Format.Bytes(m.Host.MemoryBytes)),
            new("Runtime", m.Host.Runtime),
            new("Backend", m.Backend.Id + " " + m.Backend.Version + " on " + m.Backend.Device),
            new("Backend options", m.Backend.Options.Count == 0 ? Format.None : string.Join(", ", m.Backend.Options.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => o.Key + "=" + o.Value))),
            new("Model", m.Model.Name + " (" + m.Model.Spec + ")"),
            new("Parameters", m.Model.Parameters > 0 ? Format.Number(m.Model.Parameters) : Format.None),
            new("Weights", m.Model.Weights + " · " + m.Model.Dtype + " (checkpoint " + m.Model.CheckpointDtype + ") · " + Format.Bytes(m.Model.WeightBytes)),
            new("Workload", m.Workload.Name + " · profile " + m.Workload.Profile),
            new("Workload file", (m.Workload.File ?? Format.None) + (m.Workload.ContentSha256 is null ? "" : " · sha256 " + m.Workload.ContentSha256)),
            new("Seed", Format.Integer(m.Seed)),
        };
        if (m.Host.Scheduler is { } job)
        {
            // Records gathered from many nodes say which job, task and node each came from.
            var parts = new[]
            {
                job.JobId is null ? null : "job " + job.JobId + (job.ArrayJobId is { } array && array != job.JobId ? " (array " + array + ")" : ""),
                job.TaskIndex is null ? null : "task " + job.TaskIndex,
                job.Node is null ? null : "node " + job.Node,
                job.Pod is null ? null : "pod " + job.Pod,
                job.CampaignTask is null ? null : "campaign task " + job.CampaignTask,
            };
            manifestRows.Insert(4, new("Scheduler", job.Kind + ": " + string.Join(" · ", parts.Where(p => p is not null))));
        }
        if (m.Roofline is { } roof)
            manifestRows.Add(new("Roofline", Format.Number(roof.MemoryBandwidthGBs) + " GB/s, " + Format.Number(roof.GemmGflops) + " GFLOP/s on " + roof.Device + " (" + roof.Method + ")"));
        var spec = m.Workload.Spec.ValueKind == JsonValueKind.Undefined ? "" : JsonSerializer.Serialize(m.Workload.Spec, SpecJson.Default.JsonElement);
        if (spec.Length > MaxSpecChars)
            spec = spec[..MaxSpecChars] + "\n… (truncated; see manifest.json)";

        var v = s.Validity;
        var validity = new List<KeyValue>
        {
            new("valid", v.Valid ? "yes" : "no"),
            new("incomplete_reason", v.IncompleteReason ?? Format.None),
            new("failed_requests", Format.Integer(v.FailedRequests)),
            new("measured_requests", Format.Integer(v.MeasuredRequests)),
            new("window_s", Format.Number(v.WindowS)),
            new("energy", v.Energy),
        };
        if (raw.BadLines > 0)
            validity.Add(new("unreadable record lines", Format.Integer(raw.BadLines)));
        var throttle = raw.Telemetry.Count(t => t.Quantity == Quantities.ThrottleReasons && Quantities.IsThrottling((long)t.Value));
        if (throttle > 0)
            validity.Add(new("telemetry samples with throttling", Format.Integer(throttle)));

        WriteRunData(run);
        var root = "../";
        WritePage(RunHref(run), run.RunId, "run", new
        {
            RunId = run.RunId,
            RunBadges = Badges(run),
            Complete = run.Complete,
            IncompleteReason = run.IncompleteReason ?? "no reason recorded",
            Valid = v.Valid,
            Workload = run.WorkloadKey,
            WorkloadHref = root + WorkloadHref(run.WorkloadKey),
            Silicon = run.SiliconKey,
            SiliconHref = root + SiliconHref(run.SiliconKey),
            Validity = validity,
            ValidityNotes = v.Notes,
            SamplerFaults = m.SamplerFaults.Select(f => new KeyValue(f.Sampler + " at t = " + Format.Number(f.T) + " s", f.Message)).ToList(),
            Distributions = distributions,
            Scalars = scalars,
            Points = points,
            Energy = energy,
            // validity.energy already says "not measured: <why>" (the analyzer takes the reason from the manifest).
            EnergyNote = v.Energy,
            HasEnergy = primary is not null,
            Cost = s.Cost is { } c ? CostRows(c) : [],
            HasCost = s.Cost is not null,
            Serving = s.Serving is { } serving ? ServingRows(serving) : [],
            Timeline = TimelineCharts(raw),
            Cdfs = LatencyCdfs(raw),
            Manifest = manifestRows,
            Accelerators = m.Accelerators.Select(a => new AcceleratorRow(a.Name, a.Uuid ?? Format.None, a.Driver ?? Format.None, Format.Bytes(a.MemoryBytes), Format.Number(a.PowerLimitW))).ToList(),
            Sensors = m.Sensors.Select(x => new SensorRow(x.Id, x.Scope, x.Method, Format.Number(x.IntervalS), x.Device ?? Format.None)).ToList(),
            SensorNote = m.SensorNote ?? "",
            Notes = m.Notes,
            Spec = spec,
            Downloads = DownloadLinks(run, root),
        });
        return raw.BadLines > 0 ? $"{run.FolderName}: {raw.BadLines} unreadable line(s) in the raw record, skipped" : null;
    }

    /// <summary>A metric's label with its unit; an id this version does not know (a newer analyzer's) as it is.</summary>
    private static string Title(string id) => MetricCatalog.Find(id)?.Title ?? id;

    private static ScalarRow MetricRow(KeyValuePair<string, MetricValue?> entry) => new(Title(entry.Key), entry.Value is ScalarMetric s
        ? MetricCatalog.Find(entry.Key)?.Format(s.Value) ?? Format.Number(s.Value)
        : Format.None);

    private static DistributionRow DistRow(string label, Distribution d) => new(label, Format.Number(d.Mean), Format.Number(d.P50), Format.Number(d.P90),
        Format.Number(d.P95), Format.Number(d.P99), Format.Number(d.Min), Format.Number(d.Max), Format.Integer(d.N));

    /// <summary>Which sheet priced the run and how, then every cost figure of the catalog in summary order.</summary>
    private static List<ScalarRow> CostRows(CostSection cost) =>
    [
        new("Cost sheet", cost.Sheet + (cost.AsOf is null ? "" : " (prices as of " + cost.AsOf + ")")),
        new("Sheet SHA-256", cost.SheetSha256),
        new("Basis", cost.Basis),
        new("Provenance", ProvenanceText.Of(cost.Provenance)),
        new("Accelerators priced", Format.Integer(cost.Accelerators)),
        new("Power priced", cost.PowerScope is null ? Format.None : MetricCatalog.AvgPowerW.Format(cost.PowerW) + " W (" + cost.PowerScope + ")"),
        .. cost.Figures.Select(f => new ScalarRow(f.Key.Title, f.Key.Format(f.Value))),
    ];

    /// <summary>The serving summary's fields, named as in summary.json.</summary>
    private static List<KeyValue> ServingRows(ServingSummary s) =>
    [
        new("knee point", s.KneePoint ?? Format.None),
        new("stable envelope point", s.StableEnvelopePoint ?? Format.None),
        new("max goodput point", s.MaxGoodputPoint ?? Format.None),
        new("max throughput point", s.MaxThroughputPoint ?? Format.None),
        new("slo envelope point", s.SloEnvelopePoint ?? Format.None),
        new("knee rule", s.KneeRule),
    ];

    private void WriteRunData(SiteRun run)
    {
        var dir = "data/" + run.Slug + "/";
        WriteFile(dir + "summary.csv", SummaryCsv.ForRun(run));
        if (!_options.CopyRawRecords)
            return;
        foreach (var file in RecordFiles)
        {
            var source = Path.Combine(run.Folder, file);
            if (!File.Exists(source))
                continue;
            CopyIfChanged(source, Path.Combine(_out, "data", run.Slug, file));
        }
    }

    private static readonly (string Quantity, string Title, string Unit)[] TimelineQuantities =
    [
        ("power_w", "Power", "Power (W)"),
        ("sm_clock_mhz", "Clock", "SM clock (MHz)"),
        ("temp_c", "Temperature", "Temperature (°C)"),
    ];

    private List<string> TimelineCharts(RawRecords raw)
    {
        var spans = PhaseSpans(raw);
        var markers = raw.Windows.Where(w => w.Kind == WindowKind.Measured)
            .SelectMany(w => new[] { (w.TStart, "measured window start"), (w.TEnd, "measured window end") }).ToList();
        var bySeries = raw.Telemetry.GroupBy(t => (t.Quantity, t.Sensor)).ToDictionary(g => g.Key, g => g.OrderBy(t => t.T).Select(t => (t.T, t.Value)).ToList());
        // A sensor that only reports an energy counter still gets a power line: ΔE/Δt between samples.
        foreach (var ((quantity, sensor), samples) in bySeries.Where(kv => kv.Key.Quantity == "energy_j").ToList())
        {
            if (bySeries.ContainsKey(("power_w", sensor)) || samples.Count < 2)
                continue;
            var derived = new List<(double, double)>(samples.Count - 1);
            for (var i = 1; i < samples.Count; i++)
            {
                var dt = samples[i].T - samples[i - 1].T;
                var de = samples[i].Value - samples[i - 1].Value;
                if (dt > 0 && de >= 0)
                    derived.Add(((samples[i].T + samples[i - 1].T) / 2, de / dt));
            }
            bySeries[("power_w", sensor + " (from energy)")] = derived;
        }
        double? xMin = null, xMax = null;
        if (raw.Telemetry.Count > 0)
        {
            xMin = raw.Telemetry.Min(t => t.T);
            xMax = raw.Telemetry.Max(t => t.T);
        }
        var charts = new List<string>();
        foreach (var (quantity, title, unit) in TimelineQuantities)
        {
            var series = bySeries.Where(kv => kv.Key.Quantity == quantity).OrderBy(kv => kv.Key.Sensor, StringComparer.Ordinal).ToList();
            var budget = Math.Max(4, _options.MaxTimelinePoints / Math.Max(1, series.Count));
            charts.Add(SvgCharts.Line(new LineSpec("timeline-" + quantity, title + " over the run", "Run time (s)", unit,
                series.Select(kv => new LineSeries(kv.Key.Sensor, Downsample.MinMax(kv.Value, budget))).ToList())
            {
                Spans = spans,
                Markers = markers,
                IncludeZero = quantity == "power_w",
                XMin = xMin,
                XMax = xMax,
                EmptyText = "No " + unit.ToLowerInvariant() + " samples in telemetry.csv.",
            }));
        }
        return charts;
    }

    /// <summary>Prefill and decode spans: phase windows where the record has them, else the steps merged at chart resolution.</summary>
    private static List<Span> PhaseSpans(RawRecords raw)
    {
        var phased = raw.Windows.Where(w => w.Kind == WindowKind.Phase && w.Phase is Phase.Prefill or Phase.Decode)
            .Select(w => (w.TStart, w.TEnd, Phase: w.Phase!)).ToList();
        if (phased.Count == 0)
            phased = raw.Steps.Select(st => (st.TStart, st.TEnd, st.Phase)).Where(st => st.Phase is Phase.Prefill or Phase.Decode).ToList();
        if (phased.Count == 0)
            return [];
        phased.Sort((a, b) => a.TStart.CompareTo(b.TStart));
        var range = Math.Max(1e-9, phased[^1].TEnd - phased[0].TStart);
        // Merge same-phase spans closer than a pixel (~1/600 of the axis); coarsen until the count is modest.
        for (var resolution = range / 600; ; resolution *= 2)
        {
            var merged = new List<Span>();
            foreach (var (start, end, phase) in phased)
            {
                if (merged.Count > 0 && merged[^1].Kind == phase && start - merged[^1].End <= resolution)
                    merged[^1] = merged[^1] with { End = Math.Max(merged[^1].End, end) };
                else
                    merged.Add(new Span(start, end, phase));
            }
            if (merged.Count <= 600 || resolution > range)
                return merged;
        }
    }

    private List<string> LatencyCdfs(RawRecords raw)
    {
        var measured = raw.Requests.Where(r => !r.Warmup && r.Status == RequestStatus.Ok && r.TFirst is not null).ToList();
        var byPoint = measured.GroupBy(r => r.Point, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        // Per-point curves while they stay readable; one curve for all requests beyond that.
        var groups = byPoint.Count is > 0 and <= SvgCharts.PaletteSize
            ? byPoint.Select(g => (Name: g.Key, Requests: g.ToList())).ToList()
            : [("all requests", measured)];
        string Cdf(string id, string title, string unit, Func<RequestRecord, double?> value) =>
            SvgCharts.Line(new LineSpec(id, title, unit, "Fraction of requests", groups.Select(g => new LineSeries(g.Name, CdfPoints(g.Requests.Select(value)))).ToList())
            {
                IncludeZero = true,
                YMax = 1,
                EmptyText = "No measured requests in requests.jsonl.",
            });
        return
        [
            Cdf("cdf-ttft", "Time to first token, cumulative distribution", "TTFT (ms)", r => RequestTiming.TimeToFirstToken(r) * 1000),
            Cdf("cdf-tpot", "Time per output token, cumulative distribution", "TPOT (ms)", r => RequestTiming.TimePerOutputToken(r) * 1000),
        ];
    }

    private List<(double X, double Y)> CdfPoints(IEnumerable<double?> values)
    {
        var sorted = values.Where(v => v is { } x && double.IsFinite(x)).Select(v => v!.Value).Order().ToArray();
        if (sorted.Length == 0)
            return [];
        var budget = Math.Max(2, _options.MaxCdfPoints);
        var indices = Downsample.Even(sorted.Length, budget).ToList();
        if (indices[^1] != sorted.Length - 1)
            indices.Add(sorted.Length - 1);
        return indices.Select(i => (sorted[i], (i + 1) / (double)sorted.Length)).ToList();
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(JsonElement))]
internal sealed partial class SpecJson : System.Text.Json.Serialization.JsonSerializerContext;
