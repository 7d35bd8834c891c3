using SiliconBench.Diagnostics;
using SiliconBench.Models;

namespace SiliconBench.TorchSharp;

/// <summary>The Hugging Face tensor names of one decoder layer.</summary>
public sealed record LlamaLayerNames(
    string InputNorm, string QProj, string KProj, string VProj, string OProj,
    string PostAttentionNorm, string GateProj, string UpProj, string DownProj);

/// <summary>
/// Where each weight of the decoder lives in a Hugging Face Llama checkpoint, and a check that a checkpoint has
/// every tensor at the shape its <c>config.json</c> implies, so a mismatch is reported by name before any loading.
/// </summary>
public static class LlamaTensorMap
{
    public const string Embedding = "model.embed_tokens.weight";
    public const string FinalNorm = "model.norm.weight";
    public const string LmHead = "lm_head.weight";

    public static LlamaLayerNames Layer(int index)
    {
        var p = $"model.layers.{index}.";
        return new LlamaLayerNames(
            p + "input_layernorm.weight", p + "self_attn.q_proj.weight", p + "self_attn.k_proj.weight",
            p + "self_attn.v_proj.weight", p + "self_attn.o_proj.weight", p + "post_attention_layernorm.weight",
            p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight", p + "mlp.down_proj.weight");
    }

    /// <summary>The tensor the LM head reads: the embedding table when tied (as Hugging Face ties them), else <c>lm_head.weight</c>.</summary>
    public static string LmHeadSource(LlamaConfig config) => config.TieWordEmbeddings ? Embedding : LmHead;

    /// <summary>Every tensor the decoder reads, with the shape the config implies, in checkpoint order.</summary>
    public static IReadOnlyList<(string Name, long[] Shape)> Expected(LlamaConfig config) =>
        [.. SyntheticCheckpoint.Layout(config, WeightDtype.Fp32).Select(t => (t.Name, t.Shape))];

    /// <summary>
    /// Throws an <see cref="InputException"/> naming the first tensor that is missing or mis-shaped.
    /// <paramref name="shapes"/> maps the checkpoint's tensor names to their shapes; extra tensors are ignored.
    /// </summary>
    public static void Validate(LlamaConfig config, IReadOnlyDictionary<string, long[]> shapes, string checkpointDirectory)
    {
        foreach (var (name, shape) in Expected(config))
        {
            if (!shapes.TryGetValue(name, out var actual))
            {
                var hint = name == LmHead ? " (config.json says tie_word_embeddings is false)" : "";
                throw new InputException(checkpointDirectory, null, name, $"tensor missing from the checkpoint{hint}");
            }
            if (!actual.AsSpan().SequenceEqual(shape))
                throw new InputException(checkpointDirectory, null, name,
                    $"shape [{string.Join(", ", actual)}] differs from [{string.Join(", ", shape)}], which config.json implies");
        }
    }
}
