using System.Globalization;
using SiliconBench.Records;

namespace SiliconBench.Telemetry;

/// <summary>
/// Linux powercap RAPL: one sensor <c>rapl:N</c> per package domain <c>intel-rapl:N</c>, scope cpu_package.
/// Writes the raw counter (energy_uj as joules) and, once, its wrap range; the analyzer unwraps.
/// Sub-zones (core, uncore) lie inside the package and are not read, so nothing is counted twice.
/// </summary>
public sealed class RaplSampler : PeriodicSampler
{
    public const string DefaultRoot = "/sys/class/powercap";
    public const string RootOnlyMessage = "RAPL energy_uj is readable only by root on this machine";
    public static readonly TimeSpan DefaultRaplInterval = TimeSpan.FromMilliseconds(100);

    private readonly Func<string, string> _readText;
    private readonly RaplDomain[] _domains;
    private readonly SensorInfo[] _sensors;
    private bool _rangeWritten;

    public RaplSampler(string root = DefaultRoot, TimeSpan? interval = null)
        : this(root, interval, File.ReadAllText)
    {
    }

    /// <summary>For tests: <paramref name="readText"/> replaces file reads (e.g. to simulate a root-only file when tests run as root).</summary>
    internal RaplSampler(string root, TimeSpan? interval, Func<string, string> readText)
        : base("rapl", interval ?? DefaultRaplInterval)
    {
        _readText = readText;
        var found = Discover(root, readText);
        _domains = [.. found.Where(d => d.Readable)];
        if (found.Count == 0)
            AddNote($"no RAPL domains under {root}");
        else if (_domains.Length == 0)
            AddNote(found.Any(d => d.RootOnly) ? RootOnlyMessage : $"no RAPL domain under {root} is readable: {found[0].Detail}");
        else if (found.Any(d => d.RootOnly))
            AddNote(RootOnlyMessage + " (some domains)");
        _sensors = [.. _domains.Select(d => new SensorInfo(d.Id, SensorScope.CpuPackage, "rapl energy counter")
        {
            IntervalS = Interval.TotalSeconds,
            Device = d.Name,
        })];
    }

    public override IReadOnlyList<SensorInfo> Sensors => _sensors;

    /// <summary>Package domains under <paramref name="root"/>, each with whether its counter can be read.</summary>
    public static IReadOnlyList<RaplDomain> Discover(string root = DefaultRoot) => Discover(root, File.ReadAllText);

    internal static IReadOnlyList<RaplDomain> Discover(string root, Func<string, string> readText)
    {
        if (!Directory.Exists(root))
            return [];
        var domains = new List<RaplDomain>();
        foreach (var dir in Directory.GetDirectories(root, "intel-rapl:*").Order(StringComparer.Ordinal))
        {
            var suffix = Path.GetFileName(dir)["intel-rapl:".Length..];
            if (suffix.Contains(':', StringComparison.Ordinal))
                continue;
            var name = TryRead(Path.Combine(dir, "name"), readText) ?? "package";
            var id = "rapl:" + suffix;
            try
            {
                var range = ParseUj(readText(Path.Combine(dir, "max_energy_range_uj")));
                ParseUj(readText(Path.Combine(dir, "energy_uj")));
                domains.Add(new RaplDomain(id, name, dir, range, true, false, "readable"));
            }
            catch (UnauthorizedAccessException)
            {
                domains.Add(new RaplDomain(id, name, dir, 0, false, true, RootOnlyMessage));
            }
            catch (Exception e) when (e is IOException or FormatException)
            {
                domains.Add(new RaplDomain(id, name, dir, 0, false, false, e.Message));
            }
        }
        return domains;
    }

    private static string? TryRead(string path, Func<string, string> readText)
    {
        try
        {
            return readText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static double ParseUj(string text) =>
        ulong.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FormatException($"'{text.Trim()}' is not a counter value");

    protected internal override void Sample(double t, ITelemetrySink sink)
    {
        if (!_rangeWritten)
        {
            foreach (var d in _domains)
                sink.Write(new TelemetrySample(t, d.Id, Quantities.EnergyRangeJ, d.MaxRangeUj / 1e6));
            _rangeWritten = true;
        }
        foreach (var d in _domains)
        {
            var uj = ParseUj(_readText(Path.Combine(d.Path, "energy_uj")));
            sink.Write(new TelemetrySample(t, d.Id, Quantities.EnergyJ, uj / 1e6));
        }
    }
}

/// <summary>A RAPL package domain as found on disk.</summary>
public sealed record RaplDomain(string Id, string Name, string Path, double MaxRangeUj, bool Readable, bool RootOnly, string Detail);
