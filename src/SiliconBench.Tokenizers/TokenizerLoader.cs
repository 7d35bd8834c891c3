using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using SiliconBench.Diagnostics;

namespace SiliconBench.Tokenizers;

/// <summary>A tokenizer and what identifies it in a run record.</summary>
/// <param name="Id">Kind and name as given, e.g. <c>tiktoken:o200k_base</c> or <c>hf-bpe:models/llama/tokenizer.json</c>.</param>
/// <param name="Sha256">Hash of the file(s) it was read from; null for a vocabulary built into the library.</param>
public sealed record LoadedTokenizer(Tokenizer Tokenizer, string Id, string? Sha256);

/// <summary>
/// Finds the served model's tokenizer from what a user can point at: a tiktoken encoding built into the tokenizer
/// library (<c>o200k_base</c>, <c>cl100k_base</c>, <c>r50k_base</c>, <c>gpt2</c>), or a model directory or file —
/// <c>tokenizer.json</c> (Hugging Face), <c>tokenizer.model</c> (SentencePiece, or tiktoken ranks as Llama 3 ships
/// them), <c>*.tiktoken</c>, or GPT-2-style <c>vocab.json</c> + <c>merges.txt</c>.
/// </summary>
public static class TokenizerLoader
{
    /// <summary>The tiktoken encodings whose vocabularies travel with the harness (no download).</summary>
    public static IReadOnlyList<string> BuiltInEncodings { get; } = ["o200k_base", "cl100k_base", "r50k_base", "gpt2"];

    /// <summary>The split pattern of cl100k_base, which Llama 3's tiktoken-format tokenizer.model uses too.</summary>
    internal const string Cl100kPattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>
    /// Loads <paramref name="spec"/>: a built-in encoding name (optionally <c>tiktoken:NAME</c>, which also takes an
    /// OpenAI model name such as <c>gpt-4o</c>), or a path (made absolute by <paramref name="resolvePath"/>).
    /// Every failure is an <see cref="InputException"/> naming the option or the file.
    /// </summary>
    public static LoadedTokenizer Load(string spec, string field = "--tokenizer", Func<string, string>? resolvePath = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(spec);
        var prefixed = spec.StartsWith("tiktoken:", StringComparison.Ordinal);
        var name = prefixed ? spec["tiktoken:".Length..] : spec;
        if (BuiltInEncodings.Contains(name, StringComparer.Ordinal))
        {
            // The library names GPT-2's vocabulary as a model, not as an encoding.
            var builtIn = name == "gpt2" ? TiktokenTokenizer.CreateForModel(name) : TiktokenTokenizer.CreateForEncoding(name);
            return new LoadedTokenizer(builtIn, $"tiktoken:{name}", null);
        }
        if (prefixed)
        {
            try
            {
                return new LoadedTokenizer(TiktokenTokenizer.CreateForModel(name), $"tiktoken:{name}", null);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                throw new InputException(field, null, field, $"'{name}' is neither a built-in encoding ({string.Join(", ", BuiltInEncodings)}) nor an OpenAI model name the tokenizer library knows");
            }
        }

        var path = resolvePath?.Invoke(spec) ?? Path.GetFullPath(spec);
        if (Directory.Exists(path))
            return FromDirectory(path, spec, field);
        if (File.Exists(path))
            return FromFile(path, spec, field);
        throw new InputException(field, null, field,
            $"'{spec}' is not a built-in encoding ({string.Join(", ", BuiltInEncodings)}) and no file or directory of that name exists");
    }

    private static LoadedTokenizer FromDirectory(string dir, string spec, string field)
    {
        foreach (var candidate in new[] { "tokenizer.json", "tokenizer.model" })
        {
            var file = Path.Combine(dir, candidate);
            if (File.Exists(file))
                return FromFile(file, Path.Combine(spec, candidate), field);
        }
        var vocab = Path.Combine(dir, "vocab.json");
        if (File.Exists(vocab))
            return FromFile(vocab, Path.Combine(spec, "vocab.json"), field);
        var tiktoken = Directory.EnumerateFiles(dir, "*.tiktoken").Order(StringComparer.Ordinal).FirstOrDefault();
        if (tiktoken is not null)
            return FromFile(tiktoken, Path.Combine(spec, Path.GetFileName(tiktoken)), field);
        throw new InputException(spec, null, field, "no tokenizer.json, tokenizer.model, vocab.json + merges.txt or *.tiktoken in this directory");
    }

