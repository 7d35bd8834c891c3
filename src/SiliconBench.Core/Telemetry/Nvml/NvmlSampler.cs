using SiliconBench.Records;

namespace SiliconBench.Telemetry.Nvml;

/// <summary>
/// NVIDIA GPUs through NVML. Per device <c>nvml:&lt;index&gt;</c> (scope accelerator) it writes the energy
/// counter (mJ → energy_j, the primary signal, Volta and newer), power_w (instant field 186 where the driver
/// has it, else nvmlDeviceGetPowerUsage, a 1 s average on Ampere and newer), power_avg_w (field 185), clocks,
/// temperature, utilization, memory used and the clock-event (throttle) reasons. A quantity the device
/// does not support is dropped after its first NOT_SUPPORTED; any other error stops the sampler (a fault).
/// </summary>
public sealed class NvmlSampler : PeriodicSampler
{
    private readonly NvmlLibrary _nvml;
    private readonly NvmlDevice[] _devices;
    private readonly SensorInfo[] _sensors;
    private readonly AcceleratorInfo[] _accelerators;

    /// <param name="gpus">NVML indices to read, or null for every device.</param>
    /// <param name="libraryPath">Library to load; null for <see cref="NvmlLibrary.DefaultPath"/>.</param>
    public NvmlSampler(IReadOnlyList<int>? gpus = null, TimeSpan? interval = null, string? libraryPath = null)
        : base("nvml", interval ?? DefaultInterval)
    {
        _nvml = NvmlLibrary.Open(libraryPath);
        try
        {
            DriverVersion = _nvml.DriverVersion();
            NvmlVersion = _nvml.NvmlVersion();
            var count = _nvml.DeviceCount();
            var indices = gpus ?? [.. Enumerable.Range(0, count)];
            foreach (var i in indices)
                if (i < 0 || i >= count)
                    throw new ArgumentOutOfRangeException(nameof(gpus), i, $"GPU {i} does not exist: NVML sees {count} device(s) (0..{count - 1})");
            _devices = [.. indices.Select(Inventory)];
            _sensors = [.. _devices.Select(d => new SensorInfo(d.SensorId, SensorScope.Accelerator,
                d.HasEnergyCounter ? "nvml energy counter" : "nvml power (integrated)")
            {
                IntervalS = Interval.TotalSeconds,
                Device = d.Info.Uuid is null ? d.Info.Name : $"{d.Info.Name} {d.Info.Uuid}",
            })];
            _accelerators = [.. _devices.Select(d => d.Info)];
            foreach (var d in _devices.Where(d => !d.HasEnergyCounter))
                AddNote($"{d.SensorId}: no energy counter (pre-Volta?); energy is integrated from power samples");
        }
        catch
        {
            _nvml.Dispose();
            throw;
        }
    }

    public string? DriverVersion { get; }
    public string? NvmlVersion { get; }

    public override IReadOnlyList<SensorInfo> Sensors => _sensors;

    public override IReadOnlyList<AcceleratorInfo> Accelerators => _accelerators;

    private NvmlDevice Inventory(int index)
    {
        var h = _nvml.DeviceHandle(index);
        long? memory = _nvml.TryMemoryInfo(h, out var total, out _) == NvmlReturn.Success ? (long)total : null;
        double? limit = _nvml.TryEnforcedPowerLimitMw(h, out var mw) == NvmlReturn.Success ? mw / 1000.0 : null;
        var energyRc = _nvml.TryTotalEnergyMj(h, out _);
        if (energyRc is not (NvmlReturn.Success or NvmlReturn.NotSupported or NvmlReturn.FunctionNotFound))
            _nvml.Check(energyRc, "nvmlDeviceGetTotalEnergyConsumption");
        var info = new AcceleratorInfo
        {
            Name = _nvml.Name(h) ?? $"NVIDIA GPU {index}",
            Uuid = _nvml.Uuid(h),
            PciBusId = _nvml.PciBusId(h),
            Driver = DriverVersion,
            MemoryBytes = memory,
            PowerLimitW = limit,
        };
        return new NvmlDevice(index, h, "nvml:" + index, info, energyRc == NvmlReturn.Success);
    }

    protected internal override void Sample(double t, ITelemetrySink sink)
    {
        foreach (var d in _devices)
            SampleDevice(d, t, sink);
    }

