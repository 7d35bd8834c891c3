using SiliconBench.Engines;
using SiliconBench.Models;
using SiliconBench.Tests.OnnxRuntime;
using SiliconBench.TorchSharp;
using Xunit;

namespace SiliconBench.Tests.TorchSharp;

/// <summary>
/// The engine itself on synthetic:tiny. These need libtorch: where it cannot load (e.g. a libstdc++ older than
/// TorchSharp's glue needs) each test is reported as skipped with the reason, never passed.
/// </summary>
public sealed class TorchSharpEngineTests(TempCache cache, ITestOutputHelper output) : IClassFixture<TempCache>
{
    /// <summary>
    /// fp32 logits are of unit scale: a cached step and a recompute differ only in summation order (~1e-6), and
    /// libtorch against the double-precision reference by fp32 rounding through two layers (~1e-5); a wrong mask,
    /// position, RoPE or GQA pairing moves logits by 0.1–1.
    /// </summary>
    private const double CacheTolerance = 1e-4;
    private const double ReferenceTolerance = 1e-3;

    private static readonly int[][] Prompts = [[11, 7, 300, 42, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9], [400, 8, 77]];

    private static void RequireLibTorch()
    {
        var availability = new TorchSharpEngineFactory().Check();
        Assert.SkipUnless(availability.Available, $"libtorch cannot load here: {availability.Reason}");
    }

    private TorchSharpEngine CreateTiny(string? dtype = "fp32", IReadOnlyDictionary<string, string>? options = null, string device = "cpu")
    {
        RequireLibTorch();
        return (TorchSharpEngine)new TorchSharpEngineFactory().Create(new EngineRequest
        {
            ModelSpec = "synthetic:tiny",
            Device = device,
            CacheDirectory = cache.Directory,
            Options = options ?? new Dictionary<string, string> { ["checkpoint_dtype"] = "fp32" },
            Dtype = dtype,
            Log = output.WriteLine,
        });
    }

    [Fact]
    public void The_decoder_computes_the_reference_Llama_math()
    {
        using var engine = CreateTiny();
        engine.CaptureLogits = true;
        var reference = new ReferenceLlama(SyntheticCheckpoint.GetOrCreate("tiny", "fp32", 42, cache.Directory, null));
        var vocab = engine.Model.VocabSize;
        var maxError = 0.0;
        foreach (var prompt in Prompts)
        {
            engine.Prefill([prompt]);
            var expected = reference.Forward(prompt);
            for (var t = 0; t < prompt.Length; t++)
                for (var j = 0; j < vocab; j++)
                    maxError = Math.Max(maxError, Math.Abs(expected[t][j] - engine.LastLogits![(t * vocab) + j]));
        }
        output.WriteLine($"max |torchsharp - reference| = {maxError:E2} (tolerance {ReferenceTolerance:E0})");
        Assert.True(maxError < ReferenceTolerance, $"max error {maxError:E3}");
    }

