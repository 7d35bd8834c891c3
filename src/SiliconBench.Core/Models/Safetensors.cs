using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text.Json;
using SiliconBench.Diagnostics;

namespace SiliconBench.Models;

/// <summary>One tensor of a safetensors file: name, dtype, shape, and (once laid out) its byte range in the data section.</summary>
public sealed record SafetensorsTensor(string Name, WeightDtype Dtype, long[] Shape)
{
    public long DataBegin { get; init; }

    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (var d in Shape)
                n = checked(n * d);
            return n;
        }
    }

    public long ByteLength => ElementCount * WeightDtypes.SizeOf(Dtype);
}

/// <summary>
/// Writes a safetensors file (8-byte little-endian header length, JSON header padded with spaces to 8 bytes,
/// then the raw little-endian tensor data) tensor by tensor: the header is fixed up front from the shapes,
/// then data is streamed in header order, so a checkpoint of any size needs only one chunk in memory.
/// </summary>
public sealed class SafetensorsWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly IReadOnlyList<SafetensorsTensor> _tensors;
    private byte[] _scratch = [];
    private int _index;
    private long _writtenInTensor;

    /// <param name="path">File to create (overwritten).</param>
    /// <param name="tensors">Tensors in the order their data will be written; offsets are assigned here.</param>
    /// <param name="metadata">Optional <c>__metadata__</c> string map.</param>
    public SafetensorsWriter(string path, IReadOnlyList<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors I/O here assumes a little-endian host");
        var laidOut = new List<SafetensorsTensor>(tensors.Count);
        long offset = 0;
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            if (!names.Add(t.Name))
                throw new ArgumentException($"duplicate tensor name '{t.Name}'", nameof(tensors));
            laidOut.Add(t with { DataBegin = offset });
            offset += t.ByteLength;
        }
        _tensors = laidOut;
        var header = Header(laidOut, metadata);
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        _stream.Write(len);
        _stream.Write(header);
        SkipEmptyTensors();
    }

    /// <summary>The tensors with their assigned offsets, in file order.</summary>
    public IReadOnlyList<SafetensorsTensor> Tensors => _tensors;

    /// <summary>The tensor the next bytes go to, or null once every tensor is full.</summary>
    public SafetensorsTensor? Current => _index < _tensors.Count ? _tensors[_index] : null;

    /// <summary>Appends raw little-endian bytes to the current tensor; a chunk may not cross into the next tensor.</summary>
    public void WriteBytes(ReadOnlySpan<byte> data)
    {
        var t = Current ?? throw new InvalidOperationException("every tensor is already written");
        if (_writtenInTensor + data.Length > t.ByteLength)
            throw new InvalidOperationException($"{data.Length} bytes overrun tensor '{t.Name}' ({t.ByteLength - _writtenInTensor} bytes left)");
        _stream.Write(data);
        _writtenInTensor += data.Length;
        if (_writtenInTensor == t.ByteLength)
        {
            _index++;
            _writtenInTensor = 0;
            SkipEmptyTensors();
        }
    }

    /// <summary>Appends values to the current tensor, converted to its dtype.</summary>
    public void WriteFloats(ReadOnlySpan<float> values)
    {
        var t = Current ?? throw new InvalidOperationException("every tensor is already written");
        var bytes = values.Length * WeightDtypes.SizeOf(t.Dtype);
        if (_scratch.Length < bytes)
            _scratch = new byte[Math.Max(bytes, 1 << 16)];
        WeightDtypes.Encode(values, t.Dtype, _scratch);
        WriteBytes(_scratch.AsSpan(0, bytes));
    }

    /// <summary>Checks every tensor got all its bytes and flushes the file to disk.</summary>
    public void Complete()
    {
        if (Current is { } t)
            throw new InvalidOperationException($"tensor '{t.Name}' is incomplete ({_writtenInTensor} of {t.ByteLength} bytes)");
        _stream.Flush(flushToDisk: true);
    }

    public void Dispose() => _stream.Dispose();

    private void SkipEmptyTensors()
    {
        while (_index < _tensors.Count && _tensors[_index].ByteLength == 0)
            _index++;
    }

    private static byte[] Header(IReadOnlyList<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                    w.WriteString(k, v);
                w.WriteEndObject();
            }
            foreach (var t in tensors)
            {
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", WeightDtypes.SafetensorsName(t.Dtype));
                w.WriteStartArray("shape");
                foreach (var d in t.Shape)
                    w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(t.DataBegin);
                w.WriteNumberValue(t.DataBegin + t.ByteLength);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        while (buffer.Length % 8 != 0)
            buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }
}

