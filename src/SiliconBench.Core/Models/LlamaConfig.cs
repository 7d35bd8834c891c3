using System.Text.Json;
using SiliconBench.Diagnostics;

namespace SiliconBench.Models;

/// <summary>Llama 3 "llama3" RoPE frequency scaling (Llama 3.1 / 3.2 configs), as Hugging Face applies it.</summary>
public sealed record Llama3RopeScaling(double Factor, double LowFreqFactor, double HighFreqFactor, int OriginalMaxPositionEmbeddings);

/// <summary>
/// The fields of a Hugging Face Llama <c>config.json</c> that fix the shapes and the math of the decoder.
/// Read strictly: a missing or mistyped field is an <see cref="InputException"/> naming the file, the line
/// and the field. Where Hugging Face itself has a default (<c>num_key_value_heads</c>, <c>head_dim</c>,
/// <c>tie_word_embeddings</c>, <c>torch_dtype</c>) an absent field takes it; a present one must be right.
/// </summary>
public sealed record LlamaConfig
{
    public const string FileName = "config.json";

    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int NumHiddenLayers { get; init; }
    public required int NumAttentionHeads { get; init; }
    public required int NumKeyValueHeads { get; init; }
    public required int HeadDim { get; init; }
    public required int VocabSize { get; init; }
    public required int MaxPositionEmbeddings { get; init; }
    public required double RmsNormEps { get; init; }
    public required double RopeTheta { get; init; }
    public bool TieWordEmbeddings { get; init; }
    /// <summary>The checkpoint's dtype as the config states it; null when the config does not say.</summary>
    public WeightDtype? TorchDtype { get; init; }
    public Llama3RopeScaling? RopeScaling { get; init; }

    /// <summary>Every weight tensor's element count added up (tied embeddings counted once).</summary>
    public long Parameters
    {
        get
        {
            long h = HiddenSize, q = (long)NumAttentionHeads * HeadDim, kv = (long)NumKeyValueHeads * HeadDim;
            var perLayer = h * q + 2 * h * kv + q * h + 3 * h * IntermediateSize + 2 * h;
            var embeddings = (long)VocabSize * h * (TieWordEmbeddings ? 1 : 2);
            return embeddings + NumHiddenLayers * perLayer + h;
        }
    }

    /// <summary>
    /// Parameters a decode step reads: all but the input embedding table, of which a step gathers one row per
    /// sequence (when embeddings are tied, the table is read whole as the LM head and counts once).
    /// </summary>
    public long StreamedParameters => TieWordEmbeddings ? Parameters : Parameters - (long)VocabSize * HiddenSize;

    /// <summary>KV-cache elements per token of context: all layers, key and value.</summary>
    public long KvElementsPerToken => 2L * NumHiddenLayers * NumKeyValueHeads * HeadDim;

