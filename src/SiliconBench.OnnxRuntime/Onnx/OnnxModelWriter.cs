using System.Globalization;

namespace SiliconBench.OnnxRuntime.Onnx;

/// <summary>
/// Writes an <see cref="OnnxGraph"/> as an ONNX <c>ModelProto</c>. The sizes of every nested message are computed
/// up front so initializer bytes stream straight from their producers into the file. When the weights would push
/// the file past protobuf's 2 GB limit, large initializers go to an external data file beside the model
/// (<c>&lt;model&gt;.data</c>, 64 KiB-aligned so ONNX Runtime can map it), as the ONNX external-data convention says.
/// </summary>
internal static class OnnxModelWriter
{
    /// <summary>Above this many weight bytes, initializers are stored externally.</summary>
    public const long DefaultExternalThreshold = 1_900_000_000;

    /// <summary>Initializers smaller than this stay inline even in external mode.</summary>
    private const long ExternalMinBytes = 1024;

    private const long ExternalAlignment = 64 * 1024;

    // ONNX IR version 8 goes with opset 17/18.
    private const long IrVersion = 8;

    /// <summary>Writes the model to <paramref name="path"/>; returns the external data file written, or null.</summary>
    public static string? Write(OnnxGraph graph, string path, long externalThreshold = DefaultExternalThreshold)
    {
        var totalBytes = graph.Initializers.Sum(i => i.ByteLength);
        var external = totalBytes > externalThreshold;
        var dataPath = external ? path + ".data" : null;
        var dataLocation = external ? Path.GetFileName(dataPath)! : null;

        // Lay out external data and build every initializer's header (all fields but raw_data).
        var plans = new List<(OnnxInitializer Init, ProtoWriter Header, bool Inline, long Size, long Offset)>();
        long dataOffset = 0;
        foreach (var init in graph.Initializers)
        {
            var header = TensorHeader(init.Name, init.Type, init.Dims);
            if (external && init.ByteLength >= ExternalMinBytes)
            {
                dataOffset = (dataOffset + ExternalAlignment - 1) / ExternalAlignment * ExternalAlignment;
                // external_data 13 (StringStringEntryProto{key 1, value 2}), data_location 14 = EXTERNAL (1)
                header.Message(13, Entry("location", dataLocation!));
                header.Message(13, Entry("offset", dataOffset.ToString(CultureInfo.InvariantCulture)));
                header.Message(13, Entry("length", init.ByteLength.ToString(CultureInfo.InvariantCulture)));
                header.Varint(14, 1);
                plans.Add((init, header, false, header.Length, dataOffset));
                dataOffset += init.ByteLength;
            }
            else
            {
                plans.Add((init, header, true, header.Length + ProtoWriter.LengthDelimitedSize(9, init.ByteLength), 0));
            }
        }

        // GraphProto: node 1, name 2, initializer 5, input 11, output 12.
        var graphHead = new ProtoWriter();
        foreach (var n in graph.Nodes)
            graphHead.Message(1, n);
        graphHead.String(2, graph.Name);
        foreach (var i in graph.Inputs)
            graphHead.Message(11, i);
        foreach (var o in graph.Outputs)
            graphHead.Message(12, o);
        var graphLength = graphHead.Length + plans.Sum(p => ProtoWriter.LengthDelimitedSize(5, p.Size));

        // ModelProto: ir_version 1, producer_name 2, producer_version 3, graph 7, opset_import 8, metadata_props 14.
        var model = new ProtoWriter()
            .Varint(1, IrVersion)
            .String(2, "siliconbench")
            .String(3, typeof(OnnxModelWriter).Assembly.GetName().Version?.ToString() ?? "0")
            .Message(8, new ProtoWriter().String(1, "").Varint(2, graph.Opset));
        foreach (var (k, v) in graph.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
            model.Message(14, Entry(k, v));
        model.LengthPrefix(7, graphLength);

        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            model.WriteTo(file);
            graphHead.WriteTo(file);
            foreach (var p in plans)
            {
                var field = new ProtoWriter().LengthPrefix(5, p.Size);
                field.WriteTo(file);
                p.Header.WriteTo(file);
                if (p.Inline)
                {
                    new ProtoWriter().LengthPrefix(9, p.Init.ByteLength).WriteTo(file);
                    WriteChecked(p.Init, file);
                }
            }
            file.Flush(flushToDisk: true);
        }

        if (dataPath is null)
            return null;
        using (var data = new FileStream(dataPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            foreach (var p in plans)
            {
                if (p.Inline)
                    continue;
                data.Position = p.Offset;
                WriteChecked(p.Init, data);
            }
            data.Flush(flushToDisk: true);
        }
        return dataPath;
    }

    /// <summary>The model as bytes (inline weights only): for small graphs such as probes and tests.</summary>
    public static byte[] ToBytes(OnnxGraph graph)
    {
        var path = Path.Combine(Path.GetTempPath(), $"sb-onnx-{Guid.NewGuid():N}.onnx");
        try
        {
            Write(graph, path, long.MaxValue);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>TensorProto fields other than data: dims 1, data_type 2, name 8.</summary>
    public static ProtoWriter TensorHeader(string? name, OnnxType type, long[] dims)
    {
        var p = new ProtoWriter();
        foreach (var d in dims)
            p.Varint(1, d);
        p.Varint(2, (int)type);
        if (name is not null)
            p.String(8, name);
        return p;
    }

    private static ProtoWriter Entry(string key, string value) => new ProtoWriter().String(1, key).String(2, value);

    private static void WriteChecked(OnnxInitializer init, FileStream stream)
    {
        var start = stream.Position;
        init.WriteData(stream);
        var written = stream.Position - start;
        if (written != init.ByteLength)
            throw new InvalidOperationException($"initializer '{init.Name}' wrote {written} bytes, expected {init.ByteLength}");
    }
}
