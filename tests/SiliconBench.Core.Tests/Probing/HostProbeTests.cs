using SiliconBench.Probing;
using Xunit;

namespace SiliconBench.Tests.Probing;

public sealed class HostProbeTests
{
    [Fact]
    public void Describe_fills_every_field()
    {
        var host = HostProbe.Describe();

        Assert.False(string.IsNullOrWhiteSpace(host.Hostname));
        Assert.False(string.IsNullOrWhiteSpace(host.Os));
        Assert.False(string.IsNullOrWhiteSpace(host.Cpu));
        Assert.False(string.IsNullOrWhiteSpace(host.Runtime));
        Assert.Equal(Environment.ProcessorCount, host.LogicalCores);
        Assert.True(host.MemoryBytes > 0);
    }

    [Fact]
    public void Cpu_model_comes_from_model_name_on_x86()
    {
        const string cpuinfo = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Platinum 8480+\nflags\t\t: fpu\n\nprocessor\t: 1\nmodel name\t: Intel(R) Xeon(R) Platinum 8480+\n";

        Assert.Equal("Intel(R) Xeon(R) Platinum 8480+", HostProbe.ParseCpuModel(cpuinfo));
    }

    [Fact]
    public void Cpu_model_falls_back_to_arm_fields_and_null_when_absent()
    {
        Assert.Equal("Raspberry Pi 5 Model B Rev 1.0", HostProbe.ParseCpuModel("processor : 0\nBogoMIPS : 108.00\n\nHardware : BCM2835\nModel : Raspberry Pi 5 Model B Rev 1.0\n"));
        Assert.Equal("BCM2835", HostProbe.ParseCpuModel("processor : 0\nHardware : BCM2835\n"));
        Assert.Null(HostProbe.ParseCpuModel("processor : 0\nmodel name :\n"));
    }

    [Fact]
    public void Mem_total_is_read_in_kibibytes()
    {
        Assert.Equal(16_303_164L * 1024, HostProbe.ParseMemTotalBytes("MemTotal:       16303164 kB\nMemFree:         1234 kB\n"));
        Assert.Null(HostProbe.ParseMemTotalBytes("MemFree: 1234 kB\n"));
        Assert.Null(HostProbe.ParseMemTotalBytes("MemTotal: lots kB\n"));
    }
}
