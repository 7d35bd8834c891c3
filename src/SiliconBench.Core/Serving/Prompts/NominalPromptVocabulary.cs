using System.Text;

namespace SiliconBench.Serving.Prompts;

/// <summary>
/// The vocabulary without a tokenizer: pieces are token ids as they are (a model of <see cref="Size"/> tokens takes
/// any of them), and the text is one short word per piece, which most BPE vocabularies keep as one token each. Text
/// lengths are nominal: the record keeps the server's own <c>prompt_tokens</c> count.
/// </summary>
public sealed class NominalPromptVocabulary : IPromptVocabulary
{
    private static readonly string[] Words = ["alpha", "bravo", "delta", "echo", "golf", "hotel", "india", "kilo", "lima", "mike", "oscar", "papa", "romeo", "sierra", "tango", "victor"];

    public NominalPromptVocabulary(int vocabSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabSize, 2);
        Size = vocabSize;
    }

    public string Id => "nominal";

    public int Size { get; }

    public bool ExactText => false;

    public RenderedPrompt Render(ReadOnlySpan<int> pieces)
    {
        var text = new StringBuilder(pieces.Length * 6);
        for (var i = 0; i < pieces.Length; i++)
        {
            if (i > 0)
                text.Append(' ');
            text.Append(Words[pieces[i] % Words.Length]);
        }
        return new RenderedPrompt(pieces.ToArray(), text.ToString());
    }
}