/// <summary>
/// A safetensors file opened for reading through a memory map: the header is parsed and checked, tensor data
/// is decoded on demand (fp32, fp16, bf16), so a large checkpoint never needs its size in RAM.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private const long MaxHeaderBytes = 100L << 20;
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private readonly byte* _base;
    private readonly long _dataStart;
    private readonly Dictionary<string, SafetensorsTensor> _byName;

    private SafetensorsFile(string path, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* basePtr, long dataStart,
        List<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        Path = path;
        _map = map;
        _view = view;
        _base = basePtr;
        _dataStart = dataStart;
        Tensors = tensors;
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        Metadata = metadata;
    }

    public string Path { get; }

    /// <summary>Tensors in header order.</summary>
    public IReadOnlyList<SafetensorsTensor> Tensors { get; }

    /// <summary>The header's <c>__metadata__</c> map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Opens and validates <paramref name="path"/>; a malformed file is an <see cref="InputException"/> naming it.</summary>
    public static SafetensorsFile Open(string path)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors I/O here assumes a little-endian host");
        var length = new FileInfo(path).Length;
        if (length < 8)
            throw new InputException(path, null, null, "not a safetensors file (shorter than its 8-byte header length)");
        byte[] header;
        using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
        {
            Span<byte> len = stackalloc byte[8];
            fs.ReadExactly(len);
            var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(len);
            if (headerLength > (ulong)Math.Min(MaxHeaderBytes, length - 8))
                throw new InputException(path, null, null, $"not a safetensors file (header length {headerLength} does not fit the file)");
            header = new byte[headerLength];
            fs.ReadExactly(header);
        }
        var dataStart = 8 + header.Length;
        var dataLength = length - dataStart;
        var (tensors, metadata) = ParseHeader(header, dataLength, path);

        if (dataLength == 0)
            return new SafetensorsFile(path, null, null, null, dataStart, tensors, metadata);
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        var view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* ptr = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref ptr);
        return new SafetensorsFile(path, map, view, ptr + view.PointerOffset, dataStart, tensors, metadata);
    }

    public bool TryGet(string name, out SafetensorsTensor tensor) => _byName.TryGetValue(name, out tensor!);

    public SafetensorsTensor Get(string name) =>
        _byName.TryGetValue(name, out var t) ? t : throw new InputException(Path, null, name, "tensor missing from the checkpoint");

    /// <summary>Decodes <paramref name="destination"/>.Length elements of <paramref name="tensor"/> from element <paramref name="elementOffset"/> on.</summary>
    public void ReadFloats(SafetensorsTensor tensor, long elementOffset, Span<float> destination)
    {
        if (elementOffset < 0 || elementOffset + destination.Length > tensor.ElementCount)
            throw new ArgumentOutOfRangeException(nameof(elementOffset));
        var size = WeightDtypes.SizeOf(tensor.Dtype);
        var src = new ReadOnlySpan<byte>(_base + _dataStart + tensor.DataBegin + elementOffset * size, destination.Length * size);
        if (tensor.Dtype == WeightDtype.Fp32)
            MemoryMarshal.Cast<byte, float>(src).CopyTo(destination);
        else
            WeightDtypes.Decode(src, tensor.Dtype, destination);
    }

    /// <summary>The whole tensor as floats (for small tensors and tests).</summary>
    public float[] ReadFloats(string name)
    {
        var t = Get(name);
        var values = new float[checked((int)t.ElementCount)];
        ReadFloats(t, 0, values);
        return values;
    }

    /// <summary>Raw bytes of a range of one tensor, valid while this file is open.</summary>
    public ReadOnlySpan<byte> RawBytes(SafetensorsTensor tensor, long byteOffset, int length)
    {
        if (byteOffset < 0 || byteOffset + length > tensor.ByteLength)
            throw new ArgumentOutOfRangeException(nameof(byteOffset));
        return new ReadOnlySpan<byte>(_base + _dataStart + tensor.DataBegin + byteOffset, length);
    }

    public void Dispose()
    {
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _map?.Dispose();
    }

    private static (List<SafetensorsTensor>, IReadOnlyDictionary<string, string>) ParseHeader(byte[] header, long dataLength, string path)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header.AsMemory().TrimEnd((byte)' '));
        }
        catch (JsonException e)
        {
            throw new InputException(path, null, null, $"safetensors header is not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InputException(path, null, null, "safetensors header is not a JSON object");
            var tensors = new List<SafetensorsTensor>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__")
                {
                    if (p.Value.ValueKind == JsonValueKind.Object)
                        foreach (var m in p.Value.EnumerateObject())
                            metadata[m.Name] = m.Value.ValueKind == JsonValueKind.String ? m.Value.GetString()! : m.Value.GetRawText();
                    continue;
                }
                tensors.Add(ParseTensor(p, dataLength, path));
            }
            tensors.Sort((a, b) => a.DataBegin.CompareTo(b.DataBegin));
            return (tensors, metadata);
        }
    }

    private static SafetensorsTensor ParseTensor(JsonProperty p, long dataLength, string path)
    {
        InputException Bad(string problem) => new(path, null, p.Name, problem);
        var v = p.Value;
        if (v.ValueKind != JsonValueKind.Object
            || !v.TryGetProperty("dtype", out var dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String
            || !v.TryGetProperty("shape", out var shapeEl) || shapeEl.ValueKind != JsonValueKind.Array
            || !v.TryGetProperty("data_offsets", out var offEl) || offEl.ValueKind != JsonValueKind.Array || offEl.GetArrayLength() != 2)
            throw Bad("tensor entry needs dtype, shape and data_offsets");
        var dtypeName = dtypeEl.GetString()!;
        if (dtypeName is not ("F32" or "F16" or "BF16") || !WeightDtypes.TryParse(dtypeName, out var dtype))
            throw Bad($"dtype {dtypeName} is not supported; weights must be F32, F16 or BF16");
        var shape = new long[shapeEl.GetArrayLength()];
        var i = 0;
        foreach (var d in shapeEl.EnumerateArray())
            shape[i++] = d.TryGetInt64(out var dim) && dim >= 0 ? dim : throw Bad("shape must hold non-negative integers");
        var begin = offEl[0].TryGetInt64(out var b) ? b : -1;
        var end = offEl[1].TryGetInt64(out var e) ? e : -1;
        var tensor = new SafetensorsTensor(p.Name, dtype, shape) { DataBegin = begin };
        if (begin < 0 || end < begin || end > dataLength)
            throw Bad($"data_offsets [{begin}, {end}] fall outside the {dataLength}-byte data section");
        if (end - begin != tensor.ByteLength)
            throw Bad($"data_offsets span {end - begin} bytes but shape and dtype need {tensor.ByteLength}");
        return tensor;
    }
}

