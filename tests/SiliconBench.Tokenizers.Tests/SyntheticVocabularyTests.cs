using SiliconBench.Models;
using SiliconBench.Serving.Prompts;
using SiliconBench.Tokenizers;
using Xunit;

namespace SiliconBench.Tests;

/// <summary>
/// The synthetic models' tokenizer (core's <see cref="SyntheticVocabulary"/>) as the harness reads it back from the
/// <c>tokenizer.json</c> that <c>export --gguf</c> writes: exact prompts whose ids are those llama.cpp gets from the GGUF.
/// </summary>
public sealed class SyntheticVocabularyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sb-synvocab-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(512)]
    [InlineData(32000)]
    public void It_has_exactly_the_models_size_with_unique_tokens_and_whole_words_reachable_by_its_merges(int size)
    {
        var vocabulary = SyntheticVocabulary.Build(size);

        Assert.Equal(size, vocabulary.Tokens.Count);
        Assert.Equal(size, vocabulary.Tokens.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(["<unk>", "</s>", "<|system|>", "<|user|>", "<|assistant|>"], vocabulary.Tokens.Take(5));
        // Every token a random model may generate streams as text: one control token (end, masked by ignore_eos).
        Assert.Equal([SyntheticVocabulary.EndToken], vocabulary.Tokens.Where((_, id) => vocabulary.Kinds[id] == SyntheticVocabulary.TokenKind.Control));
        Assert.True(vocabulary.Words.Count >= TokenizerPromptVocabulary.MinimumWords, $"{vocabulary.Words.Count} words");
        var tokens = vocabulary.Tokens.ToHashSet(StringComparer.Ordinal);
        foreach (var (left, right) in vocabulary.Merges)
        {
            Assert.StartsWith("\u2581", left, StringComparison.Ordinal);
            Assert.Contains(left, tokens);
            Assert.Contains(left + right, tokens);
        }
        if (size == 32000)
            Assert.Equal(CommonWords.All.Count, vocabulary.Words.Count);
    }

    [Fact]
    public void Its_tokenizer_json_gives_exact_prompts_with_the_ids_of_the_gguf_vocabulary()
    {
        var vocabulary = SyntheticVocabulary.Build(512);
        File.WriteAllBytes(Path.Combine(_dir, "tokenizer.json"), vocabulary.ToTokenizerJson());

        var loaded = TokenizerLoader.Load(_dir);
        var prompts = TokenizerPromptVocabulary.Build(loaded);

        // Every whole word is a prompt piece (and a few more words are one token by being another's prefix).
        Assert.Subset(prompts.Words.ToHashSet(), vocabulary.Words.Select(w => w[1..]).ToHashSet());
        var rendered = prompts.Render([0, 1, 2, 1]);
        Assert.Equal(rendered.TokenIds, loaded.Tokenizer.EncodeToIds(rendered.Text).ToArray());
        Assert.All(rendered.TokenIds, id => Assert.Contains(vocabulary.Tokens[id][1..], rendered.Text.Split(' ')));
        // A word outside the vocabulary falls back to characters, never to the unknown token.
        var ids = loaded.Tokenizer.EncodeToIds("the zz, 42").ToArray();
        Assert.Equal(["\u2581the", "\u2581", "z", "z", ",", "\u2581", "4", "2"], ids.Select(i => vocabulary.Tokens[i]));
    }
}
