using SiliconBench.Diagnostics;
using SiliconBench.Engines;
using SiliconBench.Models;
using SiliconBench.OnnxRuntime;
using Xunit;

namespace SiliconBench.Tests.OnnxRuntime;

/// <summary>The engine on the synthetic tiny Llama: KV-cache correctness, greedy determinism, model description.</summary>
public sealed class OnnxRuntimeEngineTests(TempCache cache, ITestOutputHelper output) : IClassFixture<TempCache>
{
    /// <summary>
    /// Tolerance on logits (unit scale, fp32): a cached step and a full recompute differ only in float summation
    /// order, which moves logits by ~1e-6; a wrong mask, position or cache shows up as errors of order 0.1–1.
    /// </summary>
    private const double Tolerance = 1e-4;

    private static readonly int[][] Prompts = [[11, 7, 300, 42, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9], [400, 8, 77]];

    private OnnxRuntimeEngine CreateTiny(string? dtype = "fp32") => (OnnxRuntimeEngine)new OnnxRuntimeEngineFactory().Create(new EngineRequest
    {
        ModelSpec = "synthetic:tiny",
        CacheDirectory = cache.Directory,
        Options = new Dictionary<string, string> { ["checkpoint_dtype"] = "fp32" },
        Dtype = dtype,
        Log = output.WriteLine,
    });

    [Fact]
    public void Prefill_plus_cached_decode_steps_give_the_logits_of_recomputing_each_whole_sequence()
    {
        const int steps = 6;
        using var engine = CreateTiny();
        engine.CaptureLogits = true;
        var vocab = engine.Model.VocabSize;

        // Cached: one padded batch of unequal prompts, prefill then decode steps. Keep the last-position logits of each step.
        var cached = new float[Prompts.Length][][];
        var generated = Prompts.Select(_ => new List<int>()).ToArray();
        for (var r = 0; r < Prompts.Length; r++)
            cached[r] = new float[steps + 1][];
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

        // Recomputed: each sequence alone (no padding), prompt + generated tokens in one prefill.
        var maxError = 0.0;
        for (var r = 0; r < Prompts.Length; r++)
        {
            int[] full = [.. Prompts[r], .. generated[r].Take(steps)];
            engine.Prefill([full]);
            var all = engine.LastLogits!;
            for (var step = 0; step <= steps; step++)
            {
                var position = Prompts[r].Length - 1 + step;
                var expected = all.AsSpan(position * vocab, vocab);
                for (var j = 0; j < vocab; j++)
                    maxError = Math.Max(maxError, Math.Abs(expected[j] - cached[r][step][j]));
            }
        }
        output.WriteLine($"max |cached - recomputed| over {Prompts.Length} sequences x {steps + 1} steps x {vocab} logits: {maxError:E2} (tolerance {Tolerance:E0})");
        Assert.True(maxError < Tolerance, $"max error {maxError:E3} exceeds {Tolerance:E0}");
    }

    [Fact]
    public void The_graph_computes_the_reference_Llama_math()
    {
        using var engine = CreateTiny();
        engine.CaptureLogits = true;
        var checkpoint = SyntheticCheckpoint.GetOrCreate("tiny", "fp32", 42, cache.Directory, null);
        var reference = new ReferenceLlama(checkpoint);
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
        output.WriteLine($"max |onnx - reference| = {maxError:E2}");
        Assert.True(maxError < 1e-3, $"max error {maxError:E3}");
    }

    [Fact]
    public void Greedy_decoding_is_deterministic_and_independent_of_batching()
    {
        int[][] Run(OnnxRuntimeEngine e, int[][] prompts)
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
        var again = Run(a, Prompts);
        var otherEngine = Run(b, Prompts);
        Assert.Equal(first, again);
        Assert.Equal(first, otherEngine);
        for (var r = 0; r < Prompts.Length; r++)
            Assert.Equal(first[r], Run(a, [Prompts[r]])[0]);
    }