/// <summary>
/// Every <c>*.safetensors</c> file of a checkpoint directory (one file or Hugging Face shards) behind one
/// name → tensor lookup.
/// </summary>
public sealed class SafetensorsCheckpoint : IDisposable
{
    private readonly Dictionary<string, (SafetensorsFile File, SafetensorsTensor Tensor)> _byName = new(StringComparer.Ordinal);

    private SafetensorsCheckpoint(string directory, List<SafetensorsFile> files)
    {
        Directory = directory;
        Files = files;
        foreach (var f in files)
            foreach (var t in f.Tensors)
                if (!_byName.TryAdd(t.Name, (f, t)))
                    throw new InputException(f.Path, null, t.Name, "tensor appears in more than one safetensors file");
    }

    public string Directory { get; }

    public IReadOnlyList<SafetensorsFile> Files { get; }

    public IEnumerable<string> TensorNames => _byName.Keys;

    public static string[] FindFiles(string directory) =>
        [.. System.IO.Directory.GetFiles(directory, "*.safetensors").Order(StringComparer.Ordinal)];

    public static SafetensorsCheckpoint Open(string directory)
    {
        var paths = FindFiles(directory);
        if (paths.Length == 0)
            throw new InputException(directory, null, "--model", "no *.safetensors files in the checkpoint directory");
        var files = new List<SafetensorsFile>();
        try
        {
            foreach (var p in paths)
                files.Add(SafetensorsFile.Open(p));
            return new SafetensorsCheckpoint(directory, files);
        }
        catch
        {
            foreach (var f in files)
                f.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The tensor and the file holding it; a missing one is an input error naming the directory and tensor.</summary>
    public (SafetensorsFile File, SafetensorsTensor Tensor) Get(string name) =>
        _byName.TryGetValue(name, out var e) ? e : throw new InputException(Directory, null, name, "tensor missing from the checkpoint");

    /// <summary>The checkpoint's dtype (that of its first tensor).</summary>
    public WeightDtype Dtype => Files.SelectMany(f => f.Tensors).Select(t => t.Dtype).FirstOrDefault();

    /// <summary>The <c>__metadata__</c> of the first file.</summary>
    public IReadOnlyDictionary<string, string> Metadata => Files[0].Metadata;

    public void Dispose()
    {
        foreach (var f in Files)
            f.Dispose();
    }
}

/// <summary>Small helpers for reading header bytes (used to fingerprint checkpoints).</summary>
public static class SafetensorsHeader
{
    /// <summary>The 8-byte length prefix and JSON header of a safetensors file.</summary>
    public static byte[] ReadRaw(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> len = stackalloc byte[8];
        fs.ReadExactly(len);
        var n = BinaryPrimitives.ReadUInt64LittleEndian(len);
        if (n > (ulong)Math.Min(100L << 20, fs.Length - 8))
            throw new InputException(path, null, null, "not a safetensors file");
        var bytes = new byte[8 + (int)n];
        len.CopyTo(bytes);
        fs.ReadExactly(bytes.AsSpan(8));
        return bytes;
    }

    public static string Describe(SafetensorsTensor t) =>
        $"{t.Name} {WeightDtypes.SafetensorsName(t.Dtype)} [{string.Join(", ", t.Shape)}]";
}
