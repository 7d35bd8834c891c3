using SiliconBench.Diagnostics;

namespace SiliconBench.Models;

/// <summary>What a model spec names: a synthetic preset, a Hugging Face checkpoint directory, or an ONNX file.</summary>
public enum ModelSpecKind
{
    Synthetic,
    Checkpoint,
    Onnx,
}

/// <summary>
/// A parsed <c>--model</c> value: <c>synthetic:&lt;preset&gt;</c>, a directory with <c>config.json</c> and
/// <c>*.safetensors</c>, or a path to a <c>.onnx</c> file.
/// </summary>
public sealed record ModelSpec(ModelSpecKind Kind, string Text, string? Preset, string? Path)
{
    public const string SyntheticPrefix = "synthetic:";

    /// <summary>Parses and checks a spec; a missing path or unknown preset is an <see cref="InputException"/>.</summary>
    /// <param name="spec">The text as the user gave it.</param>
    /// <param name="source">Where it came from (a workload file, <c>command line</c>), for the error.</param>
    /// <param name="field">The field or option that held it.</param>
    public static ModelSpec Parse(string spec, string source, string field = "--model")
    {
        if (string.IsNullOrWhiteSpace(spec))
            throw new InputException(source, null, field, $"empty model spec; give {SyntheticPrefix}<preset>, a checkpoint directory or a .onnx file");
        var text = spec.Trim();
        if (text.StartsWith(SyntheticPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var preset = text[SyntheticPrefix.Length..].Trim();
            SyntheticPresets.Get(preset, source, field);
            return new ModelSpec(ModelSpecKind.Synthetic, text, preset, null);
        }

        var full = System.IO.Path.GetFullPath(text);
        if (Directory.Exists(full))
        {
            if (!File.Exists(System.IO.Path.Combine(full, LlamaConfig.FileName)))
                throw new InputException(source, null, field, $"directory '{text}' has no config.json; a checkpoint directory needs config.json and *.safetensors");
            if (SafetensorsCheckpoint.FindFiles(full).Length == 0)
                throw new InputException(source, null, field, $"directory '{text}' has no *.safetensors files; a checkpoint directory needs config.json and *.safetensors");
            return new ModelSpec(ModelSpecKind.Checkpoint, text, null, full);
        }
        if (File.Exists(full))
        {
            if (!full.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
                throw new InputException(source, null, field, $"'{text}' is not a .onnx file; give {SyntheticPrefix}<preset>, a checkpoint directory or a .onnx file");
            return new ModelSpec(ModelSpecKind.Onnx, text, null, full);
        }
        var hint = text.Contains(':', StringComparison.Ordinal) && !System.IO.Path.IsPathRooted(text)
            ? $" (synthetic models are {SyntheticPrefix}<preset>, presets: {string.Join(", ", SyntheticPresets.Names)})"
            : "";
        throw new InputException(source, null, field, $"no such file or directory '{text}'{hint}");
    }
}
