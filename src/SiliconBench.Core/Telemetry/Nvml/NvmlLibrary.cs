using System.Runtime.InteropServices;
using System.Text;

namespace SiliconBench.Telemetry.Nvml;

/// <summary>An NVML call that did not return NVML_SUCCESS, with NVML's own text for the code.</summary>
public sealed class NvmlException : Exception
{
    public NvmlException(string function, int code, string text)
        : base($"{function} failed: {text} (nvmlReturn {code})")
    {
        Function = function;
        Code = code;
        Text = text;
    }

    public string Function { get; }
    public int Code { get; }
    public string Text { get; }
}

/// <summary>nvmlReturn_t codes the sampler treats specially (nvml.h).</summary>
public static class NvmlReturn
{
    public const int Success = 0;
    public const int Uninitialized = 1;
    public const int InvalidArgument = 2;
    public const int NotSupported = 3;
    public const int NoPermission = 4;
    public const int NotFound = 6;
    public const int InsufficientSize = 7;
    public const int FunctionNotFound = 13;
    public const int GpuIsLost = 15;
}

[StructLayout(LayoutKind.Sequential)]
internal struct NvmlMemory
{
    public ulong Total;
    public ulong Free;
    public ulong Used;
}

[StructLayout(LayoutKind.Sequential)]
internal struct NvmlUtilization
{
    public uint Gpu;
    public uint Memory;
}

/// <summary>nvmlFieldValue_t: 40 bytes; the value union is read according to <see cref="ValueType"/>.</summary>
[StructLayout(LayoutKind.Explicit, Size = 40)]
internal struct NvmlFieldValue
{
    [FieldOffset(0)] public uint FieldId;
    [FieldOffset(4)] public uint ScopeId;
    [FieldOffset(8)] public long TimestampUs;
    [FieldOffset(16)] public long LatencyUs;
    [FieldOffset(24)] public int ValueType;
    [FieldOffset(28)] public int Return;
    [FieldOffset(32)] public double DoubleValue;
    [FieldOffset(32)] public uint UIntValue;
    [FieldOffset(32)] public ulong ULongValue;
    [FieldOffset(32)] public long LongValue;
    [FieldOffset(32)] public int IntValue;

    public readonly double Value => ValueType switch
    {
        0 => DoubleValue,
        1 => UIntValue,
        2 or 3 => ULongValue,
        4 => LongValue,
        5 => IntValue,
        _ => double.NaN,
    };
}

/// <summary>
/// The NVML entry points, bound by name from the loaded library as unmanaged function pointers
/// (no marshalling stubs on the sampling path). Optional exports that an older driver lacks are null
/// and read as NVML_ERROR_FUNCTION_NOT_FOUND.
/// </summary>
public sealed unsafe class NvmlLibrary : IDisposable
{
    public const string LibraryEnvironmentVariable = "SILICONBENCH_NVML_LIBRARY";
    public const int FieldPowerAverage = 185;
    public const int FieldPowerInstant = 186;
    public const int ClockSm = 1;
    public const int ClockMem = 2;
    public const int TemperatureGpu = 0;

    private readonly nint _handle;
    private readonly delegate* unmanaged<int> _init;
    private readonly delegate* unmanaged<int> _shutdown;
    private readonly delegate* unmanaged<int, byte*> _errorString;
    private readonly delegate* unmanaged<byte*, uint, int> _driverVersion;
    private readonly delegate* unmanaged<byte*, uint, int> _nvmlVersion;
    private readonly delegate* unmanaged<uint*, int> _deviceCount;
    private readonly delegate* unmanaged<uint, nint*, int> _handleByIndex;
    private readonly delegate* unmanaged<nint, byte*, uint, int> _name;
    private readonly delegate* unmanaged<nint, byte*, uint, int> _uuid;
    private readonly delegate* unmanaged<nint, byte*, int> _pciInfo;
    private readonly delegate* unmanaged<nint, NvmlMemory*, int> _memoryInfo;
    private readonly delegate* unmanaged<nint, uint*, int> _enforcedPowerLimit;
    private readonly delegate* unmanaged<nint, ulong*, int> _totalEnergy;
    private readonly delegate* unmanaged<nint, uint*, int> _powerUsage;
    private readonly delegate* unmanaged<nint, int, NvmlFieldValue*, int> _fieldValues;
    private readonly delegate* unmanaged<nint, int, uint*, int> _clockInfo;
    private readonly delegate* unmanaged<nint, int, uint*, int> _temperature;
    private readonly delegate* unmanaged<nint, NvmlUtilization*, int> _utilization;
    private readonly delegate* unmanaged<nint, ulong*, int> _clocksEventReasons;
    private int _initialized;

