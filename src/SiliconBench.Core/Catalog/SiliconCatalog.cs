using System.Text.RegularExpressions;
using SiliconBench.Diagnostics;
using SiliconBench.Yaml;

namespace SiliconBench.Catalog;

/// <summary>A datasheet figure and the keys of the sources it comes from; <see cref="Value"/> null means not found (see <see cref="Note"/>).</summary>
public sealed record CatalogFigure(double? Value, IReadOnlyList<string> Sources, string? Note);

/// <summary>A dated text (launch, price signal) and its sources.</summary>
public sealed record CatalogText(string Text, IReadOnlyList<string> Sources);

/// <summary>One accelerator of workloads/silicon.yaml (public datasheet figures; dense means without 2:4 sparsity).</summary>
public sealed record CatalogEntry
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Vendor { get; init; }
    /// <summary>Case-insensitive regular expressions over the name a driver reports (NVML, amd-smi, …).</summary>
    public IReadOnlyList<string> Match { get; init; } = [];
    public required CatalogFigure MemoryGb { get; init; }
    public required CatalogFigure BandwidthTbS { get; init; }
    public required CatalogFigure Bf16DenseTflops { get; init; }
    public required CatalogFigure Fp8DenseTflops { get; init; }
    public required CatalogFigure Fp4DenseTflops { get; init; }
    public required CatalogFigure TdpW { get; init; }
    public CatalogText? Launch { get; init; }
    public IReadOnlyList<CatalogText> PriceSignals { get; init; } = [];
}

/// <summary>
/// The silicon catalog (workloads/silicon.yaml): accelerators with sourced datasheet figures, and the sources by key.
/// <see cref="Find"/> maps a run's accelerator name to an entry.
/// </summary>
public sealed class SiliconCatalog
{
    internal static readonly string[] RootFields = ["sources", "accelerators"];
    internal static readonly string[] EntryFields =
        ["id", "name", "vendor", "match", "memory_gb", "bandwidth_tb_s", "bf16_dense_tflops", "fp8_dense_tflops", "fp4_dense_tflops", "tdp_w", "launch", "price_signals"];
    internal static readonly string[] FigureFields = ["value", "source", "note"];
    internal static readonly string[] TextFields = ["text", "source"];

    private readonly List<(CatalogEntry Entry, Regex Pattern, int Length)> _patterns = [];

