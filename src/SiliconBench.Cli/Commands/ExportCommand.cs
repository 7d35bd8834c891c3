using System.CommandLine;
using System.Globalization;
using SiliconBench.Cli.Hosting;
using SiliconBench.Diagnostics;
using SiliconBench.Models;
using SiliconBench.Models.Gguf;

namespace SiliconBench.Cli.Commands;

/// <summary>
/// <c>export --gguf DIR</c>: writes a synthetic model as GGUF for llama.cpp (<c>model.gguf</c>), with the same
/// tokenizer as <c>tokenizer.json</c> for <c>run --tokenizer DIR</c>, so a llama.cpp server and the harness's own
/// engines serve the same weights and count prompts alike.
/// </summary>
internal static class ExportCommand
{
    public static Command Create(CliEnvironment env)
    {
        var gguf = new Option<string>("--gguf") { Description = "Directory to write model.gguf, tokenizer.json and config.json into.", Required = true };
        var model = new Option<string>("--model", "-m") { Description = "Synthetic model: synthetic:<preset> (tiny, small, llama-3.2-1b, …).", DefaultValueFactory = _ => "synthetic:tiny" };
        var dtype = new Option<string>("--dtype") { Description = "Weight dtype in the file: fp32, fp16 or bf16 (norm weights are always f32).", DefaultValueFactory = _ => "fp32" };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic weights (the workloads' default is 42).", DefaultValueFactory = _ => 42 };
        var cacheDir = new Option<string?>("--cache-dir") { Description = "Where synthetic checkpoints are cached (default ~/.cache/siliconbench or $SILICONBENCH_CACHE)." };
        var command = new Command("export", "Write a synthetic model for another engine: GGUF (llama.cpp) with its tokenizer.") { gguf, model, dtype, seed, cacheDir };
        command.SetAction(parse =>
        {
            var spec = parse.GetValue(model)!;
            const string prefix = "synthetic:";
            if (!spec.StartsWith(prefix, StringComparison.Ordinal))
                throw new InputException(spec, null, "--model", "only synthetic models can be exported (their tokenizer is generated with them): synthetic:<preset>");
            var preset = spec[prefix.Length..];
            var config = SyntheticPresets.Get(preset, spec);
            if (!WeightDtypes.TryParse(parse.GetValue(dtype), out var weightDtype))
                throw new InputException(parse.GetValue(dtype)!, null, "--dtype", $"expected one of {string.Join(", ", WeightDtypes.Names)}");
            if (config.VocabSize < SyntheticVocabulary.MinimumSize)
                throw new InputException(spec, null, "--model", $"a vocabulary of {config.VocabSize} tokens is too small for a tokenizer (needs {SyntheticVocabulary.MinimumSize})");
            var cache = parse.GetValue(cacheDir) is { } c ? env.ResolvePath(c) : RunCommand.DefaultCacheDirectory();
            var output = env.ResolvePath(parse.GetValue(gguf)!);
            var seedValue = parse.GetValue(seed);

            var checkpoint = SyntheticCheckpoint.GetOrCreate(preset, WeightDtypes.Name(weightDtype), seedValue, cache, env.Error.WriteLine);
            Directory.CreateDirectory(output);
            var vocabulary = SyntheticVocabulary.Build(config.VocabSize);
            var name = string.Create(CultureInfo.InvariantCulture, $"siliconbench-synthetic-{preset}-{WeightDtypes.Name(weightDtype)}-seed{seedValue}");
            var file = Path.Combine(output, LlamaGgufExporter.FileName);
            LlamaGgufExporter.Export(checkpoint, file, vocabulary, name);
            File.WriteAllBytes(Path.Combine(output, "tokenizer.json"), vocabulary.ToTokenizerJson());
            File.Copy(Path.Combine(checkpoint, LlamaConfig.FileName), Path.Combine(output, LlamaConfig.FileName), overwrite: true);
            env.Error.WriteLine($"wrote {file} ({new FileInfo(file).Length / 1e6:0.0} MB, {name}; {vocabulary.Words.Count} whole-word tokens) and tokenizer.json");
            env.Error.WriteLine($"serve it: llama-server -m {file} --alias {name}; measure it: siliconbench run --backend openai --endpoint http://127.0.0.1:8080 --model {name} --tokenizer {output}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
