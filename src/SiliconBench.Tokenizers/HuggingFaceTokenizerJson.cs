using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using SiliconBench.Diagnostics;

namespace SiliconBench.Tokenizers;

/// <summary>
/// Reads a Hugging Face <c>tokenizer.json</c>: byte-level BPE (GPT-2, Llama 3, Qwen, DeepSeek, Mistral Nemo and
/// most recent models) is built from its vocabulary, merges and split patterns; SentencePiece-style files (Metaspace,
/// byte fallback: Llama 2, Mistral 7B v0.1) go to the library's own SentencePiece reader. Anything this cannot
/// reproduce faithfully is refused with the field that says so, rather than guessed.
/// </summary>
internal static class HuggingFaceTokenizerJson
{
    /// <summary>GPT-2's pre-tokenizer pattern, which Hugging Face's <c>ByteLevel</c> applies when <c>use_regex</c> is true.</summary>
    internal const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private static readonly HashSet<string> HarmlessNormalizers = new(StringComparer.Ordinal) { "NFC", "NFD", "NFKC", "NFKD", "Lowercase", "StripAccents" };

    /// <summary>The tokenizer and what kind it is (<c>hf-bpe</c> or <c>hf-sentencepiece</c>).</summary>
    public static (Tokenizer Tokenizer, string Kind) Load(byte[] json, string path)
    {
        var fields = JsonTopLevelFields.Read(json, path, "tokenizer.json");
        InputException Error(string field, string problem) =>
            new(path, fields.TryGetValue(field.Split('.', '[')[0], out var f) ? f.Line : null, field, problem);

        if (!fields.TryGetValue("model", out var modelField) || modelField.Value.ValueKind != JsonValueKind.Object)
            throw Error("model", "missing: a tokenizer.json describes its model");
        var model = modelField.Value;
        var type = model.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        var pre = fields.TryGetValue("pre_tokenizer", out var p) && p.Value.ValueKind == JsonValueKind.Object ? p.Value : (JsonElement?)null;
        var normalizer = fields.TryGetValue("normalizer", out var n) && n.Value.ValueKind == JsonValueKind.Object ? n.Value : (JsonElement?)null;

        if (type == "Unigram")
        {
            try
            {
                using var stream = new MemoryStream(json, writable: false);
                return (SentencePieceTokenizer.CreateFromTokenizerJson(stream, addBeginningOfSentence: false, addEndOfSentence: false), "hf-sentencepiece");
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or InvalidDataException or NotSupportedException or FormatException or JsonException)
            {
                throw Error("model", $"a Unigram tokenizer the tokenizer library cannot read: {e.Message}");
            }
        }
        if (type is not (null or "BPE"))
            throw Error("model.type", $"'{type}' is not supported (byte-level BPE, SentencePiece-style BPE and Unigram are)");

        var (vocab, merges) = VocabularyAndMerges(model, Error);
        if (IsSentencePieceStyle(pre, normalizer, model))
        {
            // SentencePiece BPE (Llama 2, Mistral 7B v0.1): words marked by ▁, never merged across one; bytes only as fallback.
            var prepend = PrependsMetaspace(pre, normalizer);
            var unknown = model.TryGetProperty("unk_token", out var unk) && unk.ValueKind == JsonValueKind.String ? unk.GetString() : null;
            var fuse = model.TryGetProperty("fuse_unk", out var f) && f.ValueKind == JsonValueKind.True;
            return (Bpe(vocab, merges, byteLevel: false, new MetaspaceNormalizer(prepend), [new Regex("\u2581[^\u2581]*|[^\u2581]+", RegexOptions.CultureInvariant)],
                message => Error("model", message), unknown, fuse), "hf-sentencepiece");
        }
        if (normalizer is { } norm)
            CheckNormalizer(norm, "normalizer", Error);
        var splits = new List<Regex>();
        var byteLevel = false;
        if (pre is { } preTokenizer)
            CollectPreTokenizer(preTokenizer, "pre_tokenizer", splits, ref byteLevel, Error);
        if (!byteLevel)
            throw Error("pre_tokenizer", "no ByteLevel step: only byte-level BPE is read from tokenizer.json (pass tokenizer.model for SentencePiece)");

        return (Bpe(vocab, merges, byteLevel: true, null, splits, message => Error("model", message)), "hf-bpe");
    }

