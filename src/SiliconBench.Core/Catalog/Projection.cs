namespace SiliconBench.Catalog;

/// <summary>The shape of a model, as far as a roofline needs it.</summary>
public sealed record ModelShape(long Parameters, long WeightBytes, long KvBytesPerToken);

/// <summary>
/// Datasheet ceilings for one operating point: never a measurement, always labelled <see cref="Label"/>.
/// A ceiling is null when the figure it needs is missing from the catalog (<see cref="Notes"/> says which).
/// </summary>
public sealed record ProjectedCeiling
{
    public const string ProjectedLabel = "projected";

    public string Label { get; init; } = ProjectedLabel;
    public required string Accelerator { get; init; }
    public int Batch { get; init; }
    public int Context { get; init; }
    public required string Dtype { get; init; }
    public double? DecodeTokensPerS { get; init; }
    public double? PrefillTokensPerS { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>
/// Roofline ceilings from datasheet figures. Decode is memory bound: one step streams the weights once and the KV
/// cache of every sequence, so tokens/s ≤ batch ÷ ((weights + batch·context·kv_bytes_per_token) ÷ bandwidth).
/// Prefill is compute bound: a token costs 2·parameters FLOPs in the matmuls, so tokens/s ≤ FLOPS ÷ (2·parameters)
/// (attention FLOPs left out, so this is an upper bound).
/// </summary>
public static class Projection
{
    public static ProjectedCeiling For(CatalogEntry entry, ModelShape model, int batch, int context, string dtype)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(context);
        var notes = new List<string>();

        double? decode = null;
        if (entry.BandwidthTbS.Value is { } tbs)
        {
            var bytesPerStep = model.WeightBytes + (double)batch * context * model.KvBytesPerToken;
            decode = bytesPerStep > 0 ? batch / (bytesPerStep / (tbs * 1e12)) : null;
            if (bytesPerStep <= 0)
                notes.Add("decode: the model has no bytes to stream");
        }
        else
        {
            notes.Add($"decode: {entry.Id} has no memory bandwidth figure");
        }

        var (flops, figureName) = dtype.ToUpperInvariant() switch
        {
            "BF16" or "FP16" or "FLOAT16" or "BFLOAT16" => (entry.Bf16DenseTflops, "bf16_dense_tflops"),
            "FP8" or "FP8_E4M3" or "FP8_E5M2" => (entry.Fp8DenseTflops, "fp8_dense_tflops"),
            "FP4" or "MXFP4" or "NVFP4" => (entry.Fp4DenseTflops, "fp4_dense_tflops"),
            _ => ((CatalogFigure?)null, (string?)null),
        };
        double? prefill = null;
        if (flops is null)
            notes.Add($"prefill: no datasheet FLOPS figure for dtype '{dtype}' (bf16, fp16, fp8, fp4)");
        else if (flops.Value is not { } tflops)
            notes.Add($"prefill: {entry.Id} has no {figureName} figure");
        else if (model.Parameters <= 0)
            notes.Add("prefill: the model's parameter count is unknown");
        else
            prefill = tflops * 1e12 / (2.0 * model.Parameters);

        return new ProjectedCeiling
        {
            Accelerator = entry.Id,
            Batch = batch,
            Context = context,
            Dtype = dtype,
            DecodeTokensPerS = decode,
            PrefillTokensPerS = prefill,
            Notes = notes,
        };
    }
}
