using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace SiliconBench.Benchmarks.Engines;

/// <summary>
/// A rate derived from a benchmark's mean time and the work one operation does: GB/s from bytes moved
/// (weights + KV cache read by a decode step, or a buffer streamed), GFLOP/s from floating-point operations.
/// </summary>
internal sealed class RateColumn(string name, Func<BenchmarkCase, double?> workPerOp, double unit) : IColumn
{
    public string Id => "Rate." + name;
    public string ColumnName => name;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => $"{name}: work per operation / mean time";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var work = workPerOp(benchmarkCase);
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return work is { } w && mean is > 0 ? (w / (mean.Value * 1e-9) / unit).ToString("F2", System.Globalization.CultureInfo.InvariantCulture) : "-";
    }
}