    private static (List<KeyValuePair<string, int>> Vocab, List<string> Merges) VocabularyAndMerges(JsonElement model, Func<string, string, InputException> error)
    {
        if (!model.TryGetProperty("vocab", out var vocabNode) || vocabNode.ValueKind != JsonValueKind.Object)
            throw error("model.vocab", "missing: a BPE model lists its vocabulary");
        var vocab = new List<KeyValuePair<string, int>>();
        foreach (var entry in vocabNode.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out var id) || id < 0)
                throw error("model.vocab", $"token '{entry.Name}' has id {entry.Value.GetRawText()}, not a non-negative integer");
            vocab.Add(new(entry.Name, id));
        }
        var merges = new List<string>();
        if (model.TryGetProperty("merges", out var mergesNode) && mergesNode.ValueKind == JsonValueKind.Array)
        {
            foreach (var merge in mergesNode.EnumerateArray())
            {
                // Two shapes: "a b" (older files) or ["a", "b"] (newer, so tokens may hold spaces; byte-level ones never do).
                var text = merge.ValueKind switch
                {
                    JsonValueKind.String => merge.GetString(),
                    JsonValueKind.Array when merge.GetArrayLength() == 2 && ByteLevelToken(merge[0]) is { } a && ByteLevelToken(merge[1]) is { } b => $"{a} {b}",
                    _ => null,
                };
                merges.Add(text ?? throw error("model.merges", $"merge {merge.GetRawText()} is neither \"a b\" nor [\"a\", \"b\"] of byte-level tokens"));
            }
        }
        return (vocab, merges);
    }

    /// <summary>A merge's side as "a b" can carry it: a string without a space (byte-level tokens never hold one).</summary>
    private static string? ByteLevelToken(JsonElement side) =>
        side.ValueKind == JsonValueKind.String && side.GetString() is { } token && !token.Contains(' ', StringComparison.Ordinal) ? token : null;

    /// <summary>A BPE tokenizer from its vocabulary, merges ("a b"), Isolated split patterns and normalizer.</summary>
    internal static Tokenizer Bpe(IEnumerable<KeyValuePair<string, int>> vocab, IEnumerable<string> merges, bool byteLevel, Normalizer? normalizer,
        IReadOnlyList<Regex> splits, Func<string, InputException> error, string? unknownToken = null, bool fuseUnknown = false)
    {
        try
        {
            return BpeTokenizer.Create(new BpeOptions(vocab)
            {
                Merges = merges,
                ByteLevel = byteLevel,
                Normalizer = normalizer,
                UnknownToken = unknownToken,
                FuseUnknownTokens = fuseUnknown,
                PreTokenizer = splits.Count == 0 ? null : new IsolatingSplitPreTokenizer(splits),
            });
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw error($"the tokenizer library refused this BPE model: {e.Message}");
        }
    }

    private static bool IsSentencePieceStyle(JsonElement? pre, JsonElement? normalizer, JsonElement model) =>
        TypeOf(pre) == "Metaspace"
        || MentionsMetaspace(normalizer)
        || (model.TryGetProperty("byte_fallback", out var fallback) && fallback.ValueKind == JsonValueKind.True);

    /// <summary>Whether a ▁ goes in front of the text: a Prepend normalizer, or a Metaspace pre-tokenizer whose scheme is not "never".</summary>
    private static bool PrependsMetaspace(JsonElement? pre, JsonElement? normalizer)
    {
        if (TypeOf(pre) == "Metaspace" && pre is { } metaspace)
        {
            if (metaspace.TryGetProperty("prepend_scheme", out var scheme) && scheme.ValueKind == JsonValueKind.String)
                return scheme.GetString() != "never";
            return !metaspace.TryGetProperty("add_prefix_space", out var add) || add.ValueKind != JsonValueKind.False;
        }
        return normalizer is { } n && n.GetRawText().Contains("\"Prepend\"", StringComparison.Ordinal);
    }

    private static string? TypeOf(JsonElement? node) =>
        node is { } e && e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;

    /// <summary>Whether a normalizer writes SentencePiece's word marker U+2581 (literally or escaped).</summary>
    private static bool MentionsMetaspace(JsonElement? node) => node is { } e
        && (e.GetRawText().Contains('\u2581', StringComparison.Ordinal) || e.GetRawText().Contains("\\u2581", StringComparison.OrdinalIgnoreCase));

    private static void CheckNormalizer(JsonElement node, string field, Func<string, string, InputException> error)
    {
        var type = TypeOf(node);
        if (type == "Sequence" && node.TryGetProperty("normalizers", out var steps) && steps.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var step in steps.EnumerateArray())
                CheckNormalizer(step, $"{field}.normalizers[{i++}]", error);
            return;
        }
        // These leave the lowercase ASCII words of prompts unchanged; anything else could change what a word encodes to.
        if (type is null || !HarmlessNormalizers.Contains(type))
            throw error($"{field}.type", $"normalizer '{type}' is not supported for exact prompts");
    }

    private static void CollectPreTokenizer(JsonElement node, string field, List<Regex> splits, ref bool byteLevel, Func<string, string, InputException> error)
    {
        switch (TypeOf(node))
        {
            case "Sequence" when node.TryGetProperty("pretokenizers", out var steps) && steps.ValueKind == JsonValueKind.Array:
                var i = 0;
                foreach (var step in steps.EnumerateArray())
                    CollectPreTokenizer(step, $"{field}.pretokenizers[{i++}]", splits, ref byteLevel, error);
                break;
            case "ByteLevel":
                byteLevel = true;
                if (node.TryGetProperty("add_prefix_space", out var prefix) && prefix.ValueKind == JsonValueKind.True)
                    throw error($"{field}.add_prefix_space", "true is not supported for exact prompts (it changes the first word's token)");
                if (!node.TryGetProperty("use_regex", out var useRegex) || useRegex.ValueKind != JsonValueKind.False)
                    splits.Add(new Regex(Gpt2Pattern, RegexOptions.CultureInvariant));
                break;
            case "Split":
                var behavior = node.TryGetProperty("behavior", out var b) ? b.GetString() : null;
                if (node.TryGetProperty("invert", out var invert) && invert.ValueKind == JsonValueKind.True)
                    throw error($"{field}.invert", "an inverted Split is not supported");
                if (behavior != "Isolated")
                    throw error($"{field}.behavior", $"Split '{behavior}' is not supported (Isolated is)");
                if (!node.TryGetProperty("pattern", out var pattern) || pattern.ValueKind != JsonValueKind.Object)
                    throw error($"{field}.pattern", "missing");
                string regex;
                if (pattern.TryGetProperty("Regex", out var r) && r.GetString() is { } rs)
                    regex = rs;
                else if (pattern.TryGetProperty("String", out var s) && s.GetString() is { } ss)
                    regex = Regex.Escape(ss);
                else
                    throw error($"{field}.pattern", "neither Regex nor String");
                try
                {
                    splits.Add(new Regex(regex, RegexOptions.CultureInvariant));
                }
                catch (ArgumentException e)
                {
                    throw error($"{field}.pattern", $"not a regular expression .NET can run: {e.Message}");
                }
                break;
            case "Digits":
                var individual = node.TryGetProperty("individual_digits", out var d) && d.ValueKind == JsonValueKind.True;
                splits.Add(new Regex(individual ? @"\p{N}" : @"\p{N}+", RegexOptions.CultureInvariant));
                break;
            case var other:
                throw error($"{field}.type", $"pre-tokenizer '{other}' is not supported for exact prompts");
        }
    }
}
