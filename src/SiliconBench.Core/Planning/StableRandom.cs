using System.Numerics;
using System.Text;

namespace SiliconBench.Planning;

/// <summary>
/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64. Written here rather than taken from
/// <see cref="System.Random"/>, whose algorithm a runtime update may change: the prompts of a seeded plan must
/// stay the same across .NET versions, so records stay comparable.
/// </summary>
internal struct StableRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>A generator whose whole state is derived from <paramref name="key"/> (see <see cref="StreamKey"/>).</summary>
    public static StableRandom FromKey(ulong key)
    {
        var sm = key;
        var r = new StableRandom { _s0 = SplitMix64(ref sm), _s1 = SplitMix64(ref sm), _s2 = SplitMix64(ref sm), _s3 = SplitMix64(ref sm) };
        return r;
    }

    /// <summary>A generator with the given raw state, for checks against the reference implementation.</summary>
    internal static StableRandom FromState(ulong s0, ulong s1, ulong s2, ulong s3) => new() { _s0 = s0, _s1 = s1, _s2 = s2, _s3 = s3 };

    public ulong NextUInt64()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, <paramref name="bound"/>), without modulo bias (Lemire's multiply-and-reject).</summary>
    public int NextInt(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, 1);
        var range = (ulong)bound;
        var high = Math.BigMul(NextUInt64(), range, out var low);
        if (low < range)
        {
            var threshold = (0 - range) % range;
            while (low < threshold)
                high = Math.BigMul(NextUInt64(), range, out low);
        }
        return (int)high;
    }

    /// <summary>Uniform in [<paramref name="min"/>, <paramref name="max"/>], both included.</summary>
    public int NextInt(int min, int max) => min + NextInt(max - min + 1);

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Standard normal (Box–Muller, one value per two uniforms).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble(); // (0, 1]: keeps Log finite
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    internal static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return Finalize(state);
    }

    internal static ulong Finalize(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>Derives independent stream keys from a seed and a path of components (point id, repetition, …).</summary>
internal static class StreamKey
{
    public static ulong Of(int seed) => StableRandom.Finalize((ulong)(uint)seed ^ 0x5349_4C49_434F_4E42UL); // "SILICONB"

    public static ulong Mix(ulong key, ulong component) =>
        StableRandom.Finalize(key ^ StableRandom.Finalize(component + 0x9E3779B97F4A7C15UL));

    public static ulong Mix(ulong key, string component)
    {
        // FNV-1a over UTF-8: stable, unlike string.GetHashCode, which is randomized per process.
        var h = 0xCBF29CE484222325UL;
        foreach (var b in Encoding.UTF8.GetBytes(component))
            h = (h ^ b) * 0x100000001B3UL;
        return Mix(key, h);
    }
}
