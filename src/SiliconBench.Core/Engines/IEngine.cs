using SiliconBench.Records;

namespace SiliconBench.Engines;

/// <summary>
/// A step-level inference engine (docs/design.md, "Engines and backends"). The runner owns the clock and times every
/// call, so it knows the phase of each joule. One batch lives at a time: <see cref="Prefill"/> starts it,
/// <see cref="Decode"/> extends every sequence of it by one token, <see cref="EndBatch"/> frees its KV cache.
/// Sampling is greedy, so the same model and prompts give the same tokens.
/// </summary>
public interface IEngine : IDisposable
{
    /// <summary>What goes to <c>manifest.backend</c>.</summary>
    BackendInfo Backend { get; }

    /// <summary>What goes to <c>manifest.model</c>.</summary>
    ModelInfo Model { get; }

    /// <summary>
    /// Runs the prompt phase for a new batch of sequences, which may differ in length; returns the first
    /// generated token of each sequence. Any previous batch is ended first.
    /// </summary>
    StepOutput Prefill(IReadOnlyList<int[]> prompts);

    /// <summary>One decode step for every sequence of the current batch, fed with the tokens of the previous step.</summary>
    StepOutput Decode();

    /// <summary>Drops the current batch and its KV cache.</summary>
    void EndBatch();
}

/// <summary>The tokens a step produced, one per sequence, and the device-synchronized time if the engine measures one.</summary>
public readonly record struct StepOutput(int[] Tokens, double? DeviceSeconds = null);

/// <summary>How an engine is asked for: model spec, device, options and where to cache converted models.</summary>
public sealed record EngineRequest
{
    public required string ModelSpec { get; init; }
    /// <summary>Device or execution provider, e.g. <c>cpu</c>, <c>cuda</c>, <c>cuda:1</c>.</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>Compute dtype requested (<c>fp32</c>, <c>fp16</c>, <c>bf16</c>); null = the engine's default for the device.</summary>
    public string? Dtype { get; init; }
    public int Seed { get; init; } = 42;
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();
    public required string CacheDirectory { get; init; }
    /// <summary>Where progress lines (e.g. "materializing synthetic checkpoint") go; never measurement data.</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>
/// A kind of engine, found by id (like a BenchmarkDotNet toolchain). <see cref="Check"/> says, without
/// side effects, whether it can run here and on which devices; <see cref="Create"/> loads a model.
/// </summary>
public interface IEngineFactory
{
    string Id { get; }

    EngineAvailability Check();

    /// <summary>Loads the model. Throws <see cref="Diagnostics.InputException"/> for a bad spec, file or device.</summary>
    IEngine Create(EngineRequest request);
}

/// <summary>Whether an engine can run on this machine: its version, the devices it offers, or why not.</summary>
public sealed record EngineAvailability(string Id, bool Available, string Version, IReadOnlyList<string> Devices, string? Reason)
{
    public static EngineAvailability Unavailable(string id, string reason) => new(id, false, "", [], reason);
}
