using SiliconBench.Models.Gguf;
using Xunit;

namespace SiliconBench.Tests.Models.Gguf;

public sealed class GgufWriterTests
{
    private static GgufFile WriteAndRead(GgufWriter writer)
    {
        using var stream = new MemoryStream();
        writer.WriteTo(stream);
        return GgufFile.Read(stream.ToArray());
    }

    [Fact]
    public void Metadata_of_every_kind_reads_back_with_its_type()
    {
        var file = WriteAndRead(new GgufWriter()
            .Add("a.string", "llama ▁word")
            .Add("a.u32", 7u)
            .Add("a.i32", -3)
            .Add("a.f32", 1e-5f)
            .Add("a.bool", true)
            .Add("a.strings", ["<s>", "▁the"])
            .Add("a.floats", [0f, -2.5f])
            .Add("a.ints", [1, 6]));

        Assert.Equal(3u, file.Version);
        Assert.Equal("llama ▁word", file.Metadata["a.string"]);
        Assert.Equal(7u, file.Metadata["a.u32"]);
        Assert.Equal(-3, file.Metadata["a.i32"]);
        Assert.Equal(1e-5f, file.Metadata["a.f32"]);
        Assert.Equal(true, file.Metadata["a.bool"]);
        Assert.Equal(["<s>", "▁the"], ((List<object>)file.Metadata["a.strings"]).Cast<string>());
        Assert.Equal([0f, -2.5f], ((List<object>)file.Metadata["a.floats"]).Cast<float>());
        Assert.Equal([1, 6], ((List<object>)file.Metadata["a.ints"]).Cast<int>());
        Assert.Empty(file.Tensors);
    }

    [Fact]
    public void Tensors_start_at_aligned_offsets_in_order_with_their_data_intact()
    {
        // 3 floats (12 bytes) then 5 halves (10 bytes): both must land on 32-byte boundaries of the data section.
        var first = new float[] { 1, 2, 3 };
        var file = WriteAndRead(new GgufWriter()
            .Add("general.architecture", "llama")
            .AddTensor(new GgufTensor("a", [3], GgmlType.F32, s => s.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(first.AsSpan()))))
            .AddTensor(new GgufTensor("b", [5, 1], GgmlType.F16, s => s.Write(Enumerable.Range(0, 5).SelectMany(i => BitConverter.GetBytes((Half)(i + 0.5f))).ToArray()))));

        Assert.Equal(0, file.DataStart % GgufWriter.Alignment);
        Assert.Equal([0L, 32L], file.Tensors.Select(t => t.Offset));
        Assert.Equal([5L, 1L], file.Tensor("b").Dimensions);
        Assert.Equal(first, file.Floats("a"));
        Assert.Equal([0.5f, 1.5f, 2.5f, 3.5f, 4.5f], file.Floats("b"));
    }

    [Fact]
    public void A_callback_that_writes_the_wrong_length_is_refused()
    {
        var writer = new GgufWriter().AddTensor(new GgufTensor("short", [4], GgmlType.F32, s => s.Write(new byte[12])));

        var e = Assert.Throws<InvalidOperationException>(() => writer.WriteTo(new MemoryStream()));
        Assert.Contains("short: 12 bytes written, 16 expected", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_or_tensor_given_twice_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new GgufWriter().Add("k", 1u).Add("k", 2u));
        var tensor = new GgufTensor("t", [1], GgmlType.F32, s => s.Write(new byte[4]));
        Assert.Throws<ArgumentException>(() => new GgufWriter().AddTensor(tensor).AddTensor(tensor));
    }
}
