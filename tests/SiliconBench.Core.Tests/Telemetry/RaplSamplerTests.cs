using System.Globalization;
using SiliconBench.Telemetry;
using Xunit;

namespace SiliconBench.Tests.Telemetry;

public sealed class RaplSamplerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "sb-rapl-" + Guid.NewGuid().ToString("N"));

    public RaplSamplerTests()
    {
        Domain("intel-rapl:0", "package-0", 262143328850, 262143000000);
        Domain("intel-rapl:1", "package-1", 262143328850, 5_000_000);
        Domain("intel-rapl:0:0", "core", 262143328850, 1);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Domain(string dir, string name, long range, long energy)
    {
        var d = Path.Combine(_root, dir);
        Directory.CreateDirectory(d);
        File.WriteAllText(Path.Combine(d, "name"), name + "\n");
        File.WriteAllText(Path.Combine(d, "max_energy_range_uj"), range.ToString(CultureInfo.InvariantCulture) + "\n");
        SetEnergy(dir, energy);
    }

    private void SetEnergy(string dir, long uj) =>
        File.WriteAllText(Path.Combine(_root, dir, "energy_uj"), uj.ToString(CultureInfo.InvariantCulture) + "\n");

    [Fact]
    public void Reads_package_domains_only_as_raw_counters_with_their_wrap_range()
    {
        using var sampler = new RaplSampler(_root);
        Assert.Equal(["rapl:0", "rapl:1"], sampler.Sensors.Select(s => s.Id));
        Assert.All(sampler.Sensors, s => Assert.Equal(SensorScope.CpuPackage, s.Scope));
        Assert.Equal("package-1", sampler.Sensors[1].Device);
        var sink = new ListTelemetrySink();
        sampler.Sample(1.0, sink);
        SetEnergy("intel-rapl:0", 1_500_000); // wrapped past max_energy_range_uj
        sampler.Sample(2.0, sink);
        var s = sink.Snapshot();
        Assert.Equal(262143.32885, s.Single(x => x.Sensor == "rapl:0" && x.Quantity == Quantities.EnergyRangeJ).Value);
        Assert.Single(s, x => x.Quantity == Quantities.EnergyRangeJ && x.Sensor == "rapl:1");
        Assert.Equal([262143.0, 1.5], s.Where(x => x.Sensor == "rapl:0" && x.Quantity == Quantities.EnergyJ).Select(x => x.Value));
        Assert.Equal([5.0, 5.0], s.Where(x => x.Sensor == "rapl:1" && x.Quantity == Quantities.EnergyJ).Select(x => x.Value));
    }

    [Fact]
    public void A_root_only_counter_is_reported_plainly_and_not_sampled()
    {
        // Tests may run as root, where chmod cannot deny a read; the reader simulates the kernel's refusal.
        string Reader(string path) => path.EndsWith("energy_uj", StringComparison.Ordinal) && path.Contains("intel-rapl:1", StringComparison.Ordinal)
            ? throw new UnauthorizedAccessException("Access to the path is denied.")
            : File.ReadAllText(path);
        using var sampler = new RaplSampler(_root, null, Reader);
        Assert.Equal(["rapl:0"], sampler.Sensors.Select(s => s.Id));
        Assert.Contains(sampler.Notes, n => n.StartsWith(RaplSampler.RootOnlyMessage, StringComparison.Ordinal));
        var domains = RaplSampler.Discover(_root, Reader);
        Assert.False(domains.Single(d => d.Id == "rapl:1").Readable);
        Assert.Equal(RaplSampler.RootOnlyMessage, domains.Single(d => d.Id == "rapl:1").Detail);
    }

    [Fact]
    public void No_powercap_directory_means_no_sensors_and_a_note()
    {
        using var sampler = new RaplSampler(Path.Combine(_root, "missing"));
        Assert.Empty(sampler.Sensors);
        Assert.Contains("no RAPL domains", Assert.Single(sampler.Notes), StringComparison.Ordinal);
    }
}
