using System.Text;

namespace SiliconBench.OnnxRuntime.Onnx;

/// <summary>What <see cref="OnnxModelReader"/> learns from a model file without loading its weights.</summary>
internal sealed record OnnxModelSummary(
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<(string Name, OnnxType Type, long[] Dims)> Initializers)
{
    public long Elements => Initializers.Sum(i => i.Dims.Aggregate(1L, (a, d) => a * d));

    public long Bytes => Initializers.Sum(i => i.Dims.Aggregate(1L, (a, d) => a * d) * ElementSize(i.Type));

    public static int ElementSize(OnnxType t) => t switch
    {
        OnnxType.Float or OnnxType.Int32 => 4,
        OnnxType.Int64 or OnnxType.Double => 8,
        OnnxType.Float16 or OnnxType.BFloat16 => 2,
        _ => 1,
    };
}

/// <summary>
/// Reads the metadata and initializer shapes of an ONNX model by walking its protobuf with seeks: weight bytes
/// are skipped, never read, so a multi-gigabyte model costs a few kilobytes of I/O.
/// </summary>
internal static class OnnxModelReader
{
    public static OnnxModelSummary Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var inits = new List<(string, OnnxType, long[])>();
        var end = file.Length;
        while (file.Position < end)
        {
            var (field, wire) = Tag(file);
            if (field == 7 && wire == 2)
            {
                var graphEnd = (long)Varint(file) + file.Position;
                while (file.Position < graphEnd)
                {
                    var (gf, gw) = Tag(file);
                    if (gf == 5 && gw == 2)
                    {
                        var tensorEnd = (long)Varint(file) + file.Position;
                        inits.Add(ReadTensor(file, tensorEnd));
                    }
                    else
                    {
                        Skip(file, gw);
                    }
                }
            }
            else if (field == 14 && wire == 2)
            {
                var entryEnd = (long)Varint(file) + file.Position;
                string key = "", value = "";
                while (file.Position < entryEnd)
                {
                    var (ef, ew) = Tag(file);
                    if (ef is 1 or 2 && ew == 2)
                    {
                        var s = ReadString(file);
                        if (ef == 1)
                            key = s;
                        else
                            value = s;
                    }
                    else
                    {
                        Skip(file, ew);
                    }
                }
                metadata[key] = value;
            }
            else
            {
                Skip(file, wire);
            }
        }
        return new OnnxModelSummary(metadata, inits);
    }

    private static (string, OnnxType, long[]) ReadTensor(Stream s, long end)
    {
        var dims = new List<long>();
        var type = OnnxType.Float;
        var name = "";
        while (s.Position < end)
        {
            var (f, w) = Tag(s);
            if (f == 1 && w == 0)
            {
                dims.Add((long)Varint(s));
            }
            else if (f == 1 && w == 2)
            {
                var packedEnd = (long)Varint(s) + s.Position;
                while (s.Position < packedEnd)
                    dims.Add((long)Varint(s));
            }
            else if (f == 2 && w == 0)
            {
                type = (OnnxType)(int)Varint(s);
            }
            else if (f == 8 && w == 2)
            {
                name = ReadString(s);
            }
            else
            {
                Skip(s, w);
            }
        }
        return (name, type, [.. dims]);
    }

    private static (int Field, int Wire) Tag(Stream s)
    {
        var t = Varint(s);
        return ((int)(t >> 3), (int)(t & 7));
    }

    private static ulong Varint(Stream s)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = s.ReadByte();
            if (b < 0)
                throw new InvalidDataException("truncated ONNX model (varint past end of file)");
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
                return result;
        }
        throw new InvalidDataException("malformed varint in ONNX model");
    }

    private static string ReadString(Stream s)
    {
        var len = (int)Varint(s);
        var bytes = new byte[len];
        s.ReadExactly(bytes);
        return Encoding.UTF8.GetString(bytes);
    }

    private static void Skip(Stream s, int wire)
    {
        switch (wire)
        {
            case 0:
                Varint(s);
                break;
            case 1:
                s.Seek(8, SeekOrigin.Current);
                break;
            case 2:
                var len = (long)Varint(s);
                s.Seek(len, SeekOrigin.Current);
                break;
            case 5:
                s.Seek(4, SeekOrigin.Current);
                break;
            default:
                throw new InvalidDataException($"unsupported protobuf wire type {wire} in ONNX model");
        }
        if (s.Position > s.Length)
            throw new InvalidDataException("truncated ONNX model");
    }
}
