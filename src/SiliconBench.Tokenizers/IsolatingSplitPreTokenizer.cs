using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace SiliconBench.Tokenizers;

/// <summary>
/// Hugging Face's <c>Split</c> pre-tokenizer with behaviour <c>Isolated</c>, applied in sequence: each pattern splits
/// every piece the previous one left into its matches and the stretches between them, all kept. (One pattern that
/// covers every character, as GPT-2's and Llama 3's do, reduces to its matches.)
/// </summary>
internal sealed class IsolatingSplitPreTokenizer(IReadOnlyList<Regex> steps) : PreTokenizer
{
    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Split(text);
    }

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => Split(text.ToString());

    private List<(int Offset, int Length)> Split(string text)
    {
        var pieces = new List<(int Offset, int Length)> { (0, text.Length) };
        foreach (var step in steps)
        {
            var next = new List<(int Offset, int Length)>(pieces.Count * 2);
            foreach (var (offset, length) in pieces)
            {
                var at = offset;
                foreach (var match in step.EnumerateMatches(text.AsSpan(offset, length)))
                {
                    if (match.Length == 0)
                        continue;
                    var start = offset + match.Index;
                    if (start > at)
                        next.Add((at, start - at));
                    next.Add((start, match.Length));
                    at = start + match.Length;
                }
                if (offset + length > at)
                    next.Add((at, offset + length - at));
            }
            pieces = next;
        }
        return pieces;
    }
}
