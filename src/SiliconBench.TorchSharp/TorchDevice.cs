using System.Globalization;
using SiliconBench.Diagnostics;
using SiliconBench.Models;

namespace SiliconBench.TorchSharp;

/// <summary>A libtorch device as the user names it: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
public sealed record TorchDevice(string Kind, int Index)
{
    public bool IsCuda => Kind == "cuda";

    /// <summary>Canonical name for the record and for libtorch: <c>cpu</c> or <c>cuda:N</c>.</summary>
    public string Name => IsCuda ? $"cuda:{Index.ToString(CultureInfo.InvariantCulture)}" : "cpu";

    /// <summary>Parses <c>cpu | cuda | cuda:N</c>; anything else is an <see cref="InputException"/>.</summary>
    public static TorchDevice Parse(string? device, string source = "command line", string field = "--device")
    {
        var text = (device ?? "cpu").Trim().ToLowerInvariant();
        if (text == "cpu")
            return new TorchDevice("cpu", 0);
        if (text == "cuda")
            return new TorchDevice("cuda", 0);
        if (text.StartsWith("cuda:", StringComparison.Ordinal))
        {
            return int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                ? new TorchDevice("cuda", index)
                : throw new InputException(source, null, field, $"'{device}' is not a device; give cuda or cuda:N with N a device index");
        }
        throw new InputException(source, null, field, $"unknown device '{device}'; the torchsharp engine takes cpu, cuda or cuda:N");
    }

    /// <summary>Checks a parsed device against what the loaded libtorch offers (CUDA build, device count).</summary>
    public void EnsureAvailable(bool cudaAvailable, int cudaDeviceCount, string source = "command line", string field = "--device")
    {
        if (!IsCuda)
            return;
        if (!cudaAvailable)
            throw new InputException(source, null, field,
                $"device '{Name}' needs CUDA, which this libtorch build or machine lacks; the torchsharp engine has cpu here " +
                "(a CUDA build is selected with -p:TorchSharpPackage=TorchSharp-cuda-linux, and needs an NVIDIA driver)");
        if (Index >= cudaDeviceCount)
            throw new InputException(source, null, field,
                $"device '{Name}' does not exist; this machine has {cudaDeviceCount} CUDA device(s) (cuda:0..cuda:{cudaDeviceCount - 1})");
    }

    /// <summary>
    /// The compute dtype: the requested one, else fp32 on cpu (libtorch's fast CPU kernels are fp32) and bf16 on
    /// cuda (the dtype Llama releases ship in, with fp32's exponent range).
    /// </summary>
    public WeightDtype ComputeDtype(string? requested, string source = "command line", string field = "--dtype")
    {
        if (requested is null)
            return IsCuda ? WeightDtype.Bf16 : WeightDtype.Fp32;
        return WeightDtypes.TryParse(requested, out var dtype)
            ? dtype
            : throw new InputException(source, null, field, $"'{requested}' is not one of {string.Join(", ", WeightDtypes.Names)}");
    }
}
