using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace SiliconBench.Models;

/// <summary>The floating-point formats a checkpoint or a compute graph may hold weights in.</summary>
public enum WeightDtype
{
    Fp32,
    Fp16,
    Bf16,
}

/// <summary>
/// Names and conversions of <see cref="WeightDtype"/>: the short names the CLI and records use (<c>fp32</c>),
/// Hugging Face's <c>torch_dtype</c> names (<c>float32</c>) and safetensors' (<c>F32</c>).
/// </summary>
public static class WeightDtypes
{
    /// <summary>The short names, in the order an error message lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["fp32", "fp16", "bf16"];

    public static int SizeOf(WeightDtype dtype) => dtype == WeightDtype.Fp32 ? 4 : 2;

    public static string Name(WeightDtype dtype) => dtype switch
    {
        WeightDtype.Fp32 => "fp32",
        WeightDtype.Fp16 => "fp16",
        _ => "bf16",
    };

    public static string TorchName(WeightDtype dtype) => dtype switch
    {
        WeightDtype.Fp32 => "float32",
        WeightDtype.Fp16 => "float16",
        _ => "bfloat16",
    };

    public static string SafetensorsName(WeightDtype dtype) => dtype switch
    {
        WeightDtype.Fp32 => "F32",
        WeightDtype.Fp16 => "F16",
        _ => "BF16",
    };

    /// <summary>Parses a short name (<c>fp32</c>), a torch name (<c>float32</c>) or a safetensors name (<c>F32</c>).</summary>
    public static bool TryParse(string? text, out WeightDtype dtype)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "fp32" or "float32" or "f32" or "float":
                dtype = WeightDtype.Fp32;
                return true;
            case "fp16" or "float16" or "f16" or "half":
                dtype = WeightDtype.Fp16;
                return true;
            case "bf16" or "bfloat16":
                dtype = WeightDtype.Bf16;
                return true;
            default:
                dtype = default;
                return false;
        }
    }

    /// <summary>Float → bfloat16 with round-to-nearest-even, as PyTorch converts (NaN stays a quiet NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort ToBf16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000)
            return (ushort)((bits >> 16) | 0x0040);
        var rounding = 0x7FFFu + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float FromBf16(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>Encodes floats as little-endian bytes of <paramref name="dtype"/>; <paramref name="destination"/> holds <c>values.Length × size</c> bytes.</summary>
    public static void Encode(ReadOnlySpan<float> values, WeightDtype dtype, Span<byte> destination)
    {
        var size = SizeOf(dtype);
        if (destination.Length < values.Length * size)
            throw new ArgumentException("destination too small", nameof(destination));
        switch (dtype)
        {
            case WeightDtype.Fp32:
                for (var i = 0; i < values.Length; i++)
                    BinaryPrimitives.WriteSingleLittleEndian(destination[(i * 4)..], values[i]);
                break;
            case WeightDtype.Fp16:
                for (var i = 0; i < values.Length; i++)
                    BinaryPrimitives.WriteHalfLittleEndian(destination[(i * 2)..], (Half)values[i]);
                break;
            default:
                for (var i = 0; i < values.Length; i++)
                    BinaryPrimitives.WriteUInt16LittleEndian(destination[(i * 2)..], ToBf16(values[i]));
                break;
        }
    }

    /// <summary>Decodes little-endian bytes of <paramref name="dtype"/> into floats.</summary>
    public static void Decode(ReadOnlySpan<byte> source, WeightDtype dtype, Span<float> destination)
    {
        var size = SizeOf(dtype);
        var n = source.Length / size;
        if (destination.Length < n)
            throw new ArgumentException("destination too small", nameof(destination));
        switch (dtype)
        {
            case WeightDtype.Fp32:
                for (var i = 0; i < n; i++)
                    destination[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(i * 4)..]);
                break;
            case WeightDtype.Fp16:
                for (var i = 0; i < n; i++)
                    destination[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(source[(i * 2)..]);
                break;
            default:
                for (var i = 0; i < n; i++)
                    destination[i] = FromBf16(BinaryPrimitives.ReadUInt16LittleEndian(source[(i * 2)..]));
                break;
        }
    }
}
