using System.Text;
using SiliconBench.Diagnostics;
using SiliconBench.Models;
using Xunit;

namespace SiliconBench.Tests.Models;

public sealed class LlamaConfigTests
{
    private const string Source = "/models/llama/config.json";

    // The fields of meta-llama/Llama-3.2-1B's config.json.
    private const string Llama32 = """
        {
          "architectures": ["LlamaForCausalLM"],
          "attention_bias": false,
          "bos_token_id": 128000,
          "eos_token_id": 128001,
          "head_dim": 64,
          "hidden_act": "silu",
          "hidden_size": 2048,
          "intermediate_size": 8192,
          "max_position_embeddings": 131072,
          "mlp_bias": false,
          "model_type": "llama",
          "num_attention_heads": 32,
          "num_hidden_layers": 16,
          "num_key_value_heads": 8,
          "rms_norm_eps": 1e-05,
          "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0, "original_max_position_embeddings": 8192, "rope_type": "llama3"},
          "rope_theta": 500000.0,
          "tie_word_embeddings": true,
          "torch_dtype": "bfloat16",
          "vocab_size": 128256
        }
        """;

    private static LlamaConfig Parse(string json) => LlamaConfig.Parse(Encoding.UTF8.GetBytes(json), Source);

    [Fact]
    public void A_real_config_reads_to_the_preset_shape()
    {
        var c = Parse(Llama32);
        Assert.Equal(SyntheticPresets.Get("llama-3.2-1b", "t") with { TorchDtype = WeightDtype.Bf16 }, c);
        Assert.Equal(1_235_814_400, c.Parameters);
    }

    [Fact]
    public void A_missing_field_names_config_json_and_the_field()
    {
        var e = Assert.Throws<InputException>(() => Parse(Llama32.Replace("\"hidden_size\": 2048,", "")));
        Assert.Equal(Source, e.File);
        Assert.Equal("hidden_size", e.Field);
        Assert.Equal($"{Source}: hidden_size: missing; a Llama config.json must have it", e.Message);
    }

    [Fact]
    public void A_mistyped_field_names_its_line_and_value()
    {
        var e = Assert.Throws<InputException>(() => Parse(Llama32.Replace("\"num_hidden_layers\": 16", "\"num_hidden_layers\": \"16\"")));
        Assert.Equal("num_hidden_layers", e.Field);
        Assert.Equal(14, e.Line);
        Assert.Contains("must be a positive integer, not \"16\"", e.Message);
        Assert.Contains("config.json:14: num_hidden_layers", e.Message);
    }

    [Theory]
    [InlineData("\"rms_norm_eps\": 1e-05", "\"rms_norm_eps\": -1", "rms_norm_eps")]
    [InlineData("\"num_key_value_heads\": 8", "\"num_key_value_heads\": 5", "num_key_value_heads")]
    [InlineData("\"torch_dtype\": \"bfloat16\"", "\"torch_dtype\": \"int4\"", "torch_dtype")]
    [InlineData("\"model_type\": \"llama\"", "\"model_type\": \"gpt2\"", "model_type")]
    [InlineData("\"rope_type\": \"llama3\"", "\"rope_type\": \"yarn\"", "rope_scaling")]
    [InlineData("\"tie_word_embeddings\": true", "\"tie_word_embeddings\": 1", "tie_word_embeddings")]
    [InlineData("\"attention_bias\": false", "\"attention_bias\": true", "attention_bias")]
    public void Bad_values_are_refused_naming_the_field(string original, string replacement, string field)
    {
        Assert.Contains(original, Llama32);
        var e = Assert.Throws<InputException>(() => Parse(Llama32.Replace(original, replacement)));
        Assert.Equal(field, e.Field);
    }

    [Fact]
    public void Invalid_json_is_an_input_error_with_a_line()
    {
        var e = Assert.Throws<InputException>(() => Parse("{\n\"hidden_size\": 64,\n oops\n}"));
        Assert.Equal(Source, e.File);
        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void Absent_optional_fields_take_hugging_face_defaults()
    {
        var c = Parse("""
            {"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 1, "num_attention_heads": 4,
             "vocab_size": 10, "max_position_embeddings": 32, "rms_norm_eps": 1e-6, "rope_theta": 10000}
            """);
        Assert.Equal(4, c.NumKeyValueHeads);
        Assert.Equal(16, c.HeadDim);
        Assert.False(c.TieWordEmbeddings);
        Assert.Null(c.TorchDtype);
        Assert.Null(c.RopeScaling);
    }

    [Fact]
    public void Written_configs_read_back_unchanged()
    {
        foreach (var name in SyntheticPresets.Names)
        {
            var c = SyntheticPresets.Get(name, "t") with { TorchDtype = WeightDtype.Fp16 };
            Assert.Equal(c, LlamaConfig.Parse(c.ToJson(), name));
        }
    }

    [Fact]
    public void Llama3_rope_scaling_slows_only_the_low_frequencies()
    {
        var scaled = SyntheticPresets.Get("llama-3.1-8b", "t");
        var plain = scaled with { RopeScaling = null };
        var a = scaled.RopeInverseFrequencies();
        var b = plain.RopeInverseFrequencies();
        Assert.Equal(b[0], a[0]);
        Assert.Equal(b[^1] / 8, a[^1], 12);
    }

    [Fact]
    public void Presets_have_the_published_parameter_counts()
    {
        Assert.InRange(SyntheticPresets.Get("tiny", "t").Parameters, 50_000, 1_000_000);
        Assert.InRange(SyntheticPresets.Get("small", "t").Parameters, 90_000_000, 110_000_000);
        Assert.Equal(8_030_261_248, SyntheticPresets.Get("llama-3.1-8b", "t").Parameters);
        Assert.Equal(70_553_706_496, SyntheticPresets.Get("llama-3.1-70b", "t").Parameters);
    }
}
