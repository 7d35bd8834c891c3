namespace SiliconBench.Site.Charts;

/// <summary>A linear axis with "nice" ticks (1, 2, 2.5, 5 × 10ⁿ) spanning the data.</summary>
internal sealed class Axis
{
    public Axis(double min, double max, bool includeZero, int targetTicks = 5)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max))
            (min, max) = (0, 1);
        if (includeZero)
        {
            min = Math.Min(0, min);
            max = Math.Max(0, max);
        }
        // A spread at floating-point noise level (e.g. 12 ms ± 1e-14) is a single value.
        if (max - min <= 1e-9 * Math.Max(Math.Abs(max), Math.Abs(min)))
        {
            max = min;
            var pad = Math.Abs(max) > 0 ? Math.Abs(max) * 0.1 : 1;
            min -= pad;
            max += pad;
            if (includeZero && min < 0 && max > 0 && max - pad >= 0)
                min = 0;
        }
        var step = NiceStep((max - min) / targetTicks);
        Step = step;
        Min = Math.Floor(min / step) * step;
        Max = Math.Ceiling(max / step) * step;
        var ticks = new List<double>();
        for (var t = Min; t <= Max + step * 1e-9; t += step)
            ticks.Add(Math.Abs(t) < step * 1e-9 ? 0 : t);
        Ticks = ticks;
    }

    public double Min { get; }
    public double Max { get; }
    public IReadOnlyList<double> Ticks { get; }
    public double Step { get; }

    /// <summary>A tick label with just enough decimals to tell neighbouring ticks apart.</summary>
    public string Label(double tick)
    {
        var decimals = Math.Clamp((int)-Math.Floor(Math.Log10(Step) + 1e-9), 0, 12);
        if (Math.Abs(Step * Math.Pow(10, decimals) - Math.Round(Step * Math.Pow(10, decimals))) > 1e-6)
            decimals++;
        var format = (Math.Abs(tick) >= 10_000 ? "#,0" : "0") + (decimals > 0 ? "." + new string('0', decimals) : "");
        return tick.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Position of <paramref name="value"/> between <paramref name="from"/> (at Min) and <paramref name="to"/> (at Max).</summary>
    public double Map(double value, double from, double to) => from + (value - Min) / (Max - Min) * (to - from);

    private static double NiceStep(double raw)
    {
        if (raw <= 0 || !double.IsFinite(raw))
            return 1;
        var exp = Math.Floor(Math.Log10(raw));
        var f = raw / Math.Pow(10, exp);
        var nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
        return nice * Math.Pow(10, exp);
    }
}
