using SiliconBench.Analysis;
using SiliconBench.Diagnostics;
using SiliconBench.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SiliconBench.Workloads;

/// <summary>
/// Parses one workload file (schema: workloads/README.md). Every profile is resolved at load time, with
/// <c>defaults:</c> applied, so any mistake in any profile surfaces on load; <c>defaults:</c> is checked on its
/// own too, so a wrong value there is reported even where every profile overrides it.
/// </summary>
internal sealed class WorkloadParser(string file, string? baseDirectory)
{
    internal const int MaxBatch = 1 << 16;
    internal const int MaxTurns = 1 << 16;

    internal static readonly string[] RootFields = ["name", "description", "defaults", "profiles"];

    internal static readonly string[] ProfileFields =
    [
        "description", "seed", "batch_sizes", "context", "output", "mix", "shared_prefix_tokens", "turns",
        "warmup_repetitions", "repetitions", "min_duration_s", "max_repetitions", "request_count", "arrival", "slo",
    ];

    internal static readonly string[] DefaultsFields = [.. ProfileFields.Where(f => f != "description")];

    /// <summary>Blocks a profile merges key by key over defaults (a different <c>kind</c> replaces instead).</summary>
    private static readonly string[] MergedBlocks = ["context", "output", "arrival", "slo"];

    internal static readonly string[] LengthKinds = ["fixed", "uniform", "lognormal", "trace"];
    internal static readonly string[] LengthFields = ["kind", "nominal", "spread", "sigma", "min", "max", "file", "column"];
    internal static readonly string[] ArrivalKinds = ["closed_loop", "poisson", "gamma"];
    internal static readonly string[] ArrivalFields = ["kind", "concurrency", "rates_per_s", "burstiness"];
    internal static readonly string[] SloFields = ["ttft_ms", "tpot_ms", "e2e_ms"];
    internal static readonly string[] MixFields = ["context", "output"];

    private readonly YamlFields _y = new(file);
    private readonly Dictionary<(string Path, string? Column), TraceSamples> _traces = [];

    public Workload Parse(string text)
    {
        var top = _y.Mapping(LoadRoot(text), "a workload: a mapping with name, description, defaults, profiles");
        _y.CheckKeys(top, RootFields);
        var name = _y.Text(Require(top, "name").Value, "a name");
        var description = top["description"] is { } d ? _y.Text(d.Value, "a description (text)") : "";

        Block? defaults = null;
        if (top["defaults"] is { } df)
        {
            defaults = _y.Mapping(df.Value, "a mapping of profile fields", df.KeyLine);
            _y.CheckKeys(defaults, DefaultsFields);
            Resolve(defaults, name, "defaults", partial: true);
        }

        var profilesField = Require(top, "profiles");
        var profiles = _y.Mapping(profilesField.Value, "a mapping from profile name (e.g. smoke, full) to profile");
        if (profiles.Fields.Count == 0)
            throw _y.Error(profilesField.Value, "expected at least one profile (e.g. smoke, full)");
        var resolved = new List<ResolvedProfile>(profiles.Fields.Count);
        foreach (var p in profiles.Fields)
        {
            var block = p.Value.IsNull
                ? new Block(p.Value.Path, p.KeyLine, [])
                : _y.Mapping(p.Value, "a profile: a mapping of profile fields", p.KeyLine);
            _y.CheckKeys(block, ProfileFields);
            var merged = defaults is null ? block : Merge(defaults, block);
            resolved.Add(Resolve(merged, name, p.Key, partial: false)!);
        }
        return new Workload(name, description, file, resolved);
    }