    private NvmlLibrary(nint handle, string path)
    {
        _handle = handle;
        Path = path;
        _init = (delegate* unmanaged<int>)Required("nvmlInit_v2");
        _shutdown = (delegate* unmanaged<int>)Required("nvmlShutdown");
        _errorString = (delegate* unmanaged<int, byte*>)Required("nvmlErrorString");
        _driverVersion = (delegate* unmanaged<byte*, uint, int>)Optional("nvmlSystemGetDriverVersion");
        _nvmlVersion = (delegate* unmanaged<byte*, uint, int>)Optional("nvmlSystemGetNVMLVersion");
        _deviceCount = (delegate* unmanaged<uint*, int>)Required("nvmlDeviceGetCount_v2");
        _handleByIndex = (delegate* unmanaged<uint, nint*, int>)Required("nvmlDeviceGetHandleByIndex_v2");
        _name = (delegate* unmanaged<nint, byte*, uint, int>)Optional("nvmlDeviceGetName");
        _uuid = (delegate* unmanaged<nint, byte*, uint, int>)Optional("nvmlDeviceGetUUID");
        _pciInfo = (delegate* unmanaged<nint, byte*, int>)(Optional("nvmlDeviceGetPciInfo_v3") is var v3 && v3 != 0 ? v3 : Optional("nvmlDeviceGetPciInfo_v2"));
        _memoryInfo = (delegate* unmanaged<nint, NvmlMemory*, int>)Optional("nvmlDeviceGetMemoryInfo");
        _enforcedPowerLimit = (delegate* unmanaged<nint, uint*, int>)Optional("nvmlDeviceGetEnforcedPowerLimit");
        _totalEnergy = (delegate* unmanaged<nint, ulong*, int>)Optional("nvmlDeviceGetTotalEnergyConsumption");
        _powerUsage = (delegate* unmanaged<nint, uint*, int>)Optional("nvmlDeviceGetPowerUsage");
        _fieldValues = (delegate* unmanaged<nint, int, NvmlFieldValue*, int>)Optional("nvmlDeviceGetFieldValues");
        _clockInfo = (delegate* unmanaged<nint, int, uint*, int>)Optional("nvmlDeviceGetClockInfo");
        _temperature = (delegate* unmanaged<nint, int, uint*, int>)Optional("nvmlDeviceGetTemperature");
        _utilization = (delegate* unmanaged<nint, NvmlUtilization*, int>)Optional("nvmlDeviceGetUtilizationRates");
        var reasons = Optional("nvmlDeviceGetCurrentClocksEventReasons");
        _clocksEventReasons = (delegate* unmanaged<nint, ulong*, int>)(reasons != 0 ? reasons : Optional("nvmlDeviceGetCurrentClocksThrottleReasons"));
    }

    /// <summary>Where the library was loaded from (or the name the loader resolved).</summary>
    public string Path { get; }

    /// <summary>The library to load: the environment override, else the platform's versioned name.</summary>
    public static string DefaultPath =>
        Environment.GetEnvironmentVariable(LibraryEnvironmentVariable) is { Length: > 0 } over ? over
        : OperatingSystem.IsWindows() ? "nvml.dll"
        : "libnvidia-ml.so.1";

    /// <summary>Loads the library and calls nvmlInit_v2; throws <see cref="DllNotFoundException"/> or <see cref="NvmlException"/>.</summary>
    public static NvmlLibrary Open(string? path = null)
    {
        path ??= DefaultPath;
        if (!NativeLibrary.TryLoad(path, out var handle)
            && !(OperatingSystem.IsWindows() && TryLoadFromNvsmi(out handle)))
            throw new DllNotFoundException($"the NVIDIA management library {path} could not be loaded (no NVIDIA driver on this machine?)");
        NvmlLibrary? lib = null;
        try
        {
            lib = new NvmlLibrary(handle, path);
            lib.Check(lib._init(), "nvmlInit_v2");
            lib._initialized = 1;
            return lib;
        }
        catch
        {
            if (lib is null)
                NativeLibrary.Free(handle);
            else
                lib.Dispose();
            throw;
        }
    }

    private static bool TryLoadFromNvsmi(out nint handle)
    {
        var dir = Environment.GetEnvironmentVariable("ProgramW6432") ?? @"C:\Program Files";
        return NativeLibrary.TryLoad(System.IO.Path.Combine(dir, "NVIDIA Corporation", "NVSMI", "nvml.dll"), out handle);
    }

    private nint Required(string name) =>
        NativeLibrary.TryGetExport(_handle, name, out var p) ? p
        : throw new EntryPointNotFoundException($"{Path} does not export {name}; the NVIDIA driver is too old");

    private nint Optional(string name) => NativeLibrary.TryGetExport(_handle, name, out var p) ? p : 0;

    public string ErrorString(int code)
    {
        var p = _errorString(code);
        return p == null ? $"NVML error {code}" : Marshal.PtrToStringUTF8((nint)p) ?? $"NVML error {code}";
    }

    public void Check(int code, string function)
    {
        if (code != NvmlReturn.Success)
            throw new NvmlException(function, code, ErrorString(code));
    }

    private static string ReadString(byte* buffer, int size)
    {
        var span = new ReadOnlySpan<byte>(buffer, size);
        var end = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
    }

    private string? SystemString(delegate* unmanaged<byte*, uint, int> fn, string function)
    {
        if (fn == null)
            return null;
        var buffer = stackalloc byte[96];
        Check(fn(buffer, 96), function);
        return ReadString(buffer, 96);
    }

