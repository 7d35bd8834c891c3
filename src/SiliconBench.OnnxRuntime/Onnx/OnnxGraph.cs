using System.Runtime.InteropServices;

namespace SiliconBench.OnnxRuntime.Onnx;

/// <summary>ONNX <c>TensorProto.DataType</c> values used here.</summary>
internal enum OnnxType
{
    Float = 1,
    Uint8 = 2,
    Int8 = 3,
    Int32 = 6,
    Int64 = 7,
    Bool = 9,
    Float16 = 10,
    Double = 11,
    BFloat16 = 16,
}

/// <summary>A tensor dimension in a value's type: a fixed size or a named symbolic one.</summary>
internal readonly record struct Dim(long Value, string? Param)
{
    public static implicit operator Dim(long value) => new(value, null);

    public static implicit operator Dim(string param) => new(0, param);
}

/// <summary>A node attribute, encoded as an ONNX <c>AttributeProto</c>.</summary>
internal sealed class OnnxAttribute
{
    // AttributeProto fields: name 1, f 2, i 3, s 4, t 5, floats 7, ints 8, type 20.
    private const int TypeFloat = 1, TypeInt = 2, TypeString = 3, TypeTensor = 4, TypeInts = 7;

    private OnnxAttribute(ProtoWriter proto) => Proto = proto;

    public ProtoWriter Proto { get; }

    public static OnnxAttribute Int(string name, long value) =>
        new(new ProtoWriter().String(1, name).Varint(20, TypeInt).Varint(3, value));

    public static OnnxAttribute Float(string name, float value) =>
        new(new ProtoWriter().String(1, name).Varint(20, TypeFloat).Float(2, value));

    public static OnnxAttribute String(string name, string value) =>
        new(new ProtoWriter().String(1, name).Varint(20, TypeString).String(4, value));

    public static OnnxAttribute Ints(string name, params long[] values)
    {
        var p = new ProtoWriter().String(1, name).Varint(20, TypeInts);
        foreach (var v in values)
            p.Varint(8, v);
        return new(p);
    }

    /// <summary>A small tensor attribute (e.g. <c>ConstantOfShape.value</c>).</summary>
    public static OnnxAttribute Tensor(string name, OnnxType type, long[] dims, byte[] raw) =>
        new(new ProtoWriter().String(1, name).Varint(20, TypeTensor).Message(5, OnnxModelWriter.TensorHeader(null, type, dims).Bytes(9, raw)));
}

/// <summary>
/// A weight or constant of the graph. Its bytes are produced on demand by <see cref="WriteData"/>, which must
/// write exactly <see cref="ByteLength"/> bytes, so a multi-gigabyte weight is streamed, never held whole.
/// </summary>
internal sealed record OnnxInitializer(string Name, OnnxType Type, long[] Dims, long ByteLength, Action<Stream> WriteData);

/// <summary>
/// An ONNX graph under construction: inputs, outputs, nodes (each output named uniquely), initializers.
/// <see cref="OnnxModelWriter"/> turns it into a <c>ModelProto</c> file.
/// </summary>
internal sealed class OnnxGraph(string name)
{
    private readonly List<ProtoWriter> _nodes = [];
    private readonly List<ProtoWriter> _inputs = [];
    private readonly List<ProtoWriter> _outputs = [];
    private readonly List<OnnxInitializer> _initializers = [];
    private int _counter;

    public string Name { get; } = name;

    public int Opset { get; init; } = 17;

    public IReadOnlyList<ProtoWriter> Nodes => _nodes;

    public IReadOnlyList<ProtoWriter> Inputs => _inputs;

    public IReadOnlyList<ProtoWriter> Outputs => _outputs;

    public IReadOnlyList<OnnxInitializer> Initializers => _initializers;

    /// <summary><c>metadata_props</c> of the model.</summary>
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    public string Input(string name, OnnxType type, params Dim[] dims)
    {
        _inputs.Add(ValueInfo(name, type, dims));
        return name;
    }

    public void Output(string name, OnnxType type, params Dim[] dims) => _outputs.Add(ValueInfo(name, type, dims));

    /// <summary>Adds a node; returns its output names (generated unless given).</summary>
    public string[] Node(string op, IReadOnlyList<string> inputs, int outputCount, IReadOnlyList<OnnxAttribute>? attributes = null,
        IReadOnlyList<string>? outputNames = null, string? domain = null)
    {
        var id = _counter++;
        var outputs = new string[outputCount];
        for (var i = 0; i < outputCount; i++)
            outputs[i] = outputNames?[i] ?? $"{op}_{id}" + (outputCount > 1 ? $"_{i}" : "");
        var p = new ProtoWriter();
        foreach (var input in inputs)
            p.String(1, input);
        foreach (var output in outputs)
            p.String(2, output);
        p.String(3, $"{op}_{id}");
        p.String(4, op);
        foreach (var a in attributes ?? [])
            p.Message(5, a.Proto);
        if (domain is not null)
            p.String(7, domain);
        _nodes.Add(p);
        return outputs;
    }

    /// <summary>A node with one output.</summary>
    public string Op(string op, params string[] inputs) => Node(op, inputs, 1)[0];

    public string Op(string op, string[] inputs, params OnnxAttribute[] attributes) => Node(op, inputs, 1, attributes)[0];

    /// <summary>A node with one output of a chosen name.</summary>
    public string OpNamed(string output, string op, string[] inputs, params OnnxAttribute[] attributes) =>
        Node(op, inputs, 1, attributes, [output])[0];

    public string Initializer(string name, OnnxType type, long[] dims, long byteLength, Action<Stream> writeData)
    {
        _initializers.Add(new OnnxInitializer(name, type, dims, byteLength, writeData));
        return name;
    }

    /// <summary>A constant initializer from values already in memory.</summary>
    public string Constant<T>(string? name, OnnxType type, long[] dims, T[] values) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        return Initializer(name ?? $"const_{_counter++}", type, dims, bytes.Length, s => s.Write(bytes));
    }

    public string Int64s(params long[] values) => Constant(null, OnnxType.Int64, [values.Length], values);

    public string Int64Scalar(long value) => Constant(null, OnnxType.Int64, [], new[] { value });

    public string FloatScalar(float value) => Constant(null, OnnxType.Float, [], new[] { value });

    private static ProtoWriter ValueInfo(string name, OnnxType type, Dim[] dims)
    {
        // ValueInfoProto{name 1, type 2}; TypeProto{tensor_type 1}; Tensor{elem_type 1, shape 2}; Shape{dim 1}; Dimension{dim_value 1, dim_param 2}
        var shape = new ProtoWriter();
        foreach (var d in dims)
            shape.Message(1, d.Param is null ? new ProtoWriter().Varint(1, d.Value) : new ProtoWriter().String(2, d.Param));
        var tensorType = new ProtoWriter().Varint(1, (int)type).Message(2, shape);
        return new ProtoWriter().String(1, name).Message(2, new ProtoWriter().Message(1, tensorType));
    }
}
