using Microsoft.ML.Tokenizers;

namespace SiliconBench.Tokenizers;

/// <summary>
/// SentencePiece's whitespace handling as Hugging Face files spell it (Prepend + Replace normalizers, or a Metaspace
/// pre-tokenizer): every space becomes ▁ (U+2581), and a ▁ is put in front of the text when the model asks for it.
/// </summary>
internal sealed class MetaspaceNormalizer(bool prependToText) : Normalizer
{
    public const char Marker = '\u2581';

    public override string Normalize(string original)
    {
        ArgumentNullException.ThrowIfNull(original);
        return Normalize(original.AsSpan());
    }

    public override string Normalize(ReadOnlySpan<char> original)
    {
        var prefix = prependToText ? 1 : 0;
        return string.Create(original.Length + prefix, (original.ToString(), prefix), static (span, state) =>
        {
            if (state.prefix == 1)
                span[0] = Marker;
            state.Item1.AsSpan().Replace(span[state.prefix..], ' ', Marker);
        });
    }
}
