using SiliconBench.Diagnostics;

namespace SiliconBench.Engines;

/// <summary>The engine factories this build knows, looked up by id. Built once at start-up.</summary>
public sealed class EngineCatalog
{
    private readonly Dictionary<string, IEngineFactory> _byId;

    public EngineCatalog(IEnumerable<IEngineFactory> factories)
    {
        _byId = factories.ToDictionary(f => f.Id, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyCollection<IEngineFactory> All => _byId.Values;

    /// <summary>Finds a factory or throws an input error that lists the ids this build has.</summary>
    public IEngineFactory Get(string id, string source, int? line = null, string field = "backend") =>
        _byId.TryGetValue(id, out var f)
            ? f
            : throw new InputException(source, line, field,
                $"unknown backend '{id}'; this build has: {string.Join(", ", _byId.Keys.Order(StringComparer.Ordinal))}");
}
