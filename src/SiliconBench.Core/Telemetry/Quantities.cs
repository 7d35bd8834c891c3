namespace SiliconBench.Telemetry;

/// <summary>
/// Quantity names of <c>telemetry.csv</c> (docs/record-format.md). Samplers write them, the analyzer reads them;
/// a new quantity is added here first.
/// </summary>
public static class Quantities
{
    /// <summary>Cumulative energy counter, joules (may wrap or reset; the analyzer handles both).</summary>
    public const string EnergyJ = "energy_j";
    /// <summary>Instantaneous power, watts.</summary>
    public const string PowerW = "power_w";
    /// <summary>Power averaged by the sensor over its own window (e.g. NVML's ~1 s average), watts.</summary>
    public const string PowerAvgW = "power_avg_w";
    public const string PowerLimitW = "power_limit_w";
    public const string TempC = "temp_c";
    public const string SmClockMhz = "sm_clock_mhz";
    public const string MemClockMhz = "mem_clock_mhz";
    public const string UtilPct = "util_pct";
    public const string MemUtilPct = "mem_util_pct";
    public const string MemUsedBytes = "mem_used_bytes";
    /// <summary>Clock-event (throttle) reason bitmask as reported by the device; 0 = none.</summary>
    public const string ThrottleReasons = "throttle_reasons";
    /// <summary>
    /// Whether a clock-event mask reports throttling: any reason but GPU idle (bit 0x1, NVML's
    /// nvmlClocksEventReasonGpuIdle), which only says the device had nothing to do.
    /// </summary>
    public static bool IsThrottling(long throttleReasons) => (throttleReasons & ~1L) != 0;

    /// <summary>Wrap range of an <see cref="EnergyJ"/> counter, joules (e.g. RAPL's max_energy_range_uj), written once per sensor so the analyzer can unwrap.</summary>
    public const string EnergyRangeJ = "energy_range_j";
}