    private static LoadedTokenizer FromFile(string path, string shown, string field)
    {
        var bytes = ReadAll(path, shown);
        var fileName = Path.GetFileName(path);
        if (fileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !fileName.Equals("vocab.json", StringComparison.OrdinalIgnoreCase))
        {
            var (tokenizer, kind) = HuggingFaceTokenizerJson.Load(bytes, shown);
            return new LoadedTokenizer(tokenizer, $"{kind}:{shown}", Hash(bytes));
        }
        if (fileName.Equals("vocab.json", StringComparison.OrdinalIgnoreCase))
        {
            var mergesPath = Path.Combine(Path.GetDirectoryName(path)!, "merges.txt");
            if (!File.Exists(mergesPath))
                throw new InputException(shown, null, field, "a vocab.json needs its merges.txt beside it");
            var merges = ReadAll(mergesPath, Path.Combine(Path.GetDirectoryName(shown) ?? "", "merges.txt"));
            var tokenizer = Gpt2Files(bytes, merges, shown);
            return new LoadedTokenizer(tokenizer, $"gpt2-bpe:{shown}", Hash([.. bytes, .. merges]));
        }
        // SentencePiece models are protobuf (field 1, length-delimited: first byte 0x0A); tiktoken files are base64 lines.
        if (bytes.Length > 0 && bytes[0] == 0x0A)
        {
            var tokenizer = Guard(shown, () => SentencePieceTokenizer.Create(new MemoryStream(bytes), addBeginningOfSentence: false, addEndOfSentence: false));
            return new LoadedTokenizer(tokenizer, $"sentencepiece:{shown}", Hash(bytes));
        }
        var ranks = Guard(shown, () => TiktokenTokenizer.Create(new MemoryStream(bytes), new RegexPreTokenizer(new Regex(Cl100kPattern, RegexOptions.CultureInvariant), null), normalizer: null));
        return new LoadedTokenizer(ranks, $"tiktoken-file:{shown}", Hash(bytes));
    }

    /// <summary>GPT-2-style files: vocab.json (token → id) and merges.txt ("a b" per line after a #version line), split by GPT-2's pattern.</summary>
    private static Tokenizer Gpt2Files(byte[] vocabJson, byte[] mergesText, string shown)
    {
        Dictionary<string, int> vocab;
        try
        {
            vocab = JsonSerializer.Deserialize(vocabJson, TokenizerJsonContext.Default.DictionaryStringInt32)
                ?? throw new InputException(shown, 1, null, "vocab.json must map tokens to ids");
        }
        catch (JsonException e)
        {
            throw new InputException(shown, (int)(e.LineNumber ?? 0) + 1, null, $"vocab.json must map tokens to ids: {e.Message}", e);
        }
        var merges = Encoding.UTF8.GetString(mergesText).Split('\n')
            .Select(l => l.TrimEnd('\r'))
            .Where(l => l.Length > 0 && !l.StartsWith("#version", StringComparison.Ordinal));
        return HuggingFaceTokenizerJson.Bpe(vocab, merges, byteLevel: true, null, [new Regex(HuggingFaceTokenizerJson.Gpt2Pattern, RegexOptions.CultureInvariant)],
            message => new InputException(shown, null, null, message));
    }

    private static T Guard<T>(string shown, Func<T> create)
    {
        try
        {
            return create();
        }
        catch (Exception e) when (e is not OutOfMemoryException) // the library throws many kinds for a malformed file
        {
            throw new InputException(shown, null, null, $"not a tokenizer the tokenizer library can read: {e.Message}");
        }
    }

    private static byte[] ReadAll(string path, string shown)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(shown, null, null, $"cannot read: {e.Message}");
        }
    }

    private static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}

[JsonSerializable(typeof(Dictionary<string, int>))]
internal sealed partial class TokenizerJsonContext : JsonSerializerContext;