    private YNode LoadRoot(string text)
    {
        var scanner = new Scanner(new StringReader(text));
        var stream = new YamlStream();
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (YamlException e)
        {
            throw new InputException(file, checked((int)e.Start.Line), null, $"malformed YAML: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner fails this way on some unterminated flow collections; where it stopped is the best line there is.
            throw new InputException(file, checked((int)scanner.CurrentPosition.Line), null,
                "malformed YAML: the reader could not continue here (an unclosed '[' or '{' above?)", e);
        }
        if (stream.Documents.Count == 0)
            throw new InputException(file, 1, null, "the file holds no YAML document; expected a workload (name, profiles, …)");
        if (stream.Documents.Count > 1)
            throw new InputException(file, checked((int)stream.Documents[1].RootNode.Start.Line), null,
                $"expected one YAML document, found {stream.Documents.Count}");
        return new YNode(stream.Documents[0].RootNode, "");
    }

    private Field Require(Block block, string key) => block[key] ?? throw _y.Missing(block, key);

    private Block Merge(Block defaults, Block profile)
    {
        var fields = new List<Field>(defaults.Fields.Where(d => profile[d.Key] is null));
        foreach (var p in profile.Fields)
        {
            if (MergedBlocks.Contains(p.Key) && defaults[p.Key] is { Value.Node: YamlMappingNode } d && p.Value.Node is YamlMappingNode)
            {
                var db = _y.Mapping(d.Value, "a mapping", d.KeyLine);
                var pb = _y.Mapping(p.Value, "a mapping", p.KeyLine);
                if (pb["kind"] is null || KindText(pb) == KindText(db))
                {
                    fields.Add(p with { Merged = new Block(pb.Path, pb.Line, [.. db.Fields.Where(f => pb[f.Key] is null), .. pb.Fields]) });
                    continue;
                }
            }
            fields.Add(p);
        }
        return new Block(profile.Path, profile.Line, fields);
    }

    private static string? KindText(Block b) => b["kind"]?.Value.Node is YamlScalarNode s ? s.Value : null;

    private Block SubBlock(Field f, string expected) => f.Merged ?? _y.Mapping(f.Value, expected, f.KeyLine);

    /// <summary>
    /// Reads a profile's fields. <paramref name="partial"/> checks a <c>defaults:</c> block alone: fields may be
    /// missing, and cross-field checks run only where both fields are there.
    /// </summary>
    private ResolvedProfile? Resolve(Block b, string workload, string profile, bool partial)
    {
        var where = new Dictionary<string, (string Path, int Line)>(StringComparer.Ordinal);
        void Note(string relative, YNode node) => where[relative] = (node.Path, node.Line);

        var description = b["description"] is { } df ? _y.Text(df.Value, "a description (text)") : null;
        var seed = OptInt(b, "seed", 0) ?? 42;

        IReadOnlyList<int>? batches = null;
        if (b["batch_sizes"] is { } bf)
            batches = _y.IntList(bf.Value, 1, MaxBatch, (i, _, n) => Note($"batch_sizes[{i}]", n));
        else if (!partial)
            throw _y.Missing(b, "batch_sizes");

        var mixField = b["mix"];
        var mix = mixField is null ? null : ReadMix(mixField.Value, Note);
        var context = ReadLength(b, "context", mix is not null, partial, Note);
        var output = ReadLength(b, "output", mix is not null, partial, Note);
        if (mix is not null)
            CheckMix(mixField!.Value, mix, context, output);

        var prefixField = b["shared_prefix_tokens"];
        var prefix = OptInt(b, "shared_prefix_tokens", 0, LengthDistribution.MaxTokens) ?? 0;
        var contexts = mix?.Select(m => m.Context) ?? context?.Nominal ?? [];
        if (prefixField is not null && contexts.Any() && prefix >= contexts.Min())
            throw _y.Error(prefixField.Value,
                $"{prefix} leaves no room in the shortest prompt ({contexts.Min()} tokens); a shared prefix must be shorter than every context length");
        var turns = OptInt(b, "turns", 1, MaxTurns) ?? 1;

        var warmups = OptInt(b, "warmup_repetitions", 0) ?? 1;
        var reps = OptInt(b, "repetitions", 1) ?? 3;
        var maxReps = OptInt(b, "max_repetitions", 1) ?? 1000;
        if (reps > maxReps && (b["max_repetitions"] ?? b["repetitions"]) is { } repsField)
            throw _y.Error(repsField.Value, $"repetitions ({reps}) is greater than max_repetitions ({maxReps})");
        var minDuration = b["min_duration_s"] is { } md ? _y.Number(md.Value, 0, inclusive: true) : 0;
        var requestCount = OptInt(b, "request_count", 1);
        // An explicit null arrival or slo removes an inherited one.
        var arrival = b["arrival"] is { Value.IsNull: false } af ? ReadArrival(SubBlock(af, "a mapping with kind and its parameters"), partial) : null;
        var slo = b["slo"] is { Value.IsNull: false } sf ? ReadSlo(SubBlock(sf, "a mapping with ttft_ms, tpot_ms, e2e_ms")) : SloSet.None;

        if (partial)
            return null;
        return new ResolvedProfile
        {
            Workload = workload,
            Name = profile,
            Description = description,
            Seed = seed,
            BatchSizes = batches!,
            Context = context!,
            Output = output!,
            Mix = mix,
            SharedPrefixTokens = prefix,
            Turns = turns,
            WarmupRepetitions = warmups,
            Repetitions = reps,
            MinDurationSeconds = minDuration,
            MaxRepetitions = maxReps,
            RequestCount = requestCount,
            Arrival = arrival,
            Slo = slo,
            Locator = new FieldLocator(file, b.Path, b.Line, where),
        };
    }

    private int? OptInt(Block b, string key, int min, int max = int.MaxValue) =>
        b[key] is { } f ? _y.Int(f.Value, min, max) : null;

    private LengthDistribution? ReadLength(Block profile, string key, bool mix, bool partial, Action<string, YNode> note)
    {
        var f = profile[key];
        if (f is null)
            return partial ? null : mix ? LengthDistribution.FixedAt() : throw _y.Missing(profile, key);

        if (f.Merged is null && f.Value.Node is YamlSequenceNode)
        {
            if (mix)
                throw _y.Error(f.Value, "the mix gives the lengths; write this as a mapping (kind, spread, sigma, min, max) or leave it out");
            var fixedNominal = _y.IntList(f.Value, 1, LengthDistribution.MaxTokens, (i, _, n) => note($"{key}.nominal[{i}]", n));
            return LengthDistribution.FixedAt([.. fixedNominal]);
        }

        var block = SubBlock(f, "a list of lengths, or a mapping with kind, nominal and the kind's parameters");
        var kind = LengthDistributionKind.Fixed;
        if (block["kind"] is { } kf)
        {
            var text = _y.Text(kf.Value, $"a distribution kind ({string.Join(", ", LengthKinds)})");
            var index = Array.IndexOf(LengthKinds, text);
            if (index < 0)
                throw _y.Error(kf.Value, $"unknown distribution kind '{text}'; expected one of {string.Join(", ", LengthKinds)}");
            kind = (LengthDistributionKind)index;
        }
        var kindName = LengthDistribution.KindName(kind);
        string[] allowed = kind switch
        {
            LengthDistributionKind.Fixed => ["kind", "nominal"],
            LengthDistributionKind.Uniform => ["kind", "nominal", "spread", "min", "max"],
            LengthDistributionKind.Lognormal => ["kind", "nominal", "sigma", "min", "max"],
            _ => ["kind", "file", "column", "min", "max"],
        };
        _y.CheckKeys(block, allowed, $"a {kindName} distribution", LengthFields);

        var min = block["min"] is { } minField ? _y.Int(minField.Value, 1, LengthDistribution.MaxTokens) : (int?)null;
        var max = block["max"] is { } maxField ? _y.Int(maxField.Value, 1, LengthDistribution.MaxTokens) : (int?)null;
        if (min > max)
            throw _y.Error(block["min"]!.Value, $"min ({min}) is greater than max ({max})");

        IReadOnlyList<int> nominal = [];
        if (block["nominal"] is { } nf)
        {
            if (mix)
                throw _y.Error(nf.Value, "the mix gives the lengths; leave nominal out");
            nominal = _y.IntList(nf.Value, 1, LengthDistribution.MaxTokens, (i, v, n) =>
            {
                note($"{key}.nominal[{i}]", n);
                if (v < (min ?? 1) || v > (max ?? LengthDistribution.MaxTokens))
                    throw _y.Error(n, $"{v} is outside min..max ({min?.ToString() ?? "1"}..{max?.ToString() ?? "unbounded"})");
            });
        }
        else if (kind != LengthDistributionKind.Trace && !mix && !partial)
            throw _y.Missing(block, "nominal");

        double? spread = null, sigma = null;
        TraceSamples? trace = null;
        switch (kind)
        {
            case LengthDistributionKind.Uniform when block["spread"] is { } sf:
                spread = _y.Number(sf.Value, 0, inclusive: true, below: 1);
                break;
            case LengthDistributionKind.Lognormal when block["sigma"] is { } sg:
                sigma = _y.Number(sg.Value, 0, inclusive: false);
                break;
            case LengthDistributionKind.Trace when block["file"] is { } tf:
                var column = block["column"] is { } cf ? _y.Text(cf.Value, "a column name") : null;
                trace = ReadTrace(tf.Value, column);
                nominal = [Math.Clamp(trace.Median, min ?? 1, max ?? LengthDistribution.MaxTokens)];
                break;
            case LengthDistributionKind.Uniform or LengthDistributionKind.Lognormal or LengthDistributionKind.Trace when !partial:
                throw _y.Missing(block, kind switch
                {
                    LengthDistributionKind.Uniform => "spread",
                    LengthDistributionKind.Lognormal => "sigma",
                    _ => "file",
                });
        }
        if (kind == LengthDistributionKind.Trace && mix)
            throw _y.Error(f.Value, "a trace gives its own lengths, so it cannot be combined with mix");

        return new LengthDistribution { Kind = kind, Nominal = nominal, Spread = spread, Sigma = sigma, Min = min, Max = max, Trace = trace };
    }

    private List<MixPair> ReadMix(YNode node, Action<string, YNode> note)
    {
        var items = _y.Sequence(node, "a list of {context, output} pairs");
        var pairs = new List<MixPair>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var item = _y.Mapping(items[i], "a {context: N, output: N} pair");
            _y.CheckKeys(item, MixFields);
            var c = _y.Int(Require(item, "context").Value, 1, LengthDistribution.MaxTokens);
            var o = _y.Int(Require(item, "output").Value, 1, LengthDistribution.MaxTokens);
            var pair = new MixPair(c, o);
            var first = pairs.IndexOf(pair);
            if (first >= 0)
                throw _y.Error(items[i], $"the pair context {c}, output {o} appears twice (also at {node.Path}[{first}])");
            note($"mix[{i}]", items[i]);
            note($"mix[{i}].context", item["context"]!.Value);
            note($"mix[{i}].output", item["output"]!.Value);
            pairs.Add(pair);
        }
        return pairs;
    }

