using SiliconBench.Records;

namespace SiliconBench.Serving.Batching;

/// <summary>
/// Tells a <see cref="BatchingScheduler"/> which point (and whether warm-up) the serving runner is on, so its
/// step records carry it, and forwards every callback to an optional inner observer (e.g. the CLI's progress).
/// </summary>
public sealed class BatchingObserver(BatchingScheduler scheduler, IServingObserver? inner = null) : IServingObserver
{
    public void PointStarted(ServingPoint point, bool warmup, int index, int count)
    {
        scheduler.SetPoint(point.Id, warmup);
        inner?.PointStarted(point, warmup, index, count);
    }

    public void RequestFinished(RequestRecord record) => inner?.RequestFinished(record);
}
