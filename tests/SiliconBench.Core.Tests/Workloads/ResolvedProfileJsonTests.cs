using System.Text.Json;
using SiliconBench.Analysis;
using SiliconBench.Workloads;
using Xunit;

namespace SiliconBench.Tests.Workloads;

public sealed class ResolvedProfileJsonTests
{
    private static ResolvedProfile Profile(string extra = "") => WorkloadLoader.Parse($"""
        name: spec
        description: resolved-spec tests
        defaults:
          slo: {"{"}ttft_ms: 500, tpot_ms: 42.5{"}"}
        profiles:
          p:
            batch_sizes: [1, 8]
            context: {"{"}kind: lognormal, nominal: [256, 1024], sigma: 0.25, max: 4096{"}"}
            output: {"{"}kind: uniform, nominal: [64], spread: 0.5{"}"}
            shared_prefix_tokens: 32
            turns: 2
            min_duration_s: 1.5
            request_count: 100
            arrival: {"{"}kind: gamma, rates_per_s: [0.5, 2], burstiness: 0.25{"}"}
        {extra}
        """, "spec.yaml", null).GetProfile("p");

    [Fact]
    public void Slo_round_trips_through_the_resolved_spec()
    {
        var p = Profile();
        Assert.Equal(new SloSet(500, 42.5, null), p.Slo);
        Assert.Equal(p.Slo, SloSet.FromWorkloadSpec(p.ToJsonElement()));
    }

    [Fact]
    public void Spec_without_slo_still_carries_all_three_bounds_as_null()
    {
        var p = WorkloadLoader.Parse("name: x\nprofiles:\n  p: {batch_sizes: [1], context: [8], output: [8]}", "x.yaml", null).GetProfile("p");
        var slo = p.ToJsonElement().GetProperty("slo");
        Assert.Equal(["ttft_ms", "tpot_ms", "e2e_ms"], slo.EnumerateObject().Select(o => o.Name));
        Assert.All(slo.EnumerateObject(), o => Assert.Equal(JsonValueKind.Null, o.Value.ValueKind));
        Assert.Equal(SloSet.None, SloSet.FromWorkloadSpec(p.ToJsonElement()));
    }

    [Fact]
    public void Spec_is_snake_case_in_a_fixed_key_order()
    {
        var spec = Profile().ToJsonElement();
        Assert.Equal(
            ["workload", "profile", "description", "seed", "batch_sizes", "context", "output", "mix", "shared_prefix_tokens", "turns",
             "warmup_repetitions", "repetitions", "min_duration_s", "max_repetitions", "request_count", "arrival", "slo"],
            spec.EnumerateObject().Select(o => o.Name));
        Assert.Equal(
            """{"kind":"lognormal","nominal":[256,1024],"sigma":0.25,"min":null,"max":4096}""",
            spec.GetProperty("context").GetRawText());
        Assert.Equal("""{"kind":"uniform","nominal":[64],"spread":0.5,"min":null,"max":null}""", spec.GetProperty("output").GetRawText());
        Assert.Equal("""{"kind":"gamma","rates_per_s":[0.5,2],"burstiness":0.25}""", spec.GetProperty("arrival").GetRawText());
        Assert.Equal(1.5, spec.GetProperty("min_duration_s").GetDouble());
        Assert.Equal(JsonValueKind.Null, spec.GetProperty("mix").ValueKind);
        Assert.Equal(Profile().ToJsonElement().GetRawText(), spec.GetRawText());
    }

    [Fact]
    public void Overrides_made_with_with_show_in_the_spec()
    {
        var p = Profile() with { Seed = 7, Slo = new SloSet(null, null, 9000) };
        var spec = p.ToJsonElement();
        Assert.Equal(7, spec.GetProperty("seed").GetInt32());
        Assert.Equal(new SloSet(null, null, 9000), SloSet.FromWorkloadSpec(spec));
    }

    [Fact]
    public void Mix_and_trace_are_recorded()
    {
        var mix = WorkloadLoader.Parse("""
            name: x
            profiles:
              p:
                batch_sizes: [1]
                mix: [{context: 512, output: 64}]
            """, "x.yaml", null).GetProfile("p").ToJsonElement();
        Assert.Equal("""[{"context":512,"output":64}]""", mix.GetProperty("mix").GetRawText());
        Assert.Equal("""{"kind":"fixed","nominal":null}""", mix.GetProperty("context").GetRawText());

        var traced = WorkloadLoader.Load(Path.Combine(AppContext.BaseDirectory, "Data", "Workloads", "traced.yaml")).GetProfile("smoke").ToJsonElement();
        var context = traced.GetProperty("context");
        Assert.Equal("trace", context.GetProperty("kind").GetString());
        Assert.Equal("prompt-lengths.csv", context.GetProperty("file").GetString());
        Assert.Equal(5, context.GetProperty("samples").GetInt32());
        Assert.Equal(64, context.GetProperty("sha256").GetString()!.Length);
    }
}
