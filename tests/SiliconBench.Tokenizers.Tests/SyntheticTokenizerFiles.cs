using System.Text;
using System.Text.Json;

namespace SiliconBench.Tests;

/// <summary>
/// Writes small but real tokenizer files in each format the loader reads, from one list of words, with token ids the
/// test knows in advance. Every word gets a space-prefixed token whose prefixes are merged first, so after a space
/// each word is one token; bare words get their own (later) merges, so some are one token at the start of a text
/// and some are not — as in a real vocabulary.
/// </summary>
internal sealed class SyntheticTokenizerFiles
{
    public const char ByteLevelSpace = '\u0120'; // GPT-2's printable stand-in for the space byte
    public const char Metaspace = '\u2581';

    private readonly List<string> _tokens = [];            // id → token (byte-level text)
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly List<(string Left, string Right)> _merges = [];

    public SyntheticTokenizerFiles(IReadOnlyList<string> words)
    {
        Words = words;
        foreach (var b in Enumerable.Range(0, 256))
            Add(ByteLevel[b].ToString());
        foreach (var word in words)
            AddChain(ByteLevelSpace + word);
        foreach (var word in words)
            AddChain(word);
    }

    public IReadOnlyList<string> Words { get; }

    /// <summary>The id of the token for <c>" " + word</c>.</summary>
    public int SpacedId(string word) => _ids[ByteLevelSpace + word];

    /// <summary>GPT-2's byte → printable character table (printable Latin-1 bytes stand for themselves).</summary>
    public static readonly char[] ByteLevel = BuildByteLevel();

