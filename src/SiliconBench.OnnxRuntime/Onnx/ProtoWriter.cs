using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace SiliconBench.OnnxRuntime.Onnx;

/// <summary>
/// A minimal protocol-buffers encoder: varints, 32-bit floats, and length-delimited fields (strings, bytes,
/// nested messages). Nested messages are built in their own writer and embedded, except where the caller
/// streams a large payload after writing its length itself (see <see cref="OnnxModelWriter"/>).
/// </summary>
internal sealed class ProtoWriter
{
    private const int WireVarint = 0;
    private const int WireLen = 2;
    private const int WireFixed32 = 5;

    private readonly ArrayBufferWriter<byte> _buffer = new();

    public long Length => _buffer.WrittenCount;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    public void WriteTo(Stream stream) => stream.Write(_buffer.WrittenSpan);

    public ProtoWriter Varint(int field, long value)
    {
        Tag(field, WireVarint);
        RawVarint(_buffer, (ulong)value);
        return this;
    }

    public ProtoWriter Float(int field, float value)
    {
        Tag(field, WireFixed32);
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
        return this;
    }

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, WireLen);
        RawVarint(_buffer, (ulong)value.Length);
        _buffer.Write(value);
        return this;
    }

    public ProtoWriter Message(int field, ProtoWriter message)
    {
        Tag(field, WireLen);
        RawVarint(_buffer, (ulong)message.Length);
        _buffer.Write(message._buffer.WrittenSpan);
        return this;
    }

    /// <summary>Writes a field header for a length-delimited field whose <paramref name="length"/> bytes follow separately.</summary>
    public ProtoWriter LengthPrefix(int field, long length)
    {
        Tag(field, WireLen);
        RawVarint(_buffer, (ulong)length);
        return this;
    }

    private void Tag(int field, int wire) => RawVarint(_buffer, ((ulong)field << 3) | (uint)wire);

    private static void RawVarint(ArrayBufferWriter<byte> buffer, ulong value)
    {
        var b = buffer.GetSpan(10);
        var n = 0;
        while (value >= 0x80)
        {
            b[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        b[n++] = (byte)value;
        buffer.Advance(n);
    }

    public static int VarintSize(ulong value)
    {
        var n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }
        return n;
    }

    /// <summary>Bytes a length-delimited field takes: tag, length varint, payload.</summary>
    public static long LengthDelimitedSize(int field, long payload) =>
        VarintSize((ulong)field << 3 | WireLen) + VarintSize((ulong)payload) + payload;
}
