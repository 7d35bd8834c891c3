using SiliconBench.Running;

namespace SiliconBench.Testing;

/// <summary>A clock that moves only when told to, so timings in tests are exact.</summary>
public sealed class FakeTimeSource : ITimeSource
{
    private double _now;

    public FakeTimeSource(double start = 0) => _now = start;

    public double Now => Volatile.Read(ref _now);

    public void Advance(double seconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seconds);
        Volatile.Write(ref _now, _now + seconds);
    }
}