    public string? DriverVersion() => SystemString(_driverVersion, "nvmlSystemGetDriverVersion");

    public string? NvmlVersion() => SystemString(_nvmlVersion, "nvmlSystemGetNVMLVersion");

    public int DeviceCount()
    {
        uint n;
        Check(_deviceCount(&n), "nvmlDeviceGetCount_v2");
        return (int)n;
    }

    public nint DeviceHandle(int index)
    {
        nint h;
        Check(_handleByIndex((uint)index, &h), "nvmlDeviceGetHandleByIndex_v2");
        return h;
    }

    private string? DeviceString(delegate* unmanaged<nint, byte*, uint, int> fn, nint device, string function)
    {
        if (fn == null)
            return null;
        var buffer = stackalloc byte[128];
        var rc = fn(device, buffer, 128);
        if (rc == NvmlReturn.NotSupported)
            return null;
        Check(rc, function);
        return ReadString(buffer, 128);
    }

    public string? Name(nint device) => DeviceString(_name, device, "nvmlDeviceGetName");

    public string? Uuid(nint device) => DeviceString(_uuid, device, "nvmlDeviceGetUUID");

    /// <summary>PCI bus id (domain:bus:device.function), the key that maps NVML order to CUDA order.</summary>
    public string? PciBusId(nint device)
    {
        if (_pciInfo == null)
            return null;
        // nvmlPciInfo_t: char busIdLegacy[16]; uint domain, bus, device, pciDeviceId, pciSubSystemId; char busId[32].
        var buffer = stackalloc byte[128];
        new Span<byte>(buffer, 128).Clear();
        var rc = _pciInfo(device, buffer);
        if (rc == NvmlReturn.NotSupported)
            return null;
        Check(rc, "nvmlDeviceGetPciInfo_v3");
        return ReadString(buffer + 36, 32);
    }

    public int TryMemoryInfo(nint device, out ulong total, out ulong used)
    {
        NvmlMemory m = default;
        var rc = _memoryInfo == null ? NvmlReturn.FunctionNotFound : _memoryInfo(device, &m);
        total = m.Total;
        used = m.Used;
        return rc;
    }

    public int TryEnforcedPowerLimitMw(nint device, out uint mw)
    {
        uint v = 0;
        var rc = _enforcedPowerLimit == null ? NvmlReturn.FunctionNotFound : _enforcedPowerLimit(device, &v);
        mw = v;
        return rc;
    }

    public int TryTotalEnergyMj(nint device, out ulong mj)
    {
        ulong v = 0;
        var rc = _totalEnergy == null ? NvmlReturn.FunctionNotFound : _totalEnergy(device, &v);
        mj = v;
        return rc;
    }

    public int TryPowerUsageMw(nint device, out uint mw)
    {
        uint v = 0;
        var rc = _powerUsage == null ? NvmlReturn.FunctionNotFound : _powerUsage(device, &v);
        mw = v;
        return rc;
    }

    /// <summary>Reads average and instant power (fields 185, 186) in one call; each value has its own return code.</summary>
    public int TryPowerFields(nint device, out int averageRc, out double averageMw, out int instantRc, out double instantMw)
    {
        var fields = stackalloc NvmlFieldValue[2];
        fields[0] = new NvmlFieldValue { FieldId = FieldPowerAverage };
        fields[1] = new NvmlFieldValue { FieldId = FieldPowerInstant };
        var rc = _fieldValues == null ? NvmlReturn.FunctionNotFound : _fieldValues(device, 2, fields);
        averageRc = rc == NvmlReturn.Success ? fields[0].Return : rc;
        instantRc = rc == NvmlReturn.Success ? fields[1].Return : rc;
        averageMw = fields[0].Value;
        instantMw = fields[1].Value;
        return rc;
    }

    public int TryClockMhz(nint device, int clockType, out uint mhz)
    {
        uint v = 0;
        var rc = _clockInfo == null ? NvmlReturn.FunctionNotFound : _clockInfo(device, clockType, &v);
        mhz = v;
        return rc;
    }

    public int TryTemperatureC(nint device, out uint c)
    {
        uint v = 0;
        var rc = _temperature == null ? NvmlReturn.FunctionNotFound : _temperature(device, TemperatureGpu, &v);
        c = v;
        return rc;
    }

    public int TryUtilization(nint device, out uint gpu, out uint memory)
    {
        NvmlUtilization u = default;
        var rc = _utilization == null ? NvmlReturn.FunctionNotFound : _utilization(device, &u);
        gpu = u.Gpu;
        memory = u.Memory;
        return rc;
    }

    public int TryClocksEventReasons(nint device, out ulong reasons)
    {
        ulong v = 0;
        var rc = _clocksEventReasons == null ? NvmlReturn.FunctionNotFound : _clocksEventReasons(device, &v);
        reasons = v;
        return rc;
    }

    public void Dispose()
    {
        // Why: NVML reference-counts init; every successful init is paired with one shutdown. The
        // library itself stays loaded (unloading a driver library under a live process gains nothing).
        if (Interlocked.Exchange(ref _initialized, 0) == 1)
            _shutdown();
    }
}
