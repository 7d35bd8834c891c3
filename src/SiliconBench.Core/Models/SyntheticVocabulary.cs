using System.Globalization;
using System.Text.Json;
using SiliconBench.Serving.Prompts;

namespace SiliconBench.Models;

/// <summary>
/// A SentencePiece-style tokenizer for the synthetic models, sized to the model's vocabulary: the unknown and
/// end-of-sequence tokens, the chat role markers, the word marker ▁, newline and every printable ASCII character, then
/// everyday words (<see cref="CommonWords"/>) as ▁word with every prefix ▁w, ▁wo, … so that merging left to right
/// reaches the whole word, then filler tokens up to the vocabulary size. Every multi-character token starts with ▁ or
/// cannot occur in text, so merges never cross words and the result does not depend on merge order: llama.cpp's
/// SentencePiece tokenizer (merges by score) and a BPE of the same merges (by rank) give the same ids. A synthetic
/// model exported as GGUF carries it, and <c>tokenizer.json</c> carries the same one for <c>--tokenizer</c>, so a
/// server and the harness count prompts alike.
/// </summary>
/// <remarks>
/// A random model generates any token, and every token it can generate must stream as text, or a server sends no
/// chunk for it (and with byte tokens, invalid UTF-8 that llama.cpp refuses): so there are no byte-fallback,
/// control-looking or unused tokens but one, end-of-sequence, which <c>ignore_eos</c> keeps from being generated.
/// It also stands in as the beginning-of-sequence id, which is never added (<c>add_bos_token</c> false): a prompt
/// is exactly its words, and on the chat API its role markers.
/// </remarks>
public sealed class SyntheticVocabulary
{
    public const char WordMarker = '\u2581';
    public const string UnknownToken = "<unk>";
    public const string EndToken = "</s>";

    /// <summary>Chat roles as single tokens, so a chat template adds exactly one token per turn marker.</summary>
    public static IReadOnlyList<string> RoleTokens { get; } = ["<|system|>", "<|user|>", "<|assistant|>"];

    /// <summary>Each message as its role token and its content; the generation prompt is the assistant token.</summary>
    public const string ChatTemplate =
        "{% for message in messages %}{{ '<|' + message['role'] + '|>' + message['content'] }}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|assistant|>' }}{% endif %}";

    /// <summary>Fewest tokens that hold the fixed tokens and a few dozen words.</summary>
    public const int MinimumSize = 256;

    private SyntheticVocabulary(List<string> tokens, List<TokenKind> kinds, List<(string Left, string Right)> merges, List<string> words)
    {
        Tokens = tokens;
        Kinds = kinds;
        Merges = merges;
        Words = words;
    }

    /// <summary>GGUF token types (llama.cpp's <c>llama_token_type</c>).</summary>
    public enum TokenKind
    {
        Normal = 1,
        Control = 3,
        /// <summary>Matched whole in text and streamed as its text: the role markers.</summary>
        UserDefined = 4,
    }

    /// <summary>Token text by id.</summary>
    public IReadOnlyList<string> Tokens { get; }

    public IReadOnlyList<TokenKind> Kinds { get; }

    /// <summary>Merges in rank order: each is a ▁-prefix and one more letter.</summary>
    public IReadOnlyList<(string Left, string Right)> Merges { get; }

    /// <summary>The whole words that are one token each (as ▁word), in id order.</summary>
    public IReadOnlyList<string> Words { get; }

    public int UnknownId => 0;

    public int EndId => 1;

    /// <summary>
    /// SentencePiece scores: the merge of a longer piece ranks lower, in id order, as BPE ranks its merges; other
    /// tokens score 0 (llama.cpp only compares the scores of candidate merges).
    /// </summary>
    public IReadOnlyList<float> Scores => [.. Tokens.Select((t, id) => Kinds[id] == TokenKind.Normal && t.Length > 1 ? -(float)id : 0f)];

    /// <summary>The vocabulary for a model of <paramref name="size"/> tokens.</summary>
    public static SyntheticVocabulary Build(int size)
    {
        if (size < MinimumSize)
            throw new ArgumentOutOfRangeException(nameof(size), size, $"a synthetic vocabulary needs at least {MinimumSize} tokens");
        var tokens = new List<string>(size);
        var kinds = new List<TokenKind>(size);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        void Add(string token, TokenKind kind)
        {
            if (ids.Add(token))
            {
                tokens.Add(token);
                kinds.Add(kind);
            }
        }
        // Unknown is a normal token: generated, it streams as its text.
        Add(UnknownToken, TokenKind.Normal);
        Add(EndToken, TokenKind.Control);
        foreach (var role in RoleTokens)
            Add(role, TokenKind.UserDefined);
        Add(WordMarker.ToString(), TokenKind.Normal);
        Add("\n", TokenKind.Normal); // llama.cpp looks a newline up in every SentencePiece vocabulary
        for (var c = '!'; c <= '~'; c++)
            Add(c.ToString(), TokenKind.Normal);

        var merges = new List<(string, string)>();
        var words = new List<string>();
        foreach (var word in CommonWords.All)
        {
            var piece = WordMarker + word;
            var missing = Enumerable.Range(2, piece.Length - 1).Select(n => piece[..n]).Where(p => !ids.Contains(p)).ToList();
            if (tokens.Count + missing.Count > size)
                break;
            foreach (var prefix in missing)
            {
                Add(prefix, TokenKind.Normal);
                merges.Add((prefix[..^1], prefix[^1..]));
            }
            words.Add(piece);
        }
        // Fillers: text no prompt contains (no merge reaches them), so they change no tokenization.
        for (var n = 0; tokens.Count < size; n++)
            Add($"<x{n.ToString(CultureInfo.InvariantCulture)}>", TokenKind.Normal);
        return new SyntheticVocabulary(tokens, kinds, merges, words);
    }

    /// <summary>
    /// The same tokenizer as a Hugging Face <c>tokenizer.json</c>: BPE with these merges, a Metaspace pre-tokenizer
    /// that puts ▁ before the text and for every space, and the end and role tokens as added tokens.
    /// </summary>
    public byte[] ToTokenizerJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("version", "1.0");
            json.WriteStartArray("added_tokens");
            for (var id = 0; id < Tokens.Count; id++)
            {
                if (Kinds[id] is not (TokenKind.Control or TokenKind.UserDefined))
                    continue;
                json.WriteStartObject();
                json.WriteNumber("id", id);
                json.WriteString("content", Tokens[id]);
                json.WriteBoolean("single_word", false);
                json.WriteBoolean("lstrip", false);
                json.WriteBoolean("rstrip", false);
                json.WriteBoolean("normalized", false);
                json.WriteBoolean("special", Kinds[id] == TokenKind.Control);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteNull("normalizer");
            json.WriteStartObject("pre_tokenizer");
            json.WriteString("type", "Metaspace");
            json.WriteString("replacement", WordMarker.ToString());
            json.WriteString("prepend_scheme", "first");
            json.WriteBoolean("split", false);
            json.WriteEndObject();
            json.WriteStartObject("model");
            json.WriteString("type", "BPE");
            json.WriteString("unk_token", UnknownToken);
            json.WriteBoolean("fuse_unk", true);
            json.WriteBoolean("byte_fallback", false);
            json.WriteStartObject("vocab");
            for (var id = 0; id < Tokens.Count; id++)
                json.WriteNumber(Tokens[id], id);
            json.WriteEndObject();
            json.WriteStartArray("merges");
            foreach (var (left, right) in Merges)
                json.WriteStringValue($"{left} {right}");
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
