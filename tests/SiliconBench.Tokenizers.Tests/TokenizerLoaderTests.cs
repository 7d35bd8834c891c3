using System.Security.Cryptography;
using SiliconBench.Diagnostics;
using SiliconBench.Serving.Prompts;
using SiliconBench.Tokenizers;
using Xunit;

namespace SiliconBench.Tests;

/// <summary>Each tokenizer file format the loader reads, written for real and read back through the tokenizer library.</summary>
public sealed class TokenizerLoaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sb-tok-").FullName;
    private readonly SyntheticTokenizerFiles _files = new(CommonWords.All.Take(150).ToArray());

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_byte_level_bpe_tokenizer_json_gives_exact_prompts_with_the_files_own_ids(bool arrayMerges)
    {
        var file = _files.WriteHuggingFaceBpe(_dir, arrayMerges);

        var loaded = TokenizerLoader.Load(_dir);

        Assert.Equal($"hf-bpe:{Path.Combine(_dir, "tokenizer.json")}", loaded.Id);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))), loaded.Sha256);
        AssertSpacedWordsKeepTheirIds(loaded);
    }

    [Fact]
    public void Gpt2_vocab_and_merges_give_exact_prompts()
    {
        _files.WriteGpt2Files(_dir);

        var loaded = TokenizerLoader.Load(_dir);

        Assert.StartsWith("gpt2-bpe:", loaded.Id, StringComparison.Ordinal);
        AssertSpacedWordsKeepTheirIds(loaded);
    }

    [Fact]
    public void A_tiktoken_rank_file_named_tokenizer_model_is_read_as_tiktoken()
    {
        _files.WriteTiktoken(Path.Combine(_dir, "tokenizer.model"));

        var loaded = TokenizerLoader.Load(_dir);

        Assert.StartsWith("tiktoken-file:", loaded.Id, StringComparison.Ordinal);
        AssertSpacedWordsKeepTheirIds(loaded);
    }

    [Fact]
    public void A_sentencepiece_model_gives_exact_prompts_without_a_beginning_of_sequence_token()
    {
        var (path, ids) = _files.WriteSentencePieceModel(Path.Combine(_dir, "tokenizer.model"));

        var loaded = TokenizerLoader.Load(path);

        Assert.StartsWith("sentencepiece:", loaded.Id, StringComparison.Ordinal);
        AssertEveryWordKeepsItsPieceId(loaded, ids);
    }

    [Fact]
    public void A_sentencepiece_style_tokenizer_json_goes_to_the_sentencepiece_reader()
    {
        var (_, ids) = _files.WriteHuggingFaceSentencePiece(_dir);

        var loaded = TokenizerLoader.Load(_dir);

        Assert.StartsWith("hf-sentencepiece:", loaded.Id, StringComparison.Ordinal);
        AssertEveryWordKeepsItsPieceId(loaded, ids);
    }

    [Fact]
    public void A_unigram_tokenizer_json_is_read_by_the_sentencepiece_reader()
    {
        var (_, ids) = _files.WriteHuggingFaceUnigram(_dir);

        var loaded = TokenizerLoader.Load(_dir);

        Assert.StartsWith("hf-sentencepiece:", loaded.Id, StringComparison.Ordinal);
        AssertEveryWordKeepsItsPieceId(loaded, ids);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Words_with_characters_the_vocabulary_lacks_are_left_out(bool withUnknownToken)
    {
        _files.WriteHuggingFaceSentencePiece(_dir, withUnknownToken);
        var known = _files.Words.SelectMany(w => w).ToHashSet();
        var missing = "qxzjkv".First(c => !known.Contains(c));
        // "<prefix of a known word><missing letter>": a tokenizer without an unknown token drops the letter and
        // would encode both to the prefix's one piece, so neither is exactly one token of its own.
        var stem = _files.Words.First(w => w.Length >= 4)[..3];
        string[] candidates = [.. _files.Words, stem + missing, stem + missing + missing];

        var vocabulary = TokenizerPromptVocabulary.Build(TokenizerLoader.Load(_dir).Tokenizer, "t", candidates);

        Assert.DoesNotContain(stem + missing, vocabulary.Words);
        Assert.DoesNotContain(stem + missing + missing, vocabulary.Words);
        Assert.Contains(_files.Words[0], vocabulary.Words);
    }

    /// <summary>With a dummy prefix every word is ▁word, at the start as after a space: one piece, with the file's id.</summary>
    private static void AssertEveryWordKeepsItsPieceId(LoadedTokenizer loaded, Dictionary<string, int> ids)
    {
        var vocabulary = TokenizerPromptVocabulary.Build(loaded);
        Assert.True(vocabulary.Size >= 100, $"{vocabulary.Size} words kept");
        var pieces = Enumerable.Range(0, 300).Select(i => (i * 37) % vocabulary.Size).ToArray();
        var prompt = vocabulary.Render(pieces);
        Assert.Equal(pieces.Select(p => ids[vocabulary.Words[p]]), prompt.TokenIds);
        Assert.Equal(prompt.TokenIds, loaded.Tokenizer.EncodeToIds(prompt.Text));
    }

    [Fact]
    public void A_name_that_is_neither_an_encoding_nor_a_path_names_the_option()
    {
        var e = Assert.Throws<InputException>(() => TokenizerLoader.Load(Path.Combine(_dir, "missing"), "--tokenizer"));

        Assert.Equal("--tokenizer", e.Field);
        Assert.Contains("o200k_base", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_tiktoken_model_name_is_bad_input()
    {
        var e = Assert.Throws<InputException>(() => TokenizerLoader.Load("tiktoken:no-such-model"));

        Assert.Contains("no-such-model", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_without_tokenizer_files_says_what_it_looked_for()
    {
        var e = Assert.Throws<InputException>(() => TokenizerLoader.Load(_dir));

        Assert.Contains("tokenizer.json", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_tokenizer_json_names_the_line()
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), "{\n  \"model\": {\n    \"type\": \"BPE\",\n    \"vocab\": {\"a\": 0,,}\n  }\n}\n");

        var e = Assert.Throws<InputException>(() => TokenizerLoader.Load(_dir));

        Assert.Equal(4, e.Line);
        Assert.EndsWith("tokenizer.json", e.File, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unsupported_pre_tokenizer_names_the_field_and_its_line()
    {
        _files.WriteHuggingFaceBpe(_dir, preTokenizerOverride: """{"type": "Sequence", "pretokenizers": [{"type": "WhitespaceSplit"}, {"type": "ByteLevel", "add_prefix_space": false}]}""");

        var e = Assert.Throws<InputException>(() => TokenizerLoader.Load(_dir));

        Assert.Equal("pre_tokenizer.pretokenizers[0].type", e.Field);
        Assert.Equal(4, e.Line);
        Assert.Contains("WhitespaceSplit", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_split_that_drops_its_matches_is_refused()
    {
        _files.WriteHuggingFaceBpe(_dir, preTokenizerOverride: """{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"String": " "}, "behavior": "Removed", "invert": false}, {"type": "ByteLevel", "use_regex": false}]}""");

        var e = Assert.Throws<InputException>(() => TokenizerLoader.Load(_dir));

        Assert.Equal("pre_tokenizer.pretokenizers[0].behavior", e.Field);
    }

    [Fact]
    public void A_merge_that_is_not_two_strings_names_the_merges()
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), """{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": [["a", 1]]}}""");

        var e = Assert.Throws<InputException>(() => TokenizerLoader.Load(_dir));

        Assert.Equal("model.merges", e.Field);
    }

    [Fact]
    public void A_word_piece_model_is_refused_by_type()
    {
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), """{"pre_tokenizer": {"type": "ByteLevel"}, "model": {"type": "WordPiece", "vocab": {}}}""");

        var e = Assert.Throws<InputException>(() => TokenizerLoader.Load(_dir));

        Assert.Equal("model.type", e.Field);
    }

    [Fact]
    public void A_vocab_json_without_merges_is_refused()
    {
        File.WriteAllText(Path.Combine(_dir, "vocab.json"), "{}");

        var e = Assert.Throws<InputException>(() => TokenizerLoader.Load(_dir));

        Assert.Contains("merges.txt", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_garbage_model_file_is_bad_input_not_a_crash()
    {
        var path = Path.Combine(_dir, "tokenizer.model");
        File.WriteAllBytes(path, [0x0A, 0xFF, 0xFF, 0xFF, 0x01, 0x02]);

        var e = Assert.Throws<InputException>(() => TokenizerLoader.Load(path));

        Assert.Equal(path, e.File);
    }

    /// <summary>After a space every word is its own token, with the id the file gave it; the whole text encodes to exactly those.</summary>
    private void AssertSpacedWordsKeepTheirIds(LoadedTokenizer loaded)
    {
        var vocabulary = TokenizerPromptVocabulary.Build(loaded);
        // Some words are not one token at the start of a text in these files (see SyntheticTokenizerFiles).
        Assert.InRange(vocabulary.Size, 64, CommonWords.All.Count);
        var pieces = Enumerable.Range(0, 500).Select(i => (i * 53 + 11) % vocabulary.Size).ToArray();

        var prompt = vocabulary.Render(pieces);

        Assert.Equal(pieces.Skip(1).Select(p => _files.SpacedId(vocabulary.Words[p])), prompt.TokenIds.Skip(1));
        Assert.Equal(prompt.TokenIds, loaded.Tokenizer.EncodeToIds(prompt.Text));
    }
}