    /// <summary>A mix's lengths must lie within the axes' min..max clamps, as a nominal list's must.</summary>
    private void CheckMix(YNode node, List<MixPair> mix, LengthDistribution? context, LengthDistribution? output)
    {
        var items = _y.Sequence(node, "a list of {context, output} pairs");
        for (var i = 0; i < mix.Count; i++)
        {
            foreach (var (axis, value, dist) in new[] { ("context", mix[i].Context, context), ("output", mix[i].Output, output) })
            {
                if (dist is null || (value >= (dist.Min ?? 1) && value <= (dist.Max ?? LengthDistribution.MaxTokens)))
                    continue;
                var at = _y.Mapping(items[i], "a pair")[axis]!.Value;
                throw _y.Error(at, $"{value} is outside {axis} min..max ({dist.Min?.ToString() ?? "1"}..{dist.Max?.ToString() ?? "unbounded"})");
            }
        }
    }

    private TraceSamples ReadTrace(YNode fileNode, string? column)
    {
        var written = _y.Text(fileNode, "a trace file path");
        string path;
        if (Path.IsPathRooted(written))
            path = written;
        else if (baseDirectory is not null)
            path = Path.GetFullPath(Path.Combine(baseDirectory, written));
        else
            throw _y.Error(fileNode, $"'{written}' is relative, and this workload was not read from a file; give an absolute path");
        if (_traces.TryGetValue((path, column), out var cached))
            return cached with { File = written };
        if (!System.IO.File.Exists(path))
            throw _y.Error(fileNode, $"no such trace file: {path}");
        byte[] bytes;
        try
        {
            bytes = System.IO.File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw _y.Error(fileNode, $"cannot read the trace file {path}: {e.Message}");
        }
        var trace = TraceReader.Read(path, bytes, column) with { File = written };
        _traces[(path, column)] = trace;
        return trace;
    }

