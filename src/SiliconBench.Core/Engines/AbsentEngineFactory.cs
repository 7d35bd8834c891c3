using SiliconBench.Diagnostics;

namespace SiliconBench.Engines;

/// <summary>
/// Null object for an engine this build leaves out (for example TorchSharp, whose libtorch is hundreds of MB):
/// <c>probe</c> lists it as unavailable with how to get it, and asking for it is a clear input error.
/// </summary>
public sealed class AbsentEngineFactory(string id, string reason) : IEngineFactory
{
    public string Id => id;

    public EngineAvailability Check() => EngineAvailability.Unavailable(id, reason);

    public IEngine Create(EngineRequest request) => throw new InputException("--backend", null, "--backend", $"{id}: {reason}");
}
