using SiliconBench.Diagnostics;
using SiliconBench.Records;
using SiliconBench.Telemetry;
using SiliconBench.Telemetry.Nvml;
using SiliconBench.Testing;
using Xunit;

namespace SiliconBench.Tests.Telemetry;

[Collection(FakeNvmlGroup.Name)]
public sealed class NvmlSamplerTests(FakeNvmlFixture fake)
{
    private NvmlSampler Open(IReadOnlyList<int>? gpus = null) => new(gpus, TimeSpan.FromMilliseconds(5), fake.LibraryPath);

    private static List<TelemetrySample> Tick(NvmlSampler sampler, double t)
    {
        var sink = new ListTelemetrySink();
        sampler.Sample(t, sink);
        return [.. sink.Snapshot()];
    }

    private static double Value(IEnumerable<TelemetrySample> samples, string sensor, string quantity) =>
        samples.Single(s => s.Sensor == sensor && s.Quantity == quantity).Value;

    [Fact]
    public void Inventory_reads_names_uuids_bus_ids_memory_and_power_limits_of_both_devices()
    {
        fake.Script("devices=2");
        using var sampler = Open();
        Assert.Equal(["nvml:0", "nvml:1"], sampler.Sensors.Select(s => s.Id));
        Assert.All(sampler.Sensors, s => Assert.Equal(SensorScope.Accelerator, s.Scope));
        Assert.All(sampler.Sensors, s => Assert.Equal("nvml energy counter", s.Method));
        Assert.Equal("Fake GPU 1 GPU-fake-0001", sampler.Sensors[1].Device);
        var gpu1 = sampler.Accelerators[1];
        Assert.Equal("Fake GPU 1", gpu1.Name);
        Assert.Equal("GPU-fake-0001", gpu1.Uuid);
        Assert.Equal("00000000:11:00.0", gpu1.PciBusId);
        Assert.Equal("555.42.06", gpu1.Driver);
        Assert.Equal(80L << 30, gpu1.MemoryBytes);
        Assert.Equal(650.0, gpu1.PowerLimitW);
        Assert.Equal("12.555.42.06", sampler.NvmlVersion);
    }

    [Fact]
    public void A_tick_converts_millijoules_milliwatts_and_reads_every_state_quantity()
    {
        fake.Script("devices=2", "energy_mj.0=5000000,250", "energy_mj.1=7000000,500", "avg_mw.0=301500", "inst_mw.0=312250", "reasons.1=4");
        using var sampler = Open();
        var first = Tick(sampler, 1.0);
        var second = Tick(sampler, 2.0);
        // Inventory probed the counter once, so the first tick sees the second value.
        Assert.Equal(5000.25, Value(first, "nvml:0", Quantities.EnergyJ));
        Assert.Equal(5000.5, Value(second, "nvml:0", Quantities.EnergyJ));
        Assert.Equal(7001.0, Value(second, "nvml:1", Quantities.EnergyJ));
        Assert.Equal(312.25, Value(first, "nvml:0", Quantities.PowerW));
        Assert.Equal(301.5, Value(first, "nvml:0", Quantities.PowerAvgW));
        Assert.Equal(1980, Value(first, "nvml:0", Quantities.SmClockMhz));
        Assert.Equal(2619, Value(first, "nvml:0", Quantities.MemClockMhz));
        Assert.Equal(41, Value(first, "nvml:1", Quantities.TempC));
        Assert.Equal(97, Value(first, "nvml:1", Quantities.UtilPct));
        Assert.Equal(55, Value(first, "nvml:1", Quantities.MemUtilPct));
        Assert.Equal(2.0 * (1L << 30), Value(first, "nvml:1", Quantities.MemUsedBytes));
        Assert.Equal(4, Value(first, "nvml:1", Quantities.ThrottleReasons));
        Assert.Equal(0, Value(first, "nvml:0", Quantities.ThrottleReasons));
        Assert.All(second, s => Assert.Equal(2.0, s.T));
    }

    [Theory]
    [InlineData("fields_rc=3")]
    [InlineData("field_rc=3")]
    public void Without_power_fields_power_comes_from_power_usage_and_no_average_is_written(string unsupported)
    {
        fake.Script("devices=1", unsupported, "power_mw.0=250000,1000");
        using var sampler = Open();
        var first = Tick(sampler, 0);
        var second = Tick(sampler, 1);
        Assert.Equal(250.0, Value(first, "nvml:0", Quantities.PowerW));
        Assert.Equal(251.0, Value(second, "nvml:0", Quantities.PowerW));
        Assert.DoesNotContain(second, s => s.Quantity == Quantities.PowerAvgW);
    }

    [Fact]
    public void A_device_without_an_energy_counter_is_declared_as_integrated_power()
    {
        fake.Script("devices=2", "energy_rc.1=3");
        using var sampler = Open();
        Assert.Equal("nvml power (integrated)", sampler.Sensors[1].Method);
        Assert.Contains(sampler.Notes, n => n.Contains("nvml:1", StringComparison.Ordinal));
        var samples = Tick(sampler, 0);
        Assert.DoesNotContain(samples, s => s.Sensor == "nvml:1" && s.Quantity == Quantities.EnergyJ);
        Assert.Contains(samples, s => s.Sensor == "nvml:1" && s.Quantity == Quantities.PowerW);
    }

