using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using SiliconBench.Cli.Hosting;
using SiliconBench.Diagnostics;
using SiliconBench.Engines;
using SiliconBench.Probing;
using SiliconBench.Records;
using SiliconBench.Telemetry;
using Spectre.Console;

namespace SiliconBench.Cli.Commands;

/// <summary><c>probe</c>: what this machine has — host, engines and their devices, power sensors — and, on request, its roofline.</summary>
internal static class ProbeCommand
{
    public static Command Create(CliEnvironment env)
    {
        var roofline = new Option<bool>("--roofline") { Description = "Also measure streaming-read memory bandwidth and GEMM throughput (takes a few seconds)." };
        var json = new Option<bool>("--json") { Description = "Print the inventory as JSON." };
        var command = new Command("probe", "Inventory of this machine: CPU, memory, engines and execution providers, power sensors readable.")
        {
            roofline, json,
        };
        command.SetAction(parse =>
        {
            var report = new ProbeReport
            {
                Host = HostProbe.Describe(),
                Engines = [.. EngineRegistry.Catalog.All.OrderBy(f => f.Id, StringComparer.Ordinal).Select(f => f.Check())],
                Sensors = SensorProbe.Discover(),
            };
            if (parse.GetValue(roofline))
            {
                var (gemm, whyNot) = EngineRegistry.GemmProbeFor(new BackendInfo { Id = "onnxruntime", Version = "", Device = "cpu" });
                report = report with { Roofline = gemm is null ? null : new RooflineProbe(gemm).Measure(env.Cancel), RooflineNote = whyNot };
            }
            if (parse.GetValue(json))
                env.Console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(report, ProbeJsonContext.Default.ProbeReport));
            else
                Render(env.Console, report);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Render(IAnsiConsole console, ProbeReport report)
    {
        var host = report.Host;
        var hostTable = new Table().Border(TableBorder.Rounded).Title("host").AddColumns("", "");
        hostTable.HideHeaders();
        hostTable.AddRow("hostname", Markup.Escape(host.Hostname));
        hostTable.AddRow("os", Markup.Escape(host.Os));
        hostTable.AddRow("cpu", Markup.Escape($"{host.Cpu} ({host.LogicalCores} logical cores)"));
        hostTable.AddRow("memory", $"{host.MemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB");
        hostTable.AddRow("runtime", Markup.Escape(host.Runtime));
        console.Write(hostTable);

        var engines = new Table().Border(TableBorder.Rounded).Title("engines").AddColumns("engine", "available", "version", "devices", "note");
        foreach (var e in report.Engines)
            engines.AddRow(Markup.Escape(e.Id), e.Available ? "[green]yes[/]" : "[red]no[/]", Markup.Escape(e.Version), Markup.Escape(string.Join(", ", e.Devices)), Markup.Escape(e.Reason ?? ""));
        console.Write(engines);

        var sensors = new Table().Border(TableBorder.Rounded).Title("power sensors").AddColumns("sensor", "scope", "readable", "detail");
        foreach (var s in report.Sensors)
            sensors.AddRow(Markup.Escape(s.Id), Markup.Escape(s.Scope), s.Readable ? "[green]yes[/]" : "[red]no[/]", Markup.Escape(s.Detail));
        if (report.Sensors.Count == 0)
            sensors.AddRow("—", "—", "—", "no NVML device or RAPL domain found; energy needs a sensor (or --sampler command:…)");
        console.Write(sensors);

        if (report.Roofline is { } r)
            console.MarkupLine(Markup.Escape($"roofline: memory {r.MemoryBandwidthGBs:0.0} GB/s, GEMM {r.GemmGflops:0.0} GFLOP/s ({r.Device}; {r.Method})"));
        else if (report.RooflineNote is { } note)
            console.MarkupLine(Markup.Escape(note));
    }
}

internal sealed record ProbeReport
{
    public required HostInfo Host { get; init; }
    public required IReadOnlyList<EngineAvailability> Engines { get; init; }
    public required IReadOnlyList<SensorStatus> Sensors { get; init; }
    public RooflineInfo? Roofline { get; init; }
    public string? RooflineNote { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ProbeReport))]
internal sealed partial class ProbeJsonContext : JsonSerializerContext;
