using SiliconBench.Planning;

namespace SiliconBench.Serving;

/// <summary>
/// Inter-arrival times of an open-loop load: gamma-distributed with mean 1/rate and shape = burstiness
/// (1 = exponential, i.e. Poisson arrivals; below 1 burstier; above 1 more regular), as vLLM's
/// <c>--burstiness</c>. Drawn from the harness's own seeded generator so a seed gives the same schedule on
/// every .NET version.
/// </summary>
public sealed class ArrivalGenerator
{
    private readonly double _rate;
    private readonly double _shape;
    private StableRandom _random;

    public ArrivalGenerator(double ratePerSecond, double burstiness, int seed, string stream)
    {
        if (!(ratePerSecond > 0) || double.IsInfinity(ratePerSecond))
            throw new ArgumentOutOfRangeException(nameof(ratePerSecond), ratePerSecond, "a rate is a positive finite number of requests per second");
        if (!(burstiness > 0) || double.IsInfinity(burstiness))
            throw new ArgumentOutOfRangeException(nameof(burstiness), burstiness, "burstiness (gamma shape) is a positive finite number");
        _rate = ratePerSecond;
        _shape = burstiness;
        _random = StableRandom.FromKey(StreamKey.Mix(StreamKey.Of(seed), stream));
    }

    /// <summary>Seconds until the next arrival.</summary>
    public double NextGap()
    {
        // Gamma(shape k, scale θ) has mean kθ; θ = 1 / (k·rate) keeps the mean gap at 1 / rate.
        if (_shape == 1.0)
            return -Math.Log(1.0 - _random.NextDouble()) / _rate;
        return Gamma(_shape) / (_shape * _rate);
    }

    // Marsaglia and Tsang (2000) for k ≥ 1; for k < 1, Gamma(k) = Gamma(k + 1) · U^(1/k).
    private double Gamma(double k)
    {
        if (k < 1.0)
        {
            var u = 1.0 - _random.NextDouble();
            return Gamma(k + 1.0) * Math.Pow(u, 1.0 / k);
        }
        var d = k - 1.0 / 3.0;
        var c = 1.0 / Math.Sqrt(9.0 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = _random.NextGaussian();
                v = 1.0 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            var u = 1.0 - _random.NextDouble();
            if (u < 1.0 - 0.0331 * x * x * x * x || Math.Log(u) < 0.5 * x * x + d * (1.0 - v + Math.Log(v)))
                return d * v;
        }
    }
}