    [Fact]
    public void Model_and_backend_describe_what_ran()
    {
        using var engine = CreateTiny(dtype: null);
        var m = engine.Model;
        var tiny = SyntheticPresets.Get("tiny", "test");
        Assert.Equal("synthetic:tiny", m.Spec);
        Assert.Equal("tiny", m.Name);
        Assert.Equal("fp32", m.Dtype);
        Assert.Equal("fp32", m.CheckpointDtype);
        Assert.Equal("synthetic (seed 42)", m.Weights);
        Assert.Equal(tiny.Parameters, m.Parameters);
        Assert.Equal((tiny.Parameters - (long)tiny.VocabSize * tiny.HiddenSize) * 4, m.WeightBytes);
        Assert.Equal(2L * tiny.NumHiddenLayers * tiny.NumKeyValueHeads * tiny.HeadDim * 4, m.KvBytesPerToken);
        Assert.Equal((tiny.NumHiddenLayers, tiny.HiddenSize, tiny.NumAttentionHeads, tiny.NumKeyValueHeads, tiny.HeadDim, tiny.VocabSize),
            (m.Layers, m.HiddenSize, m.Heads, m.KvHeads, m.HeadDim, m.VocabSize));
        Assert.Equal("onnxruntime", engine.Backend.Id);
        Assert.Equal("cpu", engine.Backend.Device);
        Assert.Equal("CPUExecutionProvider", engine.Backend.Options["execution_provider"]);
        Assert.False(string.IsNullOrEmpty(engine.Backend.Version));
    }

    [Fact]
    public void A_bf16_checkpoint_is_computed_in_fp32_and_says_so()
    {
        using var engine = (OnnxRuntimeEngine)new OnnxRuntimeEngineFactory().Create(new EngineRequest
        {
            ModelSpec = "synthetic:tiny",
            CacheDirectory = cache.Directory,
            Seed = 7,
        });
        Assert.Equal("bf16", engine.Model.CheckpointDtype);
        Assert.Equal("fp32", engine.Model.Dtype);
        Assert.Equal("synthetic (seed 7)", engine.Model.Weights);
        var tokens = engine.Prefill([[1, 2, 3]]).Tokens;
        Assert.Single(tokens);
        Assert.InRange(engine.Decode().Tokens[0], 0, engine.Model.VocabSize - 1);
    }

    [Fact]
    public void A_checkpoint_directory_and_its_built_onnx_file_run_as_models_too()
    {
        var checkpoint = SyntheticCheckpoint.GetOrCreate("tiny", "fp32", 42, cache.Directory, null);
        using var synthetic = CreateTiny();
        using var fromDir = new OnnxRuntimeEngineFactory().Create(new EngineRequest { ModelSpec = checkpoint, CacheDirectory = cache.Directory });
        var onnx = LlamaOnnxBuilder.GetOrBuild(checkpoint, "fp32", cache.Directory, null);
        using var fromOnnx = new OnnxRuntimeEngineFactory().Create(new EngineRequest { ModelSpec = onnx, CacheDirectory = cache.Directory });

        Assert.Equal(synthetic.Prefill(Prompts).Tokens, fromDir.Prefill(Prompts).Tokens);
        Assert.Equal(synthetic.Prefill(Prompts).Tokens, fromOnnx.Prefill(Prompts).Tokens);
        Assert.Equal("synthetic (seed 42)", fromDir.Model.Weights);
        Assert.Equal(synthetic.Model.Parameters, fromOnnx.Model.Parameters);
    }

    [Fact]
    public void Decode_without_a_batch_is_refused()
    {
        using var engine = CreateTiny();
        Assert.Throws<InvalidOperationException>(() => engine.Decode());
        engine.Prefill([[1, 2]]);
        engine.EndBatch();
        Assert.Throws<InvalidOperationException>(() => engine.Decode());
    }

    [Fact]
    public void Tokens_outside_the_vocabulary_are_refused()
    {
        using var engine = CreateTiny();
        var e = Assert.Throws<ArgumentException>(() => engine.Prefill([[1, 512]]));
        Assert.Contains("outside the vocabulary", e.Message);
    }

    [Fact]
    public void Fp16_on_cpu_is_refused_with_the_reason()
    {
        var e = Assert.Throws<InputException>(() => CreateTiny("fp16"));
        Assert.Equal("--dtype", e.Field);
        Assert.Contains("fp32", e.Message);
    }
}
