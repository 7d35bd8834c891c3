using System.Text;

namespace SiliconBench.Models.Gguf;

/// <summary>GGUF metadata value types (the format's <c>gguf_metadata_value_type</c>).</summary>
public enum GgufValueType : uint
{
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
}

/// <summary>The ggml tensor types this writer emits (ggml's <c>ggml_type</c> numbering).</summary>
public enum GgmlType : uint
{
    F32 = 0,
    F16 = 1,
    BF16 = 30,
}

/// <summary>
/// One tensor of a GGUF file: its name, its dimensions innermost first (ggml's <c>ne</c>: a row-major
/// <c>[rows, columns]</c> matrix is <c>[columns, rows]</c>), its type, and a callback that writes exactly
/// <see cref="ByteLength"/> bytes of data.
/// </summary>
public sealed record GgufTensor(string Name, long[] Dimensions, GgmlType Type, Action<Stream> WriteData)
{
    public long ElementCount => Dimensions.Aggregate(1L, (a, d) => a * d);

    public long ByteLength => ElementCount * (Type == GgmlType.F32 ? 4 : 2);
}

/// <summary>
/// Writes a GGUF (version 3) file: header, metadata key/values, tensor infos, then each tensor's data at an
/// offset aligned to <see cref="Alignment"/> from the start of the data section. Everything is little-endian;
/// strings are a uint64 byte length and UTF-8 bytes without a terminator. Tensor data is streamed from the
/// callbacks, so a file far larger than memory can be written.
/// </summary>
public sealed class GgufWriter
{
    public const uint Magic = 0x46554747; // "GGUF" read as a little-endian uint32
    public const uint Version = 3;
    public const int Alignment = 32;

    private readonly List<(string Key, Action<BinaryWriter> Write)> _metadata = [];
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly List<GgufTensor> _tensors = [];

    public IReadOnlyList<GgufTensor> Tensors => _tensors;

    public GgufWriter Add(string key, string value) => Put(key, w => { w.Write((uint)GgufValueType.String); WriteString(w, value); });

    public GgufWriter Add(string key, uint value) => Put(key, w => { w.Write((uint)GgufValueType.UInt32); w.Write(value); });

    public GgufWriter Add(string key, int value) => Put(key, w => { w.Write((uint)GgufValueType.Int32); w.Write(value); });

    public GgufWriter Add(string key, float value) => Put(key, w => { w.Write((uint)GgufValueType.Float32); w.Write(value); });

    public GgufWriter Add(string key, bool value) => Put(key, w => { w.Write((uint)GgufValueType.Bool); w.Write((byte)(value ? 1 : 0)); });

    public GgufWriter Add(string key, IReadOnlyList<string> values) => Put(key, w =>
    {
        WriteArrayHeader(w, GgufValueType.String, values.Count);
        foreach (var v in values)
            WriteString(w, v);
    });

    public GgufWriter Add(string key, IReadOnlyList<float> values) => Put(key, w =>
    {
        WriteArrayHeader(w, GgufValueType.Float32, values.Count);
        foreach (var v in values)
            w.Write(v);
    });

    public GgufWriter Add(string key, IReadOnlyList<int> values) => Put(key, w =>
    {
        WriteArrayHeader(w, GgufValueType.Int32, values.Count);
        foreach (var v in values)
            w.Write(v);
    });

    public GgufWriter AddTensor(GgufTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Dimensions.Length is < 1 or > 4 || tensor.Dimensions.Any(d => d < 1))
            throw new ArgumentException($"tensor {tensor.Name}: 1 to 4 positive dimensions", nameof(tensor));
        if (_tensors.Any(t => t.Name == tensor.Name))
            throw new ArgumentException($"tensor {tensor.Name} added twice", nameof(tensor));
        _tensors.Add(tensor);
        return this;
    }

    /// <summary>Writes the whole file to <paramref name="output"/>; checks that every callback wrote its tensor's exact length.</summary>
    public void WriteTo(Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("the GGUF writer assumes a little-endian host");
        var counting = new CountingStream(output);
        using (var w = new BinaryWriter(counting, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write((ulong)_tensors.Count);
            w.Write((ulong)_metadata.Count);
            foreach (var (key, write) in _metadata)
            {
                WriteString(w, key);
                write(w);
            }
            long offset = 0;
            foreach (var t in _tensors)
            {
                WriteString(w, t.Name);
                w.Write((uint)t.Dimensions.Length);
                foreach (var d in t.Dimensions)
                    w.Write((ulong)d);
                w.Write((uint)t.Type);
                w.Write((ulong)offset);
                offset = Align(offset + t.ByteLength);
            }
            w.Flush();
        }
        Pad(counting);
        foreach (var t in _tensors)
        {
            var before = counting.Position;
            t.WriteData(counting);
            var wrote = counting.Position - before;
            if (wrote != t.ByteLength)
                throw new InvalidOperationException($"tensor {t.Name}: {wrote} bytes written, {t.ByteLength} expected");
            Pad(counting);
        }
    }

    public static long Align(long offset) => (offset + Alignment - 1) / Alignment * Alignment;

    private GgufWriter Put(string key, Action<BinaryWriter> write)
    {
        if (!_keys.Add(key))
            throw new ArgumentException($"metadata key {key} added twice", nameof(key));
        _metadata.Add((key, write));
        return this;
    }

    private static void WriteArrayHeader(BinaryWriter w, GgufValueType element, int count)
    {
        w.Write((uint)GgufValueType.Array);
        w.Write((uint)element);
        w.Write((ulong)count);
    }

    private static void WriteString(BinaryWriter w, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }

    private static void Pad(CountingStream stream)
    {
        var padding = (int)(Align(stream.Position) - stream.Position);
        Span<byte> zeros = stackalloc byte[Alignment];
        stream.Write(zeros[..padding]);
    }

    /// <summary>Counts bytes written, so offsets and padding never depend on the underlying stream being seekable.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        private long _position;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _position;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            _position += buffer.Length;
        }

        public override void WriteByte(byte value)
        {
            inner.WriteByte(value);
            _position++;
        }

        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