    /// <summary>Reads and checks <c>config.json</c> in <paramref name="directory"/>.</summary>
    public static LlamaConfig Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            throw new InputException(path, null, null, "no config.json in the checkpoint directory");
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses config.json bytes; <paramref name="source"/> names the file in errors.</summary>
    public static LlamaConfig Parse(ReadOnlySpan<byte> utf8Json, string source)
    {
        var fields = JsonTopLevelFields.Read(utf8Json, source, "config.json");
        var r = new FieldReader(fields, source);

        if (r.OptionalString("model_type") is { } modelType && modelType != "llama")
            r.Fail("model_type", $"'{modelType}' is not a Llama-family model; this reader takes model_type \"llama\"");
        if (r.OptionalString("hidden_act") is { } act && act != "silu")
            r.Fail("hidden_act", $"'{act}' is not supported; Llama uses \"silu\"");
        if (r.OptionalBool("attention_bias") == true)
            r.Fail("attention_bias", "biased attention projections are not supported");
        if (r.OptionalBool("mlp_bias") == true)
            r.Fail("mlp_bias", "biased MLP projections are not supported");

        var hidden = r.PositiveInt("hidden_size");
        var heads = r.PositiveInt("num_attention_heads");
        var kvHeads = r.OptionalPositiveInt("num_key_value_heads") ?? heads;
        if (heads % kvHeads != 0)
            r.Fail("num_key_value_heads", $"{kvHeads} does not divide num_attention_heads ({heads})");
        int headDim;
        if (r.OptionalPositiveInt("head_dim") is { } hd)
            headDim = hd;
        else if (hidden % heads != 0)
            throw r.Error("head_dim", $"missing, and hidden_size ({hidden}) is not a multiple of num_attention_heads ({heads})");
        else
            headDim = hidden / heads;
        if (headDim % 2 != 0)
            r.Fail("head_dim", $"{headDim} is odd; rotary embeddings need an even head dimension");

        WeightDtype? torchDtype = null;
        var dtypeField = fields.ContainsKey("torch_dtype") ? "torch_dtype" : "dtype";
        if (r.OptionalString(dtypeField) is { } dt)
        {
            if (!WeightDtypes.TryParse(dt, out var parsed))
                r.Fail(dtypeField, $"'{dt}' is not one of float32, float16, bfloat16");
            torchDtype = parsed;
        }

        return new LlamaConfig
        {
            HiddenSize = hidden,
            IntermediateSize = r.PositiveInt("intermediate_size"),
            NumHiddenLayers = r.PositiveInt("num_hidden_layers"),
            NumAttentionHeads = heads,
            NumKeyValueHeads = kvHeads,
            HeadDim = headDim,
            VocabSize = r.PositiveInt("vocab_size"),
            MaxPositionEmbeddings = r.PositiveInt("max_position_embeddings"),
            RmsNormEps = r.PositiveNumber("rms_norm_eps"),
            RopeTheta = r.PositiveNumber("rope_theta"),
            TieWordEmbeddings = r.OptionalBool("tie_word_embeddings") ?? false,
            TorchDtype = torchDtype,
            RopeScaling = ReadRopeScaling(r),
        };
    }

    private static Llama3RopeScaling? ReadRopeScaling(FieldReader r)
    {
        if (!r.Fields.TryGetValue("rope_scaling", out var f) || f.Value.ValueKind == JsonValueKind.Null)
            return null;
        if (f.Value.ValueKind != JsonValueKind.Object)
            throw r.Error("rope_scaling", "must be an object or null");
        var o = f.Value;
        var type = o.TryGetProperty("rope_type", out var t) || o.TryGetProperty("type", out t) ? t.GetString() : null;
        if (type == "default")
            return null;
        if (type != "llama3")
            throw r.Error("rope_scaling", $"rope type '{type}' is not supported; this reader takes \"llama3\" or \"default\"");
        double Number(string name) =>
            o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.GetDouble() > 0
                ? v.GetDouble()
                : throw r.Error($"rope_scaling.{name}", "missing or not a positive number");
        var original = Number("original_max_position_embeddings");
        return new Llama3RopeScaling(Number("factor"), Number("low_freq_factor"), Number("high_freq_factor"), (int)original);
    }

