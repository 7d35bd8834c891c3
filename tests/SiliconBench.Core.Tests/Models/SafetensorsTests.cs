using System.Buffers.Binary;
using System.Text;
using SiliconBench.Diagnostics;
using SiliconBench.Models;
using Xunit;

namespace SiliconBench.Tests.Models;

public sealed class SafetensorsTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sb-st-" + Guid.NewGuid().ToString("N"));

    public SafetensorsTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Fp32_fp16_and_bf16_tensors_round_trip_with_shapes_offsets_and_metadata()
    {
        float[] exact = [0f, 1f, -2.5f, 0.125f, 1024f, -0.0078125f];
        float[] inexact = [0.1f, 3.14159265f, -1e-3f, 65504f, 1e-8f, 123.456f];
        var path = Path.Combine(_dir, "m.safetensors");
        SafetensorsTensor[] tensors =
        [
            new("a.f32", WeightDtype.Fp32, [2, 3]),
            new("b.f16", WeightDtype.Fp16, [6]),
            new("c.bf16", WeightDtype.Bf16, [3, 2]),
            new("d.bf16", WeightDtype.Bf16, [6]),
            new("e.empty", WeightDtype.Fp32, [0, 4]),
        ];
        using (var w = new SafetensorsWriter(path, tensors, new Dictionary<string, string> { ["format"] = "pt" }))
        {
            w.WriteFloats(inexact.AsSpan(0, 4));
            w.WriteFloats(inexact.AsSpan(4));
            w.WriteFloats(inexact);
            w.WriteFloats(exact);
            w.WriteFloats(inexact);
            w.Complete();
        }

        var raw = File.ReadAllBytes(path);
        var headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(raw);
        Assert.Equal(0, (8 + headerLength) % 8);
        Assert.StartsWith("{\"__metadata__\":{\"format\":\"pt\"}", Encoding.UTF8.GetString(raw, 8, (int)headerLength));

        using var f = SafetensorsFile.Open(path);
        Assert.Equal("pt", f.Metadata["format"]);
        Assert.Equal(["a.f32", "b.f16", "c.bf16", "d.bf16", "e.empty"], f.Tensors.Select(t => t.Name));
        Assert.Equal([3L, 2L], f.Get("c.bf16").Shape);
        Assert.Equal(24, f.Get("b.f16").DataBegin);
        Assert.Equal(inexact, f.ReadFloats("a.f32"));
        Assert.Equal(inexact.Select(v => (float)(Half)v), f.ReadFloats("b.f16"));
        Assert.Equal(exact, f.ReadFloats("c.bf16"));
        var bf16 = f.ReadFloats("d.bf16");
        for (var i = 0; i < inexact.Length; i++)
            Assert.True(Math.Abs(bf16[i] - inexact[i]) <= Math.Abs(inexact[i]) / 256, $"{inexact[i]} → {bf16[i]}");
        Assert.Empty(f.ReadFloats("e.empty"));
        var partial = new float[2];
        f.ReadFloats(f.Get("a.f32"), 3, partial);
        Assert.Equal(inexact.AsSpan(3, 2).ToArray(), partial);
    }

    [Fact]
    public void Bf16_conversion_rounds_to_nearest_even_like_torch()
    {
        Assert.Equal(0x3F80, WeightDtypes.ToBf16(1f));
        Assert.Equal(0x3F80, WeightDtypes.ToBf16(BitConverter.UInt32BitsToSingle(0x3F808000))); // tie → even
        Assert.Equal(0x3F82, WeightDtypes.ToBf16(BitConverter.UInt32BitsToSingle(0x3F818000))); // tie → even (up)
        Assert.Equal(0x3F81, WeightDtypes.ToBf16(BitConverter.UInt32BitsToSingle(0x3F808001)));
        Assert.True(float.IsNaN(WeightDtypes.FromBf16(WeightDtypes.ToBf16(float.NaN))));
        Assert.Equal(float.PositiveInfinity, WeightDtypes.FromBf16(WeightDtypes.ToBf16(float.PositiveInfinity)));
    }

    [Fact]
    public void The_writer_refuses_overruns_and_incomplete_files()
    {
        var path = Path.Combine(_dir, "w.safetensors");
        using (var w = new SafetensorsWriter(path, [new("x", WeightDtype.Fp32, [2])]))
        {
            Assert.Throws<InvalidOperationException>(() => w.WriteFloats([1f, 2f, 3f]));
            w.WriteFloats([1f]);
            Assert.Throws<InvalidOperationException>(() => w.Complete());
        }
        Assert.Throws<ArgumentException>(() => new SafetensorsWriter(path, [new("x", WeightDtype.Fp32, [1]), new("x", WeightDtype.Fp32, [1])]));
    }

    [Fact]
    public void Corrupt_files_are_input_errors_naming_the_file_and_tensor()
    {
        var tooShort = Path.Combine(_dir, "short.safetensors");
        File.WriteAllBytes(tooShort, [1, 2, 3]);
        Assert.Equal(tooShort, Assert.Throws<InputException>(() => SafetensorsFile.Open(tooShort)).File);

        var badOffsets = Path.Combine(_dir, "offsets.safetensors");
        WriteRaw(badOffsets, """{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,8]}}""", new byte[16]);
        var e = Assert.Throws<InputException>(() => SafetensorsFile.Open(badOffsets));
        Assert.Equal("w", e.Field);
        Assert.Contains("need 16", e.Message);

        var badDtype = Path.Combine(_dir, "dtype.safetensors");
        WriteRaw(badDtype, """{"w":{"dtype":"I8","shape":[4],"data_offsets":[0,4]}}""", new byte[4]);
        Assert.Contains("I8 is not supported", Assert.Throws<InputException>(() => SafetensorsFile.Open(badDtype)).Message);
    }

    private static void WriteRaw(string path, string header, byte[] data)
    {
        var h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + h.Length);
        File.WriteAllBytes(path, bytes);
    }
}
