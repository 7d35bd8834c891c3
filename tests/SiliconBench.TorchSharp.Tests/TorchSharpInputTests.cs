using SiliconBench.Diagnostics;
using SiliconBench.Models;
using SiliconBench.TorchSharp;
using Xunit;

namespace SiliconBench.Tests.TorchSharp;

/// <summary>Device, dtype and option parsing: plain C#, runs everywhere.</summary>
public sealed class TorchSharpInputTests
{
    [Theory]
    [InlineData("cpu", "cpu")]
    [InlineData(" CPU ", "cpu")]
    [InlineData("cuda", "cuda:0")]
    [InlineData("cuda:3", "cuda:3")]
    public void Devices_parse_to_their_canonical_names(string text, string name) =>
        Assert.Equal(name, TorchDevice.Parse(text).Name);

    [Theory]
    [InlineData("gpu", "unknown device")]
    [InlineData("cuda:x", "cuda:N")]
    [InlineData("cuda:-1", "cuda:N")]
    [InlineData("rocm", "unknown device")]
    public void Bad_devices_are_input_errors_on_the_device_field(string text, string problem)
    {
        var e = Assert.Throws<InputException>(() => TorchDevice.Parse(text));
        Assert.Equal("--device", e.Field);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void Cuda_without_cuda_points_at_the_cuda_package()
    {
        var e = Assert.Throws<InputException>(() => TorchDevice.Parse("cuda").EnsureAvailable(cudaAvailable: false, cudaDeviceCount: 0));
        Assert.Contains("-p:TorchSharpPackage=TorchSharp-cuda-linux", e.Message);
        TorchDevice.Parse("cpu").EnsureAvailable(cudaAvailable: false, cudaDeviceCount: 0);
    }

    [Fact]
    public void A_cuda_index_past_the_device_count_is_refused()
    {
        var e = Assert.Throws<InputException>(() => TorchDevice.Parse("cuda:2").EnsureAvailable(cudaAvailable: true, cudaDeviceCount: 2));
        Assert.Contains("cuda:0..cuda:1", e.Message);
        TorchDevice.Parse("cuda:1").EnsureAvailable(cudaAvailable: true, cudaDeviceCount: 2);
    }

    [Fact]
    public void Compute_dtype_defaults_to_fp32_on_cpu_and_bf16_on_cuda_and_takes_any_of_the_three()
    {
        Assert.Equal(WeightDtype.Fp32, TorchDevice.Parse("cpu").ComputeDtype(null));
        Assert.Equal(WeightDtype.Bf16, TorchDevice.Parse("cuda").ComputeDtype(null));
        Assert.Equal(WeightDtype.Fp16, TorchDevice.Parse("cuda").ComputeDtype("fp16"));
        Assert.Equal(WeightDtype.Bf16, TorchDevice.Parse("cpu").ComputeDtype("bfloat16"));
        var e = Assert.Throws<InputException>(() => TorchDevice.Parse("cpu").ComputeDtype("int8"));
        Assert.Equal("--dtype", e.Field);
    }

    [Fact]
    public void Options_parse_with_defaults()
    {
        var none = TorchSharpOptions.Parse(new Dictionary<string, string>());
        Assert.Null(none.Threads);
        Assert.Null(none.CheckpointDtype);
        Assert.Equal(TorchSharpOptions.DefaultKvReserve, none.KvReserve);
        var all = TorchSharpOptions.Parse(new Dictionary<string, string> { ["threads"] = "4", ["kv_reserve"] = "64", ["checkpoint_dtype"] = "float16" });
        Assert.Equal((4, 64, "fp16"), (all.Threads!.Value, all.KvReserve, all.CheckpointDtype));
    }

    [Theory]
    [InlineData("threads", "0", "threads")]
    [InlineData("threads", "two", "threads")]
    [InlineData("kv_reserve", "-5", "kv_reserve")]
    [InlineData("checkpoint_dtype", "int4", "checkpoint_dtype")]
    [InlineData("provider", "cuda", "--option")]
    public void Bad_options_name_their_field(string key, string value, string field)
    {
        var e = Assert.Throws<InputException>(() => TorchSharpOptions.Parse(new Dictionary<string, string> { [key] = value }));
        Assert.Equal(field, e.Field);
    }
}
