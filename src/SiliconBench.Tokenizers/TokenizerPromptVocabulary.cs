using System.Text;
using Microsoft.ML.Tokenizers;
using SiliconBench.Serving.Prompts;

namespace SiliconBench.Tokenizers;

/// <summary>
/// Prompt pieces that are each exactly one token of the served model's tokenizer: everyday words that encode to
/// one token both at the start of a text and after a space, so a text of n pieces joined by spaces is n tokens and
/// its ids are known without encoding it again. Built once per run and checked then on a long text of every word.
/// </summary>
/// <remarks>
/// Counts exclude what a server adds around the text: a beginning-of-sequence token, and on the chat API the
/// chat template. The record keeps the server's own <c>prompt_tokens</c>, which includes them.
/// </remarks>
public sealed class TokenizerPromptVocabulary : IPromptVocabulary
{
    /// <summary>Fewer distinct pieces than this would make prompts too repetitive to mean anything.</summary>
    public const int MinimumWords = 32;

    /// <summary>Length of the text every build is checked on.</summary>
    internal const int CheckTokens = 4096;

    private readonly string[] _words;
    private readonly int[] _leadIds;
    private readonly int[] _nextIds;

    private TokenizerPromptVocabulary(string id, string[] words, int[] leadIds, int[] nextIds)
    {
        Id = id;
        _words = words;
        _leadIds = leadIds;
        _nextIds = nextIds;
    }

    public string Id { get; }

    public int Size => _words.Length;

    public bool ExactText => true;

    /// <summary>The words kept, in piece order.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>Builds the vocabulary; throws <see cref="InvalidOperationException"/> when too few words are one token each.</summary>
    public static TokenizerPromptVocabulary Build(LoadedTokenizer loaded) => Build(loaded.Tokenizer, loaded.Id, CommonWords.All);

    internal static TokenizerPromptVocabulary Build(Tokenizer tokenizer, string id, IReadOnlyList<string> candidates)
    {
        // The anchor is the first word that is one token on its own; "anchor word" then shows the word's id after a space.
        var anchor = candidates.Select(w => (Word: w, Ids: Encode(tokenizer, w))).FirstOrDefault(a => a.Ids.Count == 1);
        if (anchor.Word is null)
            throw new InvalidOperationException($"tokenizer {id}: none of the candidate words is a single token");
        var unknown = UnknownId(tokenizer);
        var found = new List<(string Word, int Lead, int Next)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in candidates)
        {
            if (!seen.Add(word))
                continue;
            var alone = Encode(tokenizer, word);
            var pair = Encode(tokenizer, anchor.Word + " " + word);
            if (alone.Count != 1 || pair.Count != 2 || pair[0] != anchor.Ids[0] || alone[0] == unknown || pair[1] == unknown)
                continue;
            found.Add((word, alone[0], pair[1]));
        }
        // Two words on one token means the tokenizer lost part of them (an unknown character dropped or fused): keep neither.
        var sharedNext = found.GroupBy(f => f.Next).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        var sharedLead = found.GroupBy(f => f.Lead).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        found.RemoveAll(f => sharedNext.Contains(f.Next) || sharedLead.Contains(f.Lead));
        var words = found.Select(f => f.Word).ToList();
        var lead = found.Select(f => f.Lead).ToList();
        var next = found.Select(f => f.Next).ToList();

        // A long text of every word in a seeded order must encode to exactly the ids predicted; a word that merges with
        // its neighbours (no regex or SentencePiece splitting would allow that, but a tokenizer file could) is dropped.
        for (var round = 0; round < 16; round++)
        {
            var candidate = new TokenizerPromptVocabulary(id, [.. words], [.. lead], [.. next]);
            var pieces = CheckPieces(words.Count);
            var prompt = candidate.Render(pieces);
            var actual = Encode(tokenizer, prompt.Text);
            var offenders = new HashSet<int>();
            for (var i = 0; i < pieces.Length && i < actual.Count; i++)
            {
                if (actual[i] != prompt.TokenIds[i])
                {
                    // The word here or the one before merged across the space; after it positions shift, so check again without both.
                    offenders.Add(pieces[i]);
                    if (i > 0)
                        offenders.Add(pieces[i - 1]);
                    break;
                }
            }
            if (offenders.Count == 0 && actual.Count == pieces.Length)
            {
                if (words.Count < MinimumWords)
                    break;
                return candidate;
            }
            if (offenders.Count == 0)
                offenders.Add(pieces[Math.Min(actual.Count, pieces.Length - 1)]);
            foreach (var k in offenders.OrderDescending())
            {
                words.RemoveAt(k);
                lead.RemoveAt(k);
                next.RemoveAt(k);
            }
        }
        throw new InvalidOperationException(
            $"tokenizer {id}: only {words.Count} everyday words are one token each and keep their boundaries (at least {MinimumWords} are needed for exact prompts)");
    }

    public RenderedPrompt Render(ReadOnlySpan<int> pieces)
    {
        var ids = new int[pieces.Length];
        var text = new StringBuilder(pieces.Length * 6);
        for (var i = 0; i < pieces.Length; i++)
        {
            var k = pieces[i] % _words.Length;
            if (i > 0)
                text.Append(' ');
            text.Append(_words[k]);
            ids[i] = i == 0 ? _leadIds[k] : _nextIds[k];
        }
        return new RenderedPrompt(ids, text.ToString());
    }

    /// <summary>The id unknown text encodes to, where the tokenizer has one.</summary>
    private static int? UnknownId(Tokenizer tokenizer) => tokenizer switch
    {
        BpeTokenizer bpe when bpe.UnknownToken is { } token && bpe.Vocabulary.TryGetValue(token, out var id) => id,
        SentencePieceTokenizer sentencePiece => sentencePiece.UnknownId,
        CodeGenTokenizer codeGen => codeGen.UnknownTokenId,
        _ => null,
    };

    private static IReadOnlyList<int> Encode(Tokenizer tokenizer, string text) => tokenizer.EncodeToIds(text);

    private static int[] CheckPieces(int size)
    {
        var random = new Random(20261203); // seeded: the same check text every build
        var pieces = new int[Math.Max(CheckTokens, size)];
        for (var i = 0; i < pieces.Length; i++)
            pieces[i] = i < size ? i : random.Next(size);
        return pieces;
    }
}