    /// <summary>Writes this config as a Hugging Face <c>config.json</c> (LlamaForCausalLM).</summary>
    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("architectures");
            w.WriteStringValue("LlamaForCausalLM");
            w.WriteEndArray();
            w.WriteString("model_type", "llama");
            w.WriteString("hidden_act", "silu");
            w.WriteBoolean("attention_bias", false);
            w.WriteBoolean("mlp_bias", false);
            w.WriteNumber("hidden_size", HiddenSize);
            w.WriteNumber("intermediate_size", IntermediateSize);
            w.WriteNumber("num_hidden_layers", NumHiddenLayers);
            w.WriteNumber("num_attention_heads", NumAttentionHeads);
            w.WriteNumber("num_key_value_heads", NumKeyValueHeads);
            w.WriteNumber("head_dim", HeadDim);
            w.WriteNumber("vocab_size", VocabSize);
            w.WriteNumber("max_position_embeddings", MaxPositionEmbeddings);
            w.WriteNumber("rms_norm_eps", RmsNormEps);
            w.WriteNumber("rope_theta", RopeTheta);
            if (RopeScaling is { } s)
            {
                w.WriteStartObject("rope_scaling");
                w.WriteString("rope_type", "llama3");
                w.WriteNumber("factor", s.Factor);
                w.WriteNumber("low_freq_factor", s.LowFreqFactor);
                w.WriteNumber("high_freq_factor", s.HighFreqFactor);
                w.WriteNumber("original_max_position_embeddings", s.OriginalMaxPositionEmbeddings);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("rope_scaling");
            }
            w.WriteBoolean("tie_word_embeddings", TieWordEmbeddings);
            w.WriteString("torch_dtype", WeightDtypes.TorchName(TorchDtype ?? WeightDtype.Fp32));
            w.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>
    /// RoPE inverse frequencies (<c>head_dim / 2</c> of them), with Llama 3 scaling applied when the config has it.
    /// </summary>
    public double[] RopeInverseFrequencies()
    {
        var half = HeadDim / 2;
        var inv = new double[half];
        for (var i = 0; i < half; i++)
            inv[i] = 1.0 / Math.Pow(RopeTheta, 2.0 * i / HeadDim);
        if (RopeScaling is not { } s)
            return inv;
        var lowWavelen = s.OriginalMaxPositionEmbeddings / s.LowFreqFactor;
        var highWavelen = s.OriginalMaxPositionEmbeddings / s.HighFreqFactor;
        for (var i = 0; i < half; i++)
        {
            var wavelen = 2 * Math.PI / inv[i];
            if (wavelen > lowWavelen)
            {
                inv[i] /= s.Factor;
            }
            else if (wavelen >= highWavelen)
            {
                var smooth = (s.OriginalMaxPositionEmbeddings / wavelen - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor);
                inv[i] = (1 - smooth) * inv[i] / s.Factor + smooth * inv[i];
            }
        }
        return inv;
    }

    private sealed class FieldReader(Dictionary<string, JsonTopLevelField> fields, string source)
    {
        public Dictionary<string, JsonTopLevelField> Fields => fields;

        public InputException Error(string field, string problem) =>
            new(source, fields.TryGetValue(field.Split('.')[0], out var f) ? f.Line : null, field, problem);

        public void Fail(string field, string problem) => throw Error(field, problem);

        public int PositiveInt(string name) =>
            OptionalPositiveInt(name) ?? throw Error(name, "missing; a Llama config.json must have it");

        public int? OptionalPositiveInt(string name)
        {
            if (!fields.TryGetValue(name, out var f) || f.Value.ValueKind == JsonValueKind.Null)
                return null;
            if (f.Value.ValueKind != JsonValueKind.Number || !f.Value.TryGetInt32(out var v) || v <= 0)
                throw Error(name, $"must be a positive integer, not {Describe(f.Value)}");
            return v;
        }

        public double PositiveNumber(string name)
        {
            if (!fields.TryGetValue(name, out var f) || f.Value.ValueKind == JsonValueKind.Null)
                throw Error(name, "missing; a Llama config.json must have it");
            if (f.Value.ValueKind != JsonValueKind.Number || f.Value.GetDouble() is not (> 0 and var v) || !double.IsFinite(v))
                throw Error(name, $"must be a positive number, not {Describe(f.Value)}");
            return v;
        }

        public bool? OptionalBool(string name)
        {
            if (!fields.TryGetValue(name, out var f) || f.Value.ValueKind == JsonValueKind.Null)
                return null;
            return f.Value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Error(name, $"must be true or false, not {Describe(f.Value)}"),
            };
        }

        public string? OptionalString(string name)
        {
            if (!fields.TryGetValue(name, out var f) || f.Value.ValueKind == JsonValueKind.Null)
                return null;
            return f.Value.ValueKind == JsonValueKind.String
                ? f.Value.GetString()
                : throw Error(name, $"must be a string, not {Describe(f.Value)}");
        }

        private static string Describe(JsonElement e)
        {
            var raw = e.GetRawText();
            return raw.Length > 40 ? raw[..40] + "…" : raw;
        }
    }
}