    private SiliconCatalog(IReadOnlyDictionary<string, string> sources, IReadOnlyList<CatalogEntry> entries)
    {
        Sources = sources;
        Entries = entries;
        foreach (var e in entries)
        {
            foreach (var p in e.Match)
                _patterns.Add((e, new Regex(p, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)), p.Length));
        }
    }

    /// <summary>Source key (e.g. <c>S1</c>) → what it is (document, URL, commit).</summary>
    public IReadOnlyDictionary<string, string> Sources { get; }

    public IReadOnlyList<CatalogEntry> Entries { get; }

    public static SiliconCatalog Load(string path) => Parse(YamlFields.ReadFile(path, "silicon catalog"), path);

    public static SiliconCatalog Parse(string text, string source)
    {
        var y = new YamlFields(source);
        var root = y.Mapping(y.LoadDocument(text, "a silicon catalog (sources, accelerators)"), "a mapping with sources and accelerators");
        y.CheckKeys(root, RootFields);
        var sources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in y.Mapping(y.Require(root, "sources").Value, "a mapping from source key to description").Fields)
            sources[f.Key] = y.Text(f.Value, "a description of the source");

        var entries = new List<CatalogEntry>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in y.Sequence(y.Require(root, "accelerators").Value, "a list of accelerators"))
        {
            var b = y.Mapping(node, "an accelerator: a mapping of " + string.Join(", ", EntryFields));
            y.CheckKeys(b, EntryFields);
            var id = y.Text(y.Require(b, "id").Value, "an id (e.g. h100-sxm5-80gb)");
            if (!ids.Add(id))
                throw y.Error(y.Require(b, "id").Value, $"id '{id}' appears twice");
            var match = b["match"] is { } m ? y.Sequence(m.Value, "a list of name patterns").Select(n => Pattern(y, n)).ToList() : [];
            entries.Add(new CatalogEntry
            {
                Id = id,
                Name = y.Text(y.Require(b, "name").Value, "a name"),
                Vendor = y.Text(y.Require(b, "vendor").Value, "a vendor"),
                Match = match,
                MemoryGb = Figure(y, b, "memory_gb", sources),
                BandwidthTbS = Figure(y, b, "bandwidth_tb_s", sources),
                Bf16DenseTflops = Figure(y, b, "bf16_dense_tflops", sources),
                Fp8DenseTflops = Figure(y, b, "fp8_dense_tflops", sources),
                Fp4DenseTflops = Figure(y, b, "fp4_dense_tflops", sources),
                TdpW = Figure(y, b, "tdp_w", sources),
                Launch = b["launch"] is { } l ? Text(y, l.Value, sources) : null,
                PriceSignals = b["price_signals"] is { } ps ? [.. y.Sequence(ps.Value, "a list of {text, source}").Select(n => Text(y, n, sources))] : [],
            });
        }
        return new SiliconCatalog(sources, entries);
    }

    /// <summary>
    /// The entry whose match pattern fits <paramref name="acceleratorName"/>; where several fit, the longest
    /// pattern wins (so "H100 PCIe" beats "H100"). Null when none fits.
    /// </summary>
    public CatalogEntry? Find(string acceleratorName)
    {
        ArgumentNullException.ThrowIfNull(acceleratorName);
        return _patterns.Where(p => p.Pattern.IsMatch(acceleratorName)).OrderByDescending(p => p.Length).Select(p => p.Entry).FirstOrDefault();
    }

    public CatalogEntry? ById(string id) => Entries.FirstOrDefault(e => e.Id == id);

    private static string Pattern(YamlFields y, YNode node)
    {
        var text = y.Text(node, "a regular expression over the accelerator's reported name");
        try
        {
            _ = new Regex(text, RegexOptions.None, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            throw y.Error(node, $"not a valid regular expression: {e.Message}");
        }
        return text;
    }

    /// <summary><c>{value, source: [keys], note}</c>: a value needs a source; a null value needs a note saying why.</summary>
    private static CatalogFigure Figure(YamlFields y, Block block, string key, IReadOnlyDictionary<string, string> sources)
    {
        var field = y.Require(block, key);
        var b = y.Mapping(field.Value, "{value: NUMBER or null, source: [KEYS], note: TEXT}", field.KeyLine);
        y.CheckKeys(b, FigureFields);
        var valueNode = y.Require(b, "value").Value;
        double? value = valueNode.IsNull ? null : y.Number(valueNode, 0, inclusive: false);
        var keys = b["source"] is { } s ? SourceKeys(y, s.Value, sources) : [];
        var note = b["note"] is { } n ? y.Text(n.Value, "a note") : null;
        if (value is not null && keys.Count == 0)
            throw y.Error(valueNode, "a figure needs its source keys (source: [S1])");
        if (value is null && note is null)
            throw y.Error(valueNode, "a missing figure needs a note saying why (e.g. note: not found in a usable public source)");
        return new CatalogFigure(value, keys, note);
    }

    private static CatalogText Text(YamlFields y, YNode node, IReadOnlyDictionary<string, string> sources)
    {
        var b = y.Mapping(node, "{text: TEXT, source: [KEYS]}");
        y.CheckKeys(b, TextFields);
        return new CatalogText(y.Text(y.Require(b, "text").Value, "text"), SourceKeys(y, y.Require(b, "source").Value, sources));
    }

    private static List<string> SourceKeys(YamlFields y, YNode node, IReadOnlyDictionary<string, string> sources)
    {
        var keys = new List<string>();
        foreach (var k in y.Sequence(node, "a list of source keys"))
        {
            var key = y.Text(k, "a source key");
            if (!sources.ContainsKey(key))
                throw y.Error(k, $"unknown source key '{key}'; add it under sources");
            keys.Add(key);
        }
        return keys;
    }
}