    [Theory]
    [InlineData(512)]
    [InlineData(2)] // forces the cache to grow during decoding
    public void Prefill_plus_cached_decode_steps_give_the_logits_of_recomputing_each_whole_sequence(int kvReserve)
    {
        const int steps = 6;
        using var engine = CreateTiny(options: new Dictionary<string, string> { ["checkpoint_dtype"] = "fp32", ["kv_reserve"] = kvReserve.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        engine.CaptureLogits = true;
        var vocab = engine.Model.VocabSize;
        var cached = Prompts.Select(_ => new float[steps + 1][]).ToArray();
        var generated = Prompts.Select(_ => new List<int>()).ToArray();
        var tokens = engine.Prefill(Prompts).Tokens;
        for (var step = 0; step <= steps; step++)
        {
            if (step > 0)
                tokens = engine.Decode().Tokens;
            var width = engine.LastLogitsSteps;
            for (var r = 0; r < Prompts.Length; r++)
            {
                cached[r][step] = engine.LastLogits!.AsSpan(((r * width) + width - 1) * vocab, vocab).ToArray();
                generated[r].Add(tokens[r]);
            }
        }
        engine.EndBatch();

        var maxError = 0.0;
        for (var r = 0; r < Prompts.Length; r++)
        {
            int[] full = [.. Prompts[r], .. generated[r].Take(steps)];
            engine.Prefill([full]);
            for (var step = 0; step <= steps; step++)
            {
                var expected = engine.LastLogits!.AsSpan((Prompts[r].Length - 1 + step) * vocab, vocab);
                for (var j = 0; j < vocab; j++)
                    maxError = Math.Max(maxError, Math.Abs(expected[j] - cached[r][step][j]));
            }
        }
        output.WriteLine($"max |cached - recomputed| = {maxError:E2} (tolerance {CacheTolerance:E0})");
        Assert.True(maxError < CacheTolerance, $"max error {maxError:E3} exceeds {CacheTolerance:E0}");
    }

    [Fact]
    public void Greedy_decoding_is_deterministic_and_independent_of_batching()
    {
        static int[][] Run(TorchSharpEngine e, int[][] prompts)
        {
            var seqs = prompts.Select(_ => new List<int>()).ToArray();
            var t = e.Prefill(prompts).Tokens;
            for (var s = 0; s < 8; s++)
            {
                for (var r = 0; r < prompts.Length; r++)
                    seqs[r].Add(t[r]);
                t = e.Decode().Tokens;
            }
            return [.. seqs.Select(s => s.ToArray())];
        }

        using var a = CreateTiny();
        using var b = CreateTiny();
        var first = Run(a, Prompts);
        Assert.Equal(first, Run(a, Prompts));
        Assert.Equal(first, Run(b, Prompts));
        for (var r = 0; r < Prompts.Length; r++)
            Assert.Equal(first[r], Run(a, [Prompts[r]])[0]);
    }

    [Fact]
    public void Model_and_backend_describe_what_ran()
    {
        using var engine = CreateTiny(dtype: null);
        var m = engine.Model;
        var tiny = SyntheticPresets.Get("tiny", "test");
        Assert.Equal(("synthetic:tiny", "tiny", "fp32", "fp32", "synthetic (seed 42)"), (m.Spec, m.Name, m.Dtype, m.CheckpointDtype, m.Weights));
        Assert.Equal(tiny.Parameters, m.Parameters);
        Assert.Equal(tiny.StreamedParameters * 4, m.WeightBytes);
        Assert.Equal(tiny.KvElementsPerToken * 4, m.KvBytesPerToken);
        Assert.Equal(tiny.MaxPositionEmbeddings, m.MaxContext);
        Assert.Equal(("torchsharp", "cpu"), (engine.Backend.Id, engine.Backend.Device));
        Assert.Equal("512", engine.Backend.Options["kv_reserve"]);
    }

    [Theory]
    [InlineData("bf16")]
    [InlineData("fp16")]
    public void Half_precision_agrees_with_fp32_on_the_first_token_and_says_its_dtype(string dtype)
    {
        using var full = CreateTiny();
        using var half = CreateTiny(dtype);
        Assert.Equal(dtype, half.Model.Dtype);
        Assert.Equal(2L * full.Model.KvBytesPerToken / 4, half.Model.KvBytesPerToken);
        var tokens = half.Prefill(Prompts).Tokens;
        Assert.All(tokens, t => Assert.InRange(t, 0, half.Model.VocabSize - 1));
        // Synthetic logits are nearly flat, so half precision may flip a near tie: ask for agreement on most rows only.
        var agree = tokens.Zip(full.Prefill(Prompts).Tokens).Count(p => p.First == p.Second);
        output.WriteLine($"{dtype}: {agree}/{tokens.Length} first tokens equal fp32's");
        Assert.All(half.Decode().Tokens, t => Assert.InRange(t, 0, half.Model.VocabSize - 1));
    }

    [Fact]
    public void A_checkpoint_directory_runs_as_the_same_model_and_says_where_its_weights_came_from()
    {
        using var synthetic = CreateTiny();
        var dir = SyntheticCheckpoint.GetOrCreate("tiny", "fp32", 42, cache.Directory, null);
        using var fromDir = new TorchSharpEngineFactory().Create(new EngineRequest { ModelSpec = dir, CacheDirectory = cache.Directory });
        Assert.Equal(synthetic.Prefill(Prompts).Tokens, fromDir.Prefill(Prompts).Tokens);
        Assert.Equal("synthetic (seed 42)", fromDir.Model.Weights);
        Assert.Equal(Path.GetFileName(dir), fromDir.Model.Name);
    }

    [Fact]
    public void Cuda_steps_report_device_synchronized_seconds()
    {
        RequireLibTorch();
        Assert.SkipUnless(new TorchSharpEngineFactory().Check().Devices.Contains("cuda"), "no CUDA device for libtorch here");
        using var engine = CreateTiny(dtype: "bf16", device: "cuda");
        var prefill = engine.Prefill(Prompts);
        var decode = engine.Decode();
        Assert.True(prefill.DeviceSeconds > 0);
        Assert.True(decode.DeviceSeconds > 0);
        Assert.Equal("cuda:0", engine.Backend.Device);
    }

    [Fact]
    public void Decode_without_a_batch_and_tokens_outside_the_vocabulary_are_refused()
    {
        using var engine = CreateTiny();
        Assert.Throws<InvalidOperationException>(() => engine.Decode());
        engine.Prefill([[1, 2]]);
        engine.EndBatch();
        Assert.Throws<InvalidOperationException>(() => engine.Decode());
        Assert.Contains("outside the vocabulary", Assert.Throws<ArgumentException>(() => engine.Prefill([[1, 512]])).Message);
    }
}
