using SiliconBench.Diagnostics;

namespace SiliconBench.Models;

/// <summary>
/// Shapes of the synthetic Llama models (docs/design.md, "Engines and backends"). <c>tiny</c> runs in CI in
/// milliseconds; <c>small</c> (~100M parameters, ~400 MB in fp32) is big enough that a decode step streams
/// its weights from memory rather than cache; the others are the published shapes of real models.
/// </summary>
public static class SyntheticPresets
{
    private static readonly Llama3RopeScaling Llama31Rope = new(8, 1, 4, 8192);

    private static readonly Dictionary<string, LlamaConfig> ByName = new(StringComparer.Ordinal)
    {
        ["tiny"] = new LlamaConfig
        {
            HiddenSize = 64, IntermediateSize = 192, NumHiddenLayers = 2, NumAttentionHeads = 4, NumKeyValueHeads = 2,
            HeadDim = 16, VocabSize = 512, MaxPositionEmbeddings = 1024, RmsNormEps = 1e-5, RopeTheta = 10000,
            TieWordEmbeddings = false,
        },
        ["small"] = new LlamaConfig
        {
            HiddenSize = 768, IntermediateSize = 2048, NumHiddenLayers = 12, NumAttentionHeads = 12, NumKeyValueHeads = 4,
            HeadDim = 64, VocabSize = 32000, MaxPositionEmbeddings = 4096, RmsNormEps = 1e-5, RopeTheta = 500000,
            TieWordEmbeddings = true,
        },
        ["llama-3.2-1b"] = new LlamaConfig
        {
            HiddenSize = 2048, IntermediateSize = 8192, NumHiddenLayers = 16, NumAttentionHeads = 32, NumKeyValueHeads = 8,
            HeadDim = 64, VocabSize = 128256, MaxPositionEmbeddings = 131072, RmsNormEps = 1e-5, RopeTheta = 500000,
            TieWordEmbeddings = true, RopeScaling = new Llama3RopeScaling(32, 1, 4, 8192),
        },
        ["llama-3.1-8b"] = new LlamaConfig
        {
            HiddenSize = 4096, IntermediateSize = 14336, NumHiddenLayers = 32, NumAttentionHeads = 32, NumKeyValueHeads = 8,
            HeadDim = 128, VocabSize = 128256, MaxPositionEmbeddings = 131072, RmsNormEps = 1e-5, RopeTheta = 500000,
            TieWordEmbeddings = false, RopeScaling = Llama31Rope,
        },
        ["llama-3.1-70b"] = new LlamaConfig
        {
            HiddenSize = 8192, IntermediateSize = 28672, NumHiddenLayers = 80, NumAttentionHeads = 64, NumKeyValueHeads = 8,
            HeadDim = 128, VocabSize = 128256, MaxPositionEmbeddings = 131072, RmsNormEps = 1e-5, RopeTheta = 500000,
            TieWordEmbeddings = false, RopeScaling = Llama31Rope,
        },
    };

    /// <summary>Preset names, smallest first.</summary>
    public static IReadOnlyList<string> Names { get; } = ["tiny", "small", "llama-3.2-1b", "llama-3.1-8b", "llama-3.1-70b"];

    public static bool TryGet(string name, out LlamaConfig config) => ByName.TryGetValue(name, out config!);

    /// <summary>The preset's config, or an input error listing the presets.</summary>
    public static LlamaConfig Get(string name, string source, string field = "--model") =>
        TryGet(name, out var c)
            ? c
            : throw new InputException(source, null, field, $"unknown synthetic preset '{name}'; presets: {string.Join(", ", Names)}");
}
