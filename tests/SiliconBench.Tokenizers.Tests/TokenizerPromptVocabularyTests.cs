using Microsoft.ML.Tokenizers;
using SiliconBench.Tokenizers;
using Xunit;

namespace SiliconBench.Tests;

/// <summary>Prompts rendered from a real tokenizer's vocabulary are exactly as long as planned, by that tokenizer.</summary>
public sealed class TokenizerPromptVocabularyTests
{
    public static TheoryData<string> Encodings => [.. TokenizerLoader.BuiltInEncodings];

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Rendered_prompts_encode_to_exactly_their_planned_ids(string encoding)
    {
        var loaded = TokenizerLoader.Load(encoding);
        var vocabulary = TokenizerPromptVocabulary.Build(loaded);

        Assert.True(vocabulary.Size >= 200, $"{encoding} keeps {vocabulary.Size} words");
        Assert.True(vocabulary.ExactText);
        Assert.Equal($"tiktoken:{encoding}", vocabulary.Id);
        var random = new Random(7);
        foreach (var length in new[] { 1, 2, 17, 1000, 8192 })
        {
            var pieces = Enumerable.Range(0, length).Select(_ => random.Next(vocabulary.Size)).ToArray();
            var prompt = vocabulary.Render(pieces);
            Assert.Equal(length, prompt.TokenIds.Length);
            Assert.Equal(prompt.TokenIds, loaded.Tokenizer.EncodeToIds(prompt.Text));
            Assert.Equal(prompt.Text, loaded.Tokenizer.Decode(prompt.TokenIds));
        }
    }

    [Fact]
    public void A_prompt_that_extends_another_renders_to_text_and_ids_that_extend_it()
    {
        var vocabulary = TokenizerPromptVocabulary.Build(TokenizerLoader.Load("cl100k_base"));
        int[] turn1 = [5, 9, 33, 2];
        int[] turn2 = [.. turn1, 71, 8, 150];

        var a = vocabulary.Render(turn1);
        var b = vocabulary.Render(turn2);

        Assert.StartsWith(a.Text + " ", b.Text, StringComparison.Ordinal);
        Assert.Equal(a.TokenIds, b.TokenIds.Take(a.TokenIds.Length));
    }

    [Fact]
    public void Words_that_are_not_single_tokens_are_left_out()
    {
        var tokenizer = TiktokenTokenizer.CreateForEncoding("r50k_base");
        string[] candidates = [.. CandidateWords(), "antidisestablishmentarianism", "zyxwvutsrq"];

        var vocabulary = TokenizerPromptVocabulary.Build(tokenizer, "tiktoken:r50k_base", candidates);

        Assert.DoesNotContain("antidisestablishmentarianism", vocabulary.Words);
        Assert.DoesNotContain("zyxwvutsrq", vocabulary.Words);
        Assert.Contains("the", vocabulary.Words);
    }

    [Fact]
    public void Too_few_single_token_words_is_refused_rather_than_padded()
    {
        var tokenizer = TiktokenTokenizer.CreateForModel("gpt2");
        string[] candidates = ["the", "of", "and", "antidisestablishmentarianism", "zyxwvutsrq"];

        var e = Assert.Throws<InvalidOperationException>(() => TokenizerPromptVocabulary.Build(tokenizer, "tiktoken:gpt2", candidates));

        Assert.Contains("only 3", e.Message, StringComparison.Ordinal);
    }

    private static IEnumerable<string> CandidateWords() =>
        TokenizerPromptVocabulary.Build(TokenizerLoader.Load("r50k_base")).Words;
}