    [Fact]
    public async Task An_error_mid_run_stops_the_sampler_with_nvmls_own_text_and_keeps_earlier_samples()
    {
        fake.Script("devices=2", "energy_fail_after.1=4");
        var clock = new FakeTimeSource(12.5);
        var sink = new ListTelemetrySink();
        using var sampler = Open();
        sampler.Start(clock, sink);
        while (sampler.Faults.Count == 0)
            await Task.Delay(5, TestContext.Current.CancellationToken);
        sampler.Stop();
        var fault = Assert.Single(sampler.Faults);
        Assert.Equal("nvml", fault.Sampler);
        Assert.Equal(12.5, fault.T);
        Assert.Contains("GPU is lost", fault.Message, StringComparison.Ordinal);
        Assert.Contains("nvmlDeviceGetTotalEnergyConsumption", fault.Message, StringComparison.Ordinal);
        Assert.False(sampler.IsRunning);
        Assert.Equal(3, sink.Snapshot().Count(s => s.Sensor == "nvml:1" && s.Quantity == Quantities.EnergyJ));
    }

    [Fact]
    public void Energy_of_two_gpus_read_through_nvml_is_summed_into_one_accelerator_scope()
    {
        fake.Script("devices=2", "energy_mj.0=1000000,200000", "energy_mj.1=9000000,300000");
        using var sampler = Open();
        var sink = new ListTelemetrySink();
        for (var t = 0; t <= 3; t++)
            sampler.Sample(t, sink);
        var report = SiliconBench.Analysis.Energy.EnergyAnalysis.Compute(sampler.Sensors, sink.Snapshot(),
            new SiliconBench.Analysis.Energy.EnergyInputs { TStart = 0.5, TEnd = 2.5, OutputTokens = 100 });
        var scope = Assert.Single(report.Scopes);
        Assert.Equal(SensorScope.Accelerator, scope.Scope);
        Assert.Equal("counter", scope.Method);
        Assert.Equal(1000.0, scope.Overall.EnergyJ!.Value, 9);
        Assert.Equal(500.0, scope.Overall.AvgPowerW!.Value, 9);
        Assert.Equal(10.0, scope.Overall.JPerOutputToken!.Value, 9);
    }

    [Fact]
    public void A_failed_init_carries_the_error_string()
    {
        fake.Script("init_rc=9");
        var e = Assert.Throws<NvmlException>(() => Open());
        Assert.Equal(9, e.Code);
        Assert.Contains("Driver Not Loaded", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Device_selection_reads_only_the_listed_gpus_and_rejects_missing_ones()
    {
        fake.Script("devices=3");
        using (var sampler = Open([2, 0]))
            Assert.Equal(["nvml:2", "nvml:0"], sampler.Sensors.Select(s => s.Id));
        Assert.Throws<ArgumentOutOfRangeException>(() => Open([3]));
    }

    [Fact]
    public void Every_init_is_paired_with_one_shutdown_even_when_construction_fails()
    {
        fake.Script("devices=1");
        var before = fake.InitCount - fake.ShutdownCount;
        using (Open())
            Assert.Equal(before + 1, fake.InitCount - fake.ShutdownCount);
        Assert.Throws<ArgumentOutOfRangeException>(() => Open([4]));
        Assert.Equal(before, fake.InitCount - fake.ShutdownCount);
    }

    [Fact]
    public void The_spec_parser_loads_the_library_named_by_the_environment_and_maps_failures_to_input_errors()
    {
        fake.Script("devices=2");
        var old = Environment.GetEnvironmentVariable(NvmlLibrary.LibraryEnvironmentVariable);
        Environment.SetEnvironmentVariable(NvmlLibrary.LibraryEnvironmentVariable, fake.LibraryPath);
        try
        {
            var samplers = SamplerSpec.ParseAll(["nvml:gpus=1,interval_ms=20"], "--sampler");
            var nvml = Assert.IsType<NvmlSampler>(Assert.Single(samplers));
            Assert.Equal(["nvml:1"], nvml.Sensors.Select(s => s.Id));
            Assert.Equal(TimeSpan.FromMilliseconds(20), nvml.Interval);
            nvml.Dispose();
            var missing = Assert.Throws<InputException>(() => SamplerSpec.ParseAll(["nvml:gpus=0,7"], "--sampler"));
            Assert.Equal("gpus", missing.Field);
            var twice = Assert.Throws<InputException>(() => SamplerSpec.ParseAll(["nvml:gpus=0", "nvml:gpus=0"], "--sampler"));
            Assert.Contains("nvml:0", twice.Problem, StringComparison.Ordinal);
            fake.Script("init_rc=9");
            var noDriver = Assert.Throws<InputException>(() => SamplerSpec.ParseAll(["nvml"], "--sampler"));
            Assert.Equal("nvml", noDriver.Field);
            Assert.Contains("Driver Not Loaded", noDriver.Problem, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(NvmlLibrary.LibraryEnvironmentVariable, old);
        }
    }

    [Fact]
    public void Probe_lists_each_gpu_as_readable_and_a_missing_library_as_not_readable()
    {
        fake.Script("devices=2");
        var rapl = Path.Combine(Path.GetTempPath(), "sb-no-rapl-" + Guid.NewGuid().ToString("N"));
        var found = SensorProbe.Discover(fake.LibraryPath, rapl);
        Assert.Equal(["nvml:0", "nvml:1", "rapl"], found.Select(s => s.Id));
        Assert.True(found[0].Readable);
        Assert.Contains("Fake GPU 0", found[0].Detail, StringComparison.Ordinal);
        Assert.False(found[2].Readable);
        var none = SensorProbe.Discover("/nonexistent/libnvidia-ml.so.1", rapl);
        Assert.False(none[0].Readable);
        Assert.Contains("could not be loaded", none[0].Detail, StringComparison.Ordinal);
    }
}
