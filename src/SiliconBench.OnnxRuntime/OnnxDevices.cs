using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using SiliconBench.Diagnostics;

namespace SiliconBench.OnnxRuntime;

/// <summary>A device as the user names it (<c>cpu</c>, <c>cuda:1</c>) and the execution provider that serves it.</summary>
internal sealed record OnnxDevice(string Kind, int Index, string? Variant, string Provider)
{
    /// <summary>Canonical name for the record: <c>cpu</c>, <c>cuda:0</c>, <c>openvino:GPU</c>.</summary>
    public string Name => Kind switch
    {
        "cpu" => "cpu",
        "openvino" => Variant is null ? "openvino" : $"openvino:{Variant}",
        _ => $"{Kind}:{Index.ToString(CultureInfo.InvariantCulture)}",
    };

    public bool IsGpu => Kind is "cuda" or "tensorrt" or "rocm";
}

/// <summary>Maps device names to ONNX Runtime execution providers and appends them to session options.</summary>
internal static class OnnxDevices
{
    private static readonly (string Kind, string Provider)[] Known =
    [
        ("cpu", "CPUExecutionProvider"),
        ("cuda", "CUDAExecutionProvider"),
        ("tensorrt", "TensorrtExecutionProvider"),
        ("rocm", "ROCMExecutionProvider"),
        ("openvino", "OpenVINOExecutionProvider"),
    ];

    /// <summary>The providers compiled into the loaded native library.</summary>
    public static IReadOnlyList<string> AvailableProviders() => OrtEnv.Instance().GetAvailableProviders();

    /// <summary>Device names offered by the loaded library, e.g. <c>cpu</c>, <c>cuda</c>.</summary>
    public static IReadOnlyList<string> AvailableDevices(IReadOnlyList<string> providers) =>
        [.. Known.Where(k => providers.Contains(k.Provider)).Select(k => k.Kind)];

    /// <summary>Parses <c>cpu | cuda[:N] | tensorrt[:N] | rocm[:N] | openvino[:TYPE]</c> and checks the library has its provider.</summary>
    public static OnnxDevice Resolve(string device, IReadOnlyList<string> providers, string source = "command line", string field = "--device")
    {
        var text = (device ?? "cpu").Trim().ToLowerInvariant();
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? text : text[..colon];
        var suffix = colon < 0 ? null : text[(colon + 1)..];
        var known = Known.FirstOrDefault(k => k.Kind == kind);
        if (known.Provider is null)
            throw new InputException(source, null, field, $"unknown device '{device}'; the onnxruntime engine takes cpu, cuda[:N], tensorrt[:N], rocm[:N], openvino; {Has(providers)}");

        int index = 0;
        string? variant = null;
        if (suffix is not null)
        {
            if (kind == "openvino")
                variant = device!.Trim()[(colon + 1)..];
            else if (kind == "cpu" || !int.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out index))
                throw new InputException(source, null, field, $"'{device}' is not a device; give {kind}" + (kind == "cpu" ? "" : $" or {kind}:N with N a device index"));
        }
        if (!providers.Contains(known.Provider))
            throw new InputException(source, null, field,
                $"device '{device}' needs {known.Provider}, which this ONNX Runtime build ({OrtEnv.Instance().GetVersionString()}) lacks; {Has(providers)}" +
                (kind == "cpu" ? "" : " (a GPU build is selected with -p:OnnxRuntimePackage=Microsoft.ML.OnnxRuntime.Gpu)"));
        return new OnnxDevice(kind, index, variant, known.Provider);
    }

    public static void Append(SessionOptions options, OnnxDevice device)
    {
        switch (device.Kind)
        {
            case "cuda":
                options.AppendExecutionProvider_CUDA(device.Index);
                break;
            case "tensorrt":
                options.AppendExecutionProvider_Tensorrt(device.Index);
                options.AppendExecutionProvider_CUDA(device.Index);
                break;
            case "rocm":
                options.AppendExecutionProvider_ROCm(device.Index);
                break;
            case "openvino":
                options.AppendExecutionProvider_OpenVINO(device.Variant ?? "");
                break;
        }
    }

    /// <summary>
    /// Thread-pool settings for <paramref name="threads"/> intra-op threads; returns whether workers spin.
    /// Spinning workers cut per-op latency only while a core is left for the calling thread and the run's
    /// samplers: with every core taken they contend with the caller, and a 2-core decode step measured twice
    /// as slow (median) with spinning as without. Dynamic block sizing evens out the many small ops of a decode step.
    /// </summary>
    public static bool ConfigureThreading(SessionOptions options, int threads)
    {
        var spinning = threads == 1 || threads < Environment.ProcessorCount;
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", spinning ? "1" : "0");
        if (threads > 1)
            options.AddSessionConfigEntry("session.dynamic_block_base", "4");
        return spinning;
    }

    private static string Has(IReadOnlyList<string> providers)
    {
        var devices = AvailableDevices(providers);
        return $"this build has: {string.Join(", ", devices)} ({string.Join(", ", providers)})";
    }

    /// <summary>
    /// Physical cores available to this process: unique (package, core) pairs from Linux sysfs, capped by the
    /// CPUs the process may use; elsewhere <see cref="Environment.ProcessorCount"/>.
    /// </summary>
    public static int PhysicalCores()
    {
        var logical = Environment.ProcessorCount;
        try
        {
            const string root = "/sys/devices/system/cpu";
            if (!Directory.Exists(root))
                return logical;
            var cores = new HashSet<string>(StringComparer.Ordinal);
            foreach (var cpu in Directory.GetDirectories(root, "cpu*"))
            {
                var topo = Path.Combine(cpu, "topology");
                var coreId = Path.Combine(topo, "core_id");
                var package = Path.Combine(topo, "physical_package_id");
                if (File.Exists(coreId) && File.Exists(package))
                    cores.Add(File.ReadAllText(package).Trim() + ":" + File.ReadAllText(coreId).Trim());
            }
            return cores.Count == 0 ? logical : Math.Clamp(cores.Count, 1, logical);
        }
        catch (IOException)
        {
            return logical;
        }
        catch (UnauthorizedAccessException)
        {
            return logical;
        }
    }
}
