using System.CommandLine;
using System.Globalization;
using SiliconBench.Analysis;
using SiliconBench.Catalog;
using SiliconBench.Cli.Hosting;
using SiliconBench.Diagnostics;
using SiliconBench.Metrics;
using SiliconBench.Models;
using SiliconBench.Records;
using Spectre.Console;

namespace SiliconBench.Cli.Commands;

/// <summary>
/// <c>project</c>: datasheet roofline ceilings for silicon not in the lab (always labelled PROJECTED), and, for a
/// measured run, realized ÷ the catalog ceiling of its own accelerator per operating point (labelled MEASURED).
/// </summary>
internal static class ProjectCommand
{
    public static Command Create(CliEnvironment env)
    {
        var model = new Option<string?>("--model", "-m") { Description = "synthetic:<preset> or a checkpoint directory (config.json) whose shape to project." };
        var run = new Option<string?>("--run") { Description = "A run directory: its model, dtype and operating points are projected, and compared with its catalog entry." };
        var dtype = new Option<string>("--dtype") { Description = "Weights and compute dtype of the projection: bf16 | fp16 | fp8 | fp4.", DefaultValueFactory = _ => "bf16" };
        var batches = new Option<string>("--batch") { Description = "Batch sizes, comma-separated.", DefaultValueFactory = _ => "1,8,64" };
        var context = new Option<int>("--context") { Description = "Context length (tokens attended per sequence).", DefaultValueFactory = _ => 1024 };
        var catalogPath = new Option<string>("--catalog") { Description = "Silicon catalog (YAML).", DefaultValueFactory = _ => Path.Combine("workloads", "silicon.yaml") };
        var command = new Command("project", "Projected roofline ceilings per catalog accelerator (never measurements), and a run's realized ÷ its catalog ceiling.")
        {
            model, run, dtype, batches, context, catalogPath,
        };
        command.SetAction(parse =>
        {
            var catalog = SiliconCatalog.Load(env.ResolvePath(parse.GetValue(catalogPath)!));
            if (parse.GetValue(run) is { } runDir)
            {
                ProjectRun(env, catalog, env.ResolvePath(runDir));
                return ExitCodes.Ok;
            }
            var spec = parse.GetValue(model) ?? throw new InputException("--model", null, "--model", "give --model (synthetic:<preset> or a checkpoint directory) or --run RUN_DIR");
            var config = spec.StartsWith("synthetic:", StringComparison.Ordinal)
                ? SyntheticPresets.Get(spec["synthetic:".Length..], "--model")
                : LlamaConfig.Load(env.ResolvePath(spec));
            var type = parse.GetValue(dtype)!;
            var shape = ShapeOf(config, type);
            var sizes = ParseBatches(parse.GetValue(batches)!);
            var ctx = parse.GetValue(context) is var c and > 0 ? c : throw new InputException("--context", null, "--context", "expected a positive number of tokens");
            Render(env.Console, catalog, $"{spec} ({type}, {config.Parameters / 1e9:0.###} B parameters)", shape, type, sizes.Select(b => (b, ctx)).ToList());
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void ProjectRun(CliEnvironment env, SiliconCatalog catalog, string runDir)
    {
        var record = RunRecordReader.Read(runDir);
        var summary = File.Exists(Path.Combine(runDir, RunFiles.Summary)) ? SummaryReader.Read(Path.Combine(runDir, RunFiles.Summary)) : Analyzer.Analyze(record);
        var m = record.Manifest.Model;
        var shape = new ModelShape(m.Parameters, m.WeightBytes, m.KvBytesPerToken);
        var points = record.Steps.Where(s => !s.Warmup && s.Phase == Phase.Decode)
            .GroupBy(s => s.Point)
            .Select(g => (Point: g.Key, Batch: (int)Math.Round(g.Average(s => s.Batch)), Context: (int)Math.Round(g.Average(s => s.Context))))
            .ToList();
        Render(env.Console, catalog, $"{m.Spec} as run in {record.Manifest.RunId} ({m.Dtype})", shape, m.Dtype, [.. points.Select(p => (p.Batch, p.Context))]);

        var accelerator = record.Manifest.Accelerators.Count > 0 ? record.Manifest.Accelerators[0].Name : null;
        if (accelerator is null || catalog.Find(accelerator) is not { } entry)
        {
            env.Console.MarkupLine(Markup.Escape($"measured vs catalog: the run's silicon ({accelerator ?? record.Manifest.Host.Cpu}) is not in the catalog; its measured roofline is in the run's summary (decode_roofline_fraction, prefill_roofline_fraction)."));
            return;
        }
        var table = new Table().Border(TableBorder.Simple).Title($"MEASURED on {Markup.Escape(entry.Name)}: realized ÷ catalog ceiling")
            .AddColumns("point", "decode tok/s", "÷ ceiling", "prefill tok/s", "÷ ceiling");
        foreach (var (point, batch, ctx) in points)
        {
            var ceiling = Projection.For(entry, shape, batch, ctx, m.Dtype);
            var metrics = summary.Points.FirstOrDefault(p => p.Point == point)?.Metrics;
            var decode = metrics?.Scalar(MetricCatalog.DecodeTokensPerS);
            var prefill = metrics?.Scalar(MetricCatalog.PrefillTokensPerS);
            table.AddRow(Markup.Escape(point), Format(decode), Format(decode / ceiling.DecodeTokensPerS), Format(prefill), Format(prefill / ceiling.PrefillTokensPerS));
        }
        env.Console.Write(table);
    }

    private static void Render(IAnsiConsole console, SiliconCatalog catalog, string what, ModelShape shape, string dtype, IReadOnlyList<(int Batch, int Context)> points)
    {
        var table = new Table().Border(TableBorder.Simple)
            .Title($"PROJECTED ceilings (datasheet roofline, not measurements) for {Markup.Escape(what)}")
            .Caption("decode ≤ batch ÷ ((weights + batch·context·KV bytes) ÷ bandwidth); prefill ≤ dense FLOPS ÷ (2·parameters); figures and sources: workloads/silicon.yaml");
        table.AddColumn("accelerator");
        foreach (var (batch, context) in points)
            table.AddColumn(new TableColumn($"decode b{batch} c{context}").RightAligned());
        table.AddColumn(new TableColumn("prefill").RightAligned());
        foreach (var entry in catalog.Entries)
        {
            var ceilings = points.Select(p => Projection.For(entry, shape, p.Batch, p.Context, dtype)).ToList();
            var prefill = ceilings.Count > 0 ? ceilings[0].PrefillTokensPerS : Projection.For(entry, shape, 1, 0, dtype).PrefillTokensPerS;
            table.AddRow([Markup.Escape(entry.Name), .. ceilings.Select(c => Format(c.DecodeTokensPerS)), Format(prefill)]);
        }
        console.Write(table);
    }

    private static ModelShape ShapeOf(LlamaConfig config, string dtype)
    {
        var bytes = dtype switch
        {
            "fp32" => 4.0,
            "bf16" or "fp16" => 2.0,
            "fp8" => 1.0,
            "fp4" => 0.5,
            _ => throw new InputException("--dtype", null, "--dtype", $"unknown dtype '{dtype}'; expected bf16, fp16, fp8, fp4 or fp32"),
        };
        return new ModelShape(config.Parameters, (long)(config.StreamedParameters * bytes), (long)(config.KvElementsPerToken * Math.Max(bytes, 1)));
    }

    private static List<int> ParseBatches(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(b =>
            int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v
                : throw new InputException("--batch", null, "--batch", $"'{b}' is not a positive whole number"))];

    private static string Format(double? value) => value switch
    {
        null => "—",
        < 10 => value.Value.ToString("0.###", CultureInfo.InvariantCulture),
        _ => value.Value.ToString("N0", CultureInfo.InvariantCulture),
    };
}
