using SiliconBench.Records;
using SiliconBench.Telemetry;

namespace SiliconBench.Analysis.Energy;

/// <summary>
/// One sensor's energy and power samples, sorted, with its counter unwrapped into a cumulative series.
/// A negative counter step is a wrap when the wrap range is known and the drop is more than half of it;
/// otherwise it is a reset (driver reload): windows that span a reset cannot use the counter.
/// </summary>
internal sealed class SensorSeries
{
    private readonly double[] _ct;
    private readonly double[] _cumulative;
    private readonly double[] _pt;
    private readonly double[] _pw;
    private readonly List<(double After, double At)> _resets = [];
    private readonly List<double> _wraps = [];

    public SensorSeries(SensorInfo sensor, IEnumerable<TelemetrySample> samples)
    {
        Sensor = sensor;
        var mine = samples.Where(s => s.Sensor == sensor.Id).ToList();
        var counter = mine.Where(s => s.Quantity == Quantities.EnergyJ).OrderBy(s => s.T).ToList();
        var power = mine.Where(s => s.Quantity == Quantities.PowerW).OrderBy(s => s.T).ToList();
        Throttle = [.. mine.Where(s => s.Quantity == Quantities.ThrottleReasons).Select(s => (s.T, (long)s.Value))];
        var range = mine.LastOrDefault(s => s.Quantity == Quantities.EnergyRangeJ).Value;
        _ct = [.. counter.Select(s => s.T)];
        _cumulative = new double[counter.Count];
        for (var i = 1; i < counter.Count; i++)
        {
            var delta = counter[i].Value - counter[i - 1].Value;
            if (delta < 0 && range > 0 && -delta > range / 2)
            {
                delta += range;
                _wraps.Add(counter[i].T);
            }
            else if (delta < 0)
            {
                _resets.Add((counter[i - 1].T, counter[i].T));
                delta = 0;
            }
            _cumulative[i] = _cumulative[i - 1] + delta;
        }
        _pt = [.. power.Select(s => s.T)];
        _pw = [.. power.Select(s => s.Value)];
        SampleTimes = [.. mine.Where(s => s.Quantity is Quantities.EnergyJ or Quantities.PowerW).Select(s => s.T).Distinct().Order()];
    }

    public SensorInfo Sensor { get; }
    public IReadOnlyList<(double T, long Mask)> Throttle { get; }
    public double[] SampleTimes { get; }
    public bool HasCounter => _ct.Length >= 2;
    public bool HasPower => _pt.Length >= 2;

    public IEnumerable<string> ResetsIn(double a, double b) =>
        _resets.Where(r => r.After < b && r.At > a).Select(r => $"{Sensor.Id}: counter went backwards between t={r.After:0.###} s and t={r.At:0.###} s (reset)");

    public int WrapsIn(double a, double b) => _wraps.Count(t => t > a && t <= b);

    /// <summary>Counter delta over [a, b], interpolated at the edges; null with the reason when unusable.</summary>
    public (double? J, string? Why) Counter(double a, double b)
    {
        if (!HasCounter)
            return (null, $"{Sensor.Id}: no energy counter samples");
        if (a < _ct[0] || b > _ct[^1])
            return (null, $"{Sensor.Id}: counter samples ({_ct[0]:0.###}–{_ct[^1]:0.###} s) do not cover {a:0.###}–{b:0.###} s");
        if (_resets.Any(r => r.After < b && r.At > a))
            return (null, $"{Sensor.Id}: counter reset inside {a:0.###}–{b:0.###} s");
        return (Interpolate(_ct, _cumulative, b) - Interpolate(_ct, _cumulative, a), null);
    }

    /// <summary>Trapezoid integral of power over [a, b], power interpolated linearly at the edges.</summary>
    public (double? J, string? Why) IntegratedPower(double a, double b)
    {
        if (!HasPower)
            return (null, $"{Sensor.Id}: no power samples");
        if (a < _pt[0] || b > _pt[^1])
            return (null, $"{Sensor.Id}: power samples ({_pt[0]:0.###}–{_pt[^1]:0.###} s) do not cover {a:0.###}–{b:0.###} s");
        var t0 = a;
        var p0 = Interpolate(_pt, _pw, a);
        var sum = 0.0;
        var i = Array.BinarySearch(_pt, a);
        i = i < 0 ? ~i : i + 1;
        for (; i < _pt.Length && _pt[i] < b; i++)
        {
            sum += (_pt[i] - t0) * (p0 + _pw[i]) / 2;
            (t0, p0) = (_pt[i], _pw[i]);
        }
        sum += (b - t0) * (p0 + Interpolate(_pt, _pw, b)) / 2;
        return (sum, null);
    }

    /// <summary>Counter where usable, else integrated power.</summary>
    public (double? J, string? Why, bool FromCounter) Energy(double a, double b)
    {
        var (c, whyC) = Counter(a, b);
        if (c is not null)
            return (c, null, true);
        var (p, whyP) = IntegratedPower(a, b);
        if (p is not null)
            return (p, HasCounter ? whyC + "; integrated power used instead" : null, false);
        return (null, HasCounter ? $"{whyC}; {whyP}" : whyP, false);
    }

    private static double Interpolate(double[] t, double[] v, double x)
    {
        var i = Array.BinarySearch(t, x);
        if (i >= 0)
            return v[i];
        i = ~i;
        var (t0, t1) = (t[i - 1], t[i]);
        return v[i - 1] + (v[i] - v[i - 1]) * (x - t0) / (t1 - t0);
    }
}
