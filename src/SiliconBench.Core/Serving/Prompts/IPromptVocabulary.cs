namespace SiliconBench.Serving.Prompts;

/// <summary>
/// Turns a planned prompt (a sequence of piece indices in <c>[0, Size)</c>, drawn by the serving planner) into what
/// goes over the wire: token ids and text. Shared prefixes and multi-turn extensions survive the mapping, because a
/// prompt that extends another renders to ids and text that extend the other's.
/// </summary>
public interface IPromptVocabulary
{
    /// <summary>What made the prompts, for the manifest: <c>nominal</c>, or the tokenizer (e.g. <c>tiktoken:o200k_base</c>).</summary>
    string Id { get; }

    /// <summary>Distinct pieces the planner may draw from.</summary>
    int Size { get; }

    /// <summary>
    /// True when the text of n pieces is exactly n tokens by the tokenizer this vocabulary was built from (checked when
    /// it was built); false when text lengths are only nominal and only the server's <c>prompt_tokens</c> tells.
    /// </summary>
    bool ExactText { get; }

    /// <summary>The token ids and the text of a planned prompt.</summary>
    RenderedPrompt Render(ReadOnlySpan<int> pieces);
}

/// <summary>A prompt as it is sent: token ids for servers that take them, text for the rest.</summary>
public sealed record RenderedPrompt(int[] TokenIds, string Text);