    private ArrivalProcess? ReadArrival(Block block, bool partial)
    {
        if (block["kind"] is not { } kf)
        {
            _y.CheckKeys(block, ArrivalFields);
            return partial ? null : throw _y.Missing(block, "kind");
        }
        var text = _y.Text(kf.Value, $"an arrival kind ({string.Join(", ", ArrivalKinds)})");
        var index = Array.IndexOf(ArrivalKinds, text);
        if (index < 0)
            throw _y.Error(kf.Value, $"unknown arrival kind '{text}'; expected one of {string.Join(", ", ArrivalKinds)}");
        var kind = (ArrivalKind)index;
        string[] allowed = kind switch
        {
            ArrivalKind.ClosedLoop => ["kind", "concurrency"],
            ArrivalKind.Poisson => ["kind", "rates_per_s"],
            _ => ["kind", "rates_per_s", "burstiness"],
        };
        _y.CheckKeys(block, allowed, $"{text} arrivals", ArrivalFields);

        IReadOnlyList<int> concurrency = [];
        IReadOnlyList<double> rates = [];
        double? burstiness = null;
        if (kind == ArrivalKind.ClosedLoop)
        {
            if (block["concurrency"] is { } cf)
                concurrency = _y.IntList(cf.Value, 1, MaxBatch);
            else if (!partial)
                throw _y.Missing(block, "concurrency");
        }
        else
        {
            if (block["rates_per_s"] is { } rf)
            {
                var items = _y.Sequence(rf.Value, "a list of positive numbers (requests per second)");
                var values = new List<double>(items.Count);
                foreach (var item in items)
                {
                    var v = _y.Number(item, 0, inclusive: false);
                    if (values.Contains(v))
                        throw _y.Error(item, $"{v} appears twice");
                    values.Add(v);
                }
                rates = values;
            }
            else if (!partial)
                throw _y.Missing(block, "rates_per_s");
            if (kind == ArrivalKind.Gamma)
            {
                if (block["burstiness"] is { } bf)
                    burstiness = _y.Number(bf.Value, 0, inclusive: false);
                else if (!partial)
                    throw _y.Missing(block, "burstiness");
            }
        }
        return new ArrivalProcess { Kind = kind, Concurrency = concurrency, RatesPerSecond = rates, Burstiness = burstiness };
    }

    private SloSet ReadSlo(Block block)
    {
        _y.CheckKeys(block, SloFields);
        double? Bound(string key) =>
            block[key] is { } f && !f.Value.IsNull ? _y.Number(f.Value, 0, inclusive: false) : null;
        return new SloSet(Bound("ttft_ms"), Bound("tpot_ms"), Bound("e2e_ms"));
    }
}