    private static char[] BuildByteLevel()
    {
        var table = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            table[b] = printable ? (char)b : (char)next++;
        }
        return table;
    }

    private void Add(string token)
    {
        if (_ids.ContainsKey(token))
            return;
        _ids[token] = _tokens.Count;
        _tokens.Add(token);
    }

    private void AddChain(string word)
    {
        for (var k = 2; k <= word.Length; k++)
        {
            var merged = word[..k];
            if (_ids.ContainsKey(merged))
                continue;
            _merges.Add((word[..(k - 1)], word[k - 1].ToString()));
            Add(merged);
        }
    }

    /// <summary>A Llama 3-shaped tokenizer.json: byte-level BPE, one Split pattern then ByteLevel without its own regex.</summary>
    public string WriteHuggingFaceBpe(string dir, bool arrayMerges = false, string? preTokenizerOverride = null)
    {
        var path = WriteTokenizerJson(dir, json =>
        {
            json.WriteNull("normalizer");
            json.WritePropertyName("pre_tokenizer");
            if (preTokenizerOverride is not null)
            {
                json.WriteRawValue(preTokenizerOverride);
            }
            else
            {
                json.WriteStartObject();
                json.WriteString("type", "Sequence");
                json.WriteStartArray("pretokenizers");
                json.WriteStartObject();
                json.WriteString("type", "Split");
                json.WriteStartObject("pattern");
                json.WriteString("Regex", @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+");
                json.WriteEndObject();
                json.WriteString("behavior", "Isolated");
                json.WriteBoolean("invert", false);
                json.WriteEndObject();
                json.WriteStartObject();
                json.WriteString("type", "ByteLevel");
                json.WriteBoolean("add_prefix_space", false);
                json.WriteBoolean("use_regex", false);
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteStartObject("model");
            json.WriteString("type", "BPE");
            json.WriteBoolean("byte_fallback", false);
            json.WriteBoolean("ignore_merges", true);
            json.WriteStartObject("vocab");
            for (var id = 0; id < _tokens.Count; id++)
                json.WriteNumber(_tokens[id], id);
            json.WriteEndObject();
            json.WriteStartArray("merges");
            foreach (var (left, right) in _merges)
            {
                if (arrayMerges)
                {
                    json.WriteStartArray();
                    json.WriteStringValue(left);
                    json.WriteStringValue(right);
                    json.WriteEndArray();
                }
                else
                {
                    json.WriteStringValue($"{left} {right}");
                }
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
        return path;
    }

    /// <summary>GPT-2-shaped vocab.json + merges.txt.</summary>
    public string WriteGpt2Files(string dir)
    {
        var vocab = Path.Combine(dir, "vocab.json");
        File.WriteAllText(vocab, JsonSerializer.Serialize(_ids));
        File.WriteAllLines(Path.Combine(dir, "merges.txt"), ["#version: 0.2", .. _merges.Select(m => $"{m.Left} {m.Right}")]);
        return vocab;
    }

    /// <summary>A tiktoken rank file (base64 of each token's bytes, then its rank), as Llama 3's tokenizer.model is.</summary>
    public string WriteTiktoken(string path)
    {
        var back = new Dictionary<char, byte>();
        for (var b = 0; b < 256; b++)
            back[ByteLevel[b]] = (byte)b;
        var lines = _tokens.Select((token, rank) => $"{Convert.ToBase64String(token.Select(c => back[c]).ToArray())} {rank}");
        File.WriteAllLines(path, lines);
        return path;
    }

    /// <summary>
    /// A SentencePiece BPE model (protobuf, as Llama 2 and Mistral ship tokenizer.model): control pieces, byte
    /// fallback pieces, then every word as ▁word with its prefixes, scores falling so longer merges come later.
    /// Returns the id of each piece, keyed by its text without the leading ▁.
    /// </summary>
    public (string Path, Dictionary<string, int> Ids) WriteSentencePieceModel(string path)
    {
        var (pieces, ids, _) = SentencePieces();
        var model = new ProtoWriter();
        foreach (var (piece, s, type) in pieces)
        {
            var entry = new ProtoWriter();
            entry.String(1, piece);
            entry.Float(2, s);
            entry.Varint(3, (ulong)type);
            model.Message(1, entry);
        }
        var trainer = new ProtoWriter();
        trainer.Varint(3, 2);       // model_type: BPE
        trainer.Varint(35, 1);      // byte_fallback
        trainer.Varint(40, 0);      // unk_id
        trainer.Varint(41, 1);      // bos_id
        trainer.Varint(42, 2);      // eos_id
        trainer.Varint(43, ulong.MaxValue); // pad_id: -1 (int32 as a 10-byte varint)
        model.Message(2, trainer);
        var normalizer = new ProtoWriter();
        normalizer.String(1, "identity");
        normalizer.Varint(3, 1);    // add_dummy_prefix
        normalizer.Varint(4, 0);    // remove_extra_whitespaces
        normalizer.Varint(5, 1);    // escape_whitespaces
        model.Message(3, normalizer);
        File.WriteAllBytes(path, model.ToArray());
        return (path, ids);
    }

    /// <summary>
    /// A Llama 2-shaped tokenizer.json: SentencePiece-style BPE over ▁-marked words (Prepend and Replace normalizers,
    /// no pre-tokenizer, byte fallback). Returns the id of each piece, keyed by its text without the leading ▁.
    /// </summary>
    public (string Path, Dictionary<string, int> Ids) WriteHuggingFaceSentencePiece(string dir, bool withUnknownToken = true)
    {
        var (pieces, ids, merges) = SentencePieces();
        var path = WriteTokenizerJson(dir, json =>
        {
            json.WriteStartArray("added_tokens");
            for (var id = 0; id < 3; id++)
            {
                json.WriteStartObject();
                json.WriteNumber("id", id);
                json.WriteString("content", pieces[id].Piece);
                json.WriteBoolean("single_word", false);
                json.WriteBoolean("lstrip", false);
                json.WriteBoolean("rstrip", false);
                json.WriteBoolean("normalized", false);
                json.WriteBoolean("special", true);
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WritePropertyName("normalizer");
            json.WriteRawValue("""{"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"}, {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]}""");
            json.WriteNull("pre_tokenizer");
            json.WriteStartObject("model");
            json.WriteString("type", "BPE");
            json.WriteNull("dropout");
            if (withUnknownToken)
                json.WriteString("unk_token", "<unk>");
            else
                json.WriteNull("unk_token");
            json.WriteBoolean("fuse_unk", true);
            json.WriteBoolean("byte_fallback", true);
            json.WriteStartObject("vocab");
            for (var id = 0; id < pieces.Count; id++)
                json.WriteNumber(pieces[id].Piece, id);
            json.WriteEndObject();
            json.WriteStartArray("merges");
            foreach (var (left, right) in merges)
                json.WriteStringValue($"{left} {right}");
            json.WriteEndArray();
            json.WriteEndObject();
        });
        return (path, ids);
    }

    /// <summary>A T5/XLM-R-shaped Unigram tokenizer.json over the same pieces (Metaspace pre-tokenizer, log-probability scores).</summary>
    public (string Path, Dictionary<string, int> Ids) WriteHuggingFaceUnigram(string dir)
    {
        var (pieces, ids, _) = SentencePieces();
        var path = WriteTokenizerJson(dir, json =>
        {
            json.WriteNull("normalizer");
            json.WritePropertyName("pre_tokenizer");
            json.WriteRawValue("""{"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": true}""");
            json.WriteStartObject("model");
            json.WriteString("type", "Unigram");
            json.WriteNumber("unk_id", 0);
            json.WriteStartArray("vocab");
            foreach (var (piece, score, _) in pieces)
            {
                json.WriteStartArray();
                json.WriteStringValue(piece);
                // Longer pieces score higher than the characters they are made of, so whole words win.
                json.WriteNumberValue(piece.Length > 1 && piece[0] == Metaspace ? -1.0 : score - 100);
                json.WriteEndArray();
            }
            json.WriteEndArray();
            json.WriteBoolean("byte_fallback", false);
            json.WriteEndObject();
        });
        return (path, ids);
    }

    /// <summary>tokenizer.json in <paramref name="dir"/>: one indented object, its version, then what <paramref name="body"/> writes.</summary>
    private static string WriteTokenizerJson(string dir, Action<Utf8JsonWriter> body)
    {
        var path = Path.Combine(dir, "tokenizer.json");
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteString("version", "1.0");
        body(json);
        json.WriteEndObject();
        return path;
    }

    /// <summary>Control and byte pieces, single characters, then each ▁word with its prefixes (scores falling, i.e. merged in that order).</summary>
    private (List<(string Piece, float Score, int Type)> Pieces, Dictionary<string, int> Ids, List<(string Left, string Right)> Merges) SentencePieces()
    {
        var pieces = new List<(string Piece, float Score, int Type)> { ("<unk>", 0, 2), ("<s>", 0, 3), ("</s>", 0, 3) };
        for (var b = 0; b < 256; b++)
            pieces.Add(($"<0x{b:X2}>", 0, 6));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var merges = new List<(string Left, string Right)>();
        var score = -1f;
        foreach (var c in Words.SelectMany(w => w).Distinct().Prepend(Metaspace))
        {
            if (seen.Add(c.ToString()))
                pieces.Add((c.ToString(), -1000f, 1));
        }
        foreach (var word in Words)
        {
            var full = Metaspace + word;
            for (var k = 2; k <= full.Length; k++)
            {
                if (!seen.Add(full[..k]))
                    continue;
                ids[full[1..k]] = pieces.Count;
                pieces.Add((full[..k], score--, 1));
                merges.Add((full[..(k - 1)], full[(k - 1)..k]));
            }
        }
        return (pieces, ids, merges);
    }

    /// <summary>The few protobuf wire-format writes a SentencePiece model needs.</summary>
    private sealed class ProtoWriter
    {
        private readonly MemoryStream _bytes = new();

        public void Varint(int field, ulong value)
        {
            Key(field, 0);
            Raw(value);
        }

        public void Float(int field, float value)
        {
            Key(field, 5);
            _bytes.Write(BitConverter.GetBytes(value));
        }

        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public void Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

        public byte[] ToArray() => _bytes.ToArray();

        private void Bytes(int field, byte[] value)
        {
            Key(field, 2);
            Raw((ulong)value.Length);
            _bytes.Write(value);
        }

        private void Key(int field, int wireType) => Raw(((ulong)field << 3) | (uint)wireType);

        private void Raw(ulong value)
        {
            while (value >= 0x80)
            {
                _bytes.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            _bytes.WriteByte((byte)value);
        }
    }
}
