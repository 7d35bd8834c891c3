using System.Buffers.Binary;
using System.Text;
using SiliconBench.Models.Gguf;

namespace SiliconBench.Tests.Models.Gguf;

/// <summary>
/// A GGUF reader written for the tests from the format's description, independent of the writer: metadata values,
/// tensor infos and each tensor's bytes, with the offsets checked against the alignment.
/// </summary>
public sealed class GgufFile
{
    public sealed record TensorInfo(string Name, long[] Dimensions, uint Type, long Offset);

    private readonly byte[] _bytes;

    private GgufFile(byte[] bytes, uint version, Dictionary<string, object> metadata, List<TensorInfo> tensors, long dataStart)
    {
        _bytes = bytes;
        Version = version;
        Metadata = metadata;
        Tensors = tensors;
        DataStart = dataStart;
    }

    public uint Version { get; }
    public Dictionary<string, object> Metadata { get; }
    public List<TensorInfo> Tensors { get; }
    public long DataStart { get; }

    public TensorInfo Tensor(string name) => Tensors.Single(t => t.Name == name);

    public ReadOnlySpan<byte> Data(TensorInfo t, long length) => _bytes.AsSpan((int)(DataStart + t.Offset), (int)length);

    public float[] Floats(string name)
    {
        var t = Tensor(name);
        var count = (int)t.Dimensions.Aggregate(1L, (a, d) => a * d);
        var size = t.Type == (uint)GgmlType.F32 ? 4 : 2;
        var data = Data(t, (long)count * size);
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = t.Type switch
            {
                (uint)GgmlType.F32 => BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]),
                (uint)GgmlType.F16 => (float)BinaryPrimitives.ReadHalfLittleEndian(data[(i * 2)..]),
                _ => BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(data[(i * 2)..]) << 16),
            };
        }
        return values;
    }

    public static GgufFile Read(byte[] bytes)
    {
        var at = 0;
        uint U32() { var v = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at)); at += 4; return v; }
        ulong U64() { var v = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at)); at += 8; return v; }
        string Str() { var n = (int)U64(); var s = Encoding.UTF8.GetString(bytes, at, n); at += n; return s; }
        object Value(uint type)
        {
            switch (type)
            {
                case 4: return U32();
                case 5: return (int)U32();
                case 6: { var f = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(at)); at += 4; return f; }
                case 7: return bytes[at++] != 0;
                case 8: return Str();
                case 9:
                {
                    var element = U32();
                    var count = (int)U64();
                    var list = new List<object>(count);
                    for (var i = 0; i < count; i++)
                        list.Add(Value(element));
                    return list;
                }
                default: throw new InvalidDataException($"value type {type} not expected from this writer");
            }
        }

        if (U32() != 0x46554747)
            throw new InvalidDataException("no GGUF magic");
        var version = U32();
        var tensorCount = (int)U64();
        var kvCount = (int)U64();
        var metadata = new Dictionary<string, object>(StringComparer.Ordinal);
        for (var i = 0; i < kvCount; i++)
        {
            var key = Str();
            metadata.Add(key, Value(U32()));
        }
        var tensors = new List<TensorInfo>();
        for (var i = 0; i < tensorCount; i++)
        {
            var name = Str();
            var dims = new long[U32()];
            for (var d = 0; d < dims.Length; d++)
                dims[d] = (long)U64();
            tensors.Add(new TensorInfo(name, dims, U32(), (long)U64()));
        }
        var dataStart = (at + 31) / 32 * 32;
        return new GgufFile(bytes, version, metadata, tensors, dataStart);
    }
}