    private void SampleDevice(NvmlDevice d, double t, ITelemetrySink sink)
    {
        var h = d.Handle;
        var id = d.SensorId;
        if (d.HasEnergyCounter)
        {
            _nvml.Check(_nvml.TryTotalEnergyMj(h, out var mj), "nvmlDeviceGetTotalEnergyConsumption");
            sink.Write(new TelemetrySample(t, id, Quantities.EnergyJ, mj / 1000.0));
        }
        var wroteInstant = false;
        if (d.PowerFields)
        {
            var rc = _nvml.TryPowerFields(h, out var avgRc, out var avgMw, out var instRc, out var instMw);
            if (rc is NvmlReturn.NotSupported or NvmlReturn.FunctionNotFound || (avgRc != NvmlReturn.Success && instRc != NvmlReturn.Success))
                d.PowerFields = false;
            else
            {
                _nvml.Check(rc, "nvmlDeviceGetFieldValues");
                if (avgRc == NvmlReturn.Success)
                    sink.Write(new TelemetrySample(t, id, Quantities.PowerAvgW, avgMw / 1000.0));
                if (instRc == NvmlReturn.Success)
                {
                    sink.Write(new TelemetrySample(t, id, Quantities.PowerW, instMw / 1000.0));
                    wroteInstant = true;
                }
            }
        }
        if (!wroteInstant && Optional(ref d.PowerUsage, _nvml.TryPowerUsageMw(h, out var mw), "nvmlDeviceGetPowerUsage"))
            sink.Write(new TelemetrySample(t, id, Quantities.PowerW, mw / 1000.0));
        if (Optional(ref d.SmClock, _nvml.TryClockMhz(h, NvmlLibrary.ClockSm, out var sm), "nvmlDeviceGetClockInfo"))
            sink.Write(new TelemetrySample(t, id, Quantities.SmClockMhz, sm));
        if (Optional(ref d.MemClock, _nvml.TryClockMhz(h, NvmlLibrary.ClockMem, out var mem), "nvmlDeviceGetClockInfo"))
            sink.Write(new TelemetrySample(t, id, Quantities.MemClockMhz, mem));
        if (Optional(ref d.Temperature, _nvml.TryTemperatureC(h, out var c), "nvmlDeviceGetTemperature"))
            sink.Write(new TelemetrySample(t, id, Quantities.TempC, c));
        if (Optional(ref d.Utilization, _nvml.TryUtilization(h, out var gpu, out var memUtil), "nvmlDeviceGetUtilizationRates"))
        {
            sink.Write(new TelemetrySample(t, id, Quantities.UtilPct, gpu));
            sink.Write(new TelemetrySample(t, id, Quantities.MemUtilPct, memUtil));
        }
        if (Optional(ref d.Memory, _nvml.TryMemoryInfo(h, out _, out var used), "nvmlDeviceGetMemoryInfo"))
            sink.Write(new TelemetrySample(t, id, Quantities.MemUsedBytes, used));
        if (Optional(ref d.Reasons, _nvml.TryClocksEventReasons(h, out var reasons), "nvmlDeviceGetCurrentClocksEventReasons"))
            sink.Write(new TelemetrySample(t, id, Quantities.ThrottleReasons, reasons));
    }

    /// <summary>True when the read succeeded; unsupported turns the quantity off for good; other errors throw.</summary>
    private bool Optional(ref bool enabled, int rc, string function)
    {
        if (!enabled)
            return false;
        if (rc is NvmlReturn.NotSupported or NvmlReturn.FunctionNotFound)
        {
            enabled = false;
            return false;
        }
        _nvml.Check(rc, function);
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            _nvml.Dispose();
        base.Dispose(disposing);
    }

    private sealed class NvmlDevice(int index, nint handle, string sensorId, AcceleratorInfo info, bool hasEnergyCounter)
    {
        public int Index { get; } = index;
        public nint Handle { get; } = handle;
        public string SensorId { get; } = sensorId;
        public AcceleratorInfo Info { get; } = info;
        public bool HasEnergyCounter { get; } = hasEnergyCounter;
#pragma warning disable CA1051 // Why: passed by ref to the one helper that turns quantities off.
        public bool PowerFields = true;
        public bool PowerUsage = true;
        public bool SmClock = true;
        public bool MemClock = true;
        public bool Temperature = true;
        public bool Utilization = true;
        public bool Memory = true;
        public bool Reasons = true;
#pragma warning restore CA1051
    }
}
