using BenchmarkDotNet.Attributes;
using SiliconBench.Serving.Prompts;
using SiliconBench.Tokenizers;

namespace SiliconBench.Benchmarks.Serving;

/// <summary>
/// What exact-length prompts cost: building the vocabulary from a real tokenizer (once per run, before the clock
/// starts) and rendering one planned prompt (per request, on the sender's path, before its submit time is read).
/// </summary>
[MemoryDiagnoser]
public class PromptVocabularyBenchmarks
{
    private LoadedTokenizer _tokenizer = null!;
    private TokenizerPromptVocabulary _vocabulary = null!;
    private NominalPromptVocabulary _nominal = null!;
    private int[] _pieces = [];

    [Params(1024, 32768)]
    public int PromptTokens { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _tokenizer = TokenizerLoader.Load("o200k_base");
        _vocabulary = TokenizerPromptVocabulary.Build(_tokenizer);
        _nominal = new NominalPromptVocabulary(32000);
        var random = new Random(1);
        _pieces = [.. Enumerable.Range(0, PromptTokens).Select(_ => 1 + random.Next(_vocabulary.Size - 1))];
    }

    [Benchmark]
    public RenderedPrompt RenderExact() => _vocabulary.Render(_pieces);

    [Benchmark(Baseline = true)]
    public RenderedPrompt RenderNominal() => _nominal.Render(_pieces);

    /// <summary>Once per run: candidate words encoded alone and after an anchor, then the 4,096-token check.</summary>
    [Benchmark]
    public int BuildFromO200k() => TokenizerPromptVocabulary.Build(_tokenizer).Size;
}
