using System.Globalization;
using SiliconBench.Diagnostics;
using SiliconBench.Models;

namespace SiliconBench.TorchSharp;

/// <summary>
/// The <c>--option</c> values the torchsharp engine takes: <c>threads</c> (libtorch intra-op threads; default
/// libtorch's own choice), <c>checkpoint_dtype</c> (dtype a synthetic checkpoint is materialized in; default bf16,
/// as Llama releases ship) and <c>kv_reserve</c> (decode tokens the KV cache is preallocated for beyond the prompt;
/// default 512; a batch that outgrows it doubles the cache, a copy that lands in the decode step that needed it).
/// </summary>
public sealed record TorchSharpOptions
{
    public const int DefaultKvReserve = 512;
    private const string Source = "command line";

    public static IReadOnlyList<string> Names { get; } = ["threads", "checkpoint_dtype", "kv_reserve"];

    public int? Threads { get; init; }
    public string? CheckpointDtype { get; init; }
    public int KvReserve { get; init; } = DefaultKvReserve;

    public static TorchSharpOptions Parse(IReadOnlyDictionary<string, string> options)
    {
        foreach (var key in options.Keys)
            if (!Names.Contains(key, StringComparer.Ordinal))
                throw new InputException(Source, null, "--option", $"unknown torchsharp option '{key}'; it takes: {string.Join(", ", Names)}");
        var result = new TorchSharpOptions();
        if (options.TryGetValue("threads", out var t))
            result = result with { Threads = PositiveInt(t, "threads", "threads") };
        if (options.TryGetValue("kv_reserve", out var r))
            result = result with { KvReserve = PositiveInt(r, "kv_reserve", "tokens") };
        if (options.TryGetValue("checkpoint_dtype", out var cd))
        {
            result = result with
            {
                CheckpointDtype = WeightDtypes.TryParse(cd, out var parsed)
                    ? WeightDtypes.Name(parsed)
                    : throw new InputException(Source, null, "checkpoint_dtype", $"'{cd}' is not one of {string.Join(", ", WeightDtypes.Names)}"),
            };
        }
        return result;
    }

    private static int PositiveInt(string text, string field, string unit) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1
            ? n
            : throw new InputException(Source, null, field, $"'{text}' is not a positive whole number of {unit}");
}
