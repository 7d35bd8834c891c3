using SiliconBench.Diagnostics;
using SiliconBench.Workloads;
using Xunit;

namespace SiliconBench.Tests.Workloads;

public sealed class WorkloadLoaderTests
{
    private const string File = "test.yaml";

    private static Workload Parse(string yaml) => WorkloadLoader.Parse(yaml, File, null);

    private static InputException Fails(string yaml) => Assert.Throws<InputException>(() => Parse(yaml));

    /// <summary>Asserts the error names the file, the line and the field, and says what was wrong.</summary>
    private static void AssertError(InputException e, int line, string? field, string problemFragment)
    {
        Assert.Equal(File, e.File);
        Assert.Equal(line, e.Line);
        Assert.Equal(field, e.Field);
        Assert.Contains(problemFragment, e.Problem);
        Assert.StartsWith(field is null ? $"{File}:{line}: " : $"{File}:{line}: {field}: ", e.Message);
    }

    private const string Minimal = """
        name: mini
        description: a small workload
        profiles:
          smoke:
            batch_sizes: [1, 4]
            context: [32, 64]
            output: [8]
        """;

    [Fact]
    public void Reads_a_minimal_workload_with_the_documented_defaults()
    {
        var w = Parse(Minimal);
        Assert.Equal("mini", w.Name);
        Assert.Equal("a small workload", w.Description);
        Assert.Equal(["smoke"], w.ProfileNames);
        var p = w.GetProfile("smoke");
        Assert.Equal(("mini", "smoke"), (p.Workload, p.Name));
        Assert.Equal([1, 4], p.BatchSizes);
        Assert.Equal(LengthDistributionKind.Fixed, p.Context.Kind);
        Assert.Equal([32, 64], p.Context.Nominal);
        Assert.Equal([8], p.Output.Nominal);
        Assert.Null(p.Mix);
        Assert.Equal((1, 3, 0.0, 1000), (p.WarmupRepetitions, p.Repetitions, p.MinDurationSeconds, p.MaxRepetitions));
        Assert.Equal((0, 1, 42), (p.SharedPrefixTokens, p.Turns, p.Seed));
        Assert.True(p.Slo.IsEmpty);
        Assert.Null(p.Arrival);
        Assert.Null(p.RequestCount);
    }

    [Fact]
    public void Profiles_inherit_defaults_and_merge_blocks_field_by_field()
    {
        var w = Parse("""
            name: inherit
            defaults:
              seed: 9
              repetitions: 4
              batch_sizes: [2]
              context: {kind: lognormal, sigma: 0.5, max: 4096}
              output: [16]
              slo: {ttft_ms: 500, tpot_ms: 50}
              arrival: {kind: gamma, burstiness: 0.5}
            profiles:
              a:
                context: {nominal: [1024]}
                slo: {tpot_ms: 20, e2e_ms: 9000}
                arrival: {rates_per_s: [1, 2.5]}
              b:
                repetitions: 5
                context: {kind: uniform, nominal: [100], spread: 0.2}
                slo: {ttft_ms: null}
                arrival: {kind: closed_loop, concurrency: [8]}
            """);
        Assert.Equal(["a", "b"], w.ProfileNames);
        var a = w.GetProfile("a");
        Assert.Equal((9, 4), (a.Seed, a.Repetitions));
        Assert.Equal([2], a.BatchSizes);
        Assert.Equal(LengthDistributionKind.Lognormal, a.Context.Kind);
        Assert.Equal((0.5, 4096), (a.Context.Sigma, a.Context.Max));
        Assert.Equal([1024], a.Context.Nominal);
        Assert.Equal(new global::SiliconBench.Analysis.SloSet(500, 20, 9000), a.Slo);
        Assert.Equal(ArrivalKind.Gamma, a.Arrival!.Kind);
        Assert.Equal([1, 2.5], a.Arrival.RatesPerSecond);
        Assert.Equal(0.5, a.Arrival.Burstiness);

        // A different kind replaces the inherited block instead of merging into it (no stray sigma or max).
        var b = w.GetProfile("b");
        Assert.Equal(5, b.Repetitions);
        Assert.Equal(LengthDistributionKind.Uniform, b.Context.Kind);
        Assert.Equal((0.2, (double?)null, (int?)null), (b.Context.Spread, b.Context.Sigma, b.Context.Max));
        Assert.Equal(new global::SiliconBench.Analysis.SloSet(null, 50, null), b.Slo);
        Assert.Equal(ArrivalKind.ClosedLoop, b.Arrival!.Kind);
        Assert.Equal([8], b.Arrival.Concurrency);
    }

    [Fact]
    public void Null_slo_or_arrival_removes_the_inherited_block()
    {
        var p = Parse("""
            name: x
            defaults:
              slo: {ttft_ms: 500}
              arrival: {kind: poisson, rates_per_s: [1]}
            profiles:
              smoke:
                batch_sizes: [1]
                context: [8]
                output: [8]
                slo: null
                arrival:
            """).GetProfile("smoke");
        Assert.True(p.Slo.IsEmpty);
        Assert.Null(p.Arrival);
    }

    [Fact]
    public void Reads_a_mix_of_prefill_and_decode_lengths()
    {
        var p = Parse("""
            name: mixed
            profiles:
              p:
                batch_sizes: [1]
                output: {kind: uniform, spread: 0.5}
                mix:
                  - {context: 2048, output: 128}
                  - {context: 128, output: 2048}
            """).GetProfile("p");
        Assert.Equal([new MixPair(2048, 128), new MixPair(128, 2048)], p.Mix!);
        Assert.Equal(p.Mix, p.LengthPairs);
        Assert.Equal(LengthDistributionKind.Fixed, p.Context.Kind);
        Assert.Equal(LengthDistributionKind.Uniform, p.Output.Kind);
    }

    [Fact]
    public void Unknown_profile_lists_the_available_ones()
    {
        var e = Assert.Throws<InputException>(() => Parse(Minimal).GetProfile("ful"));
        Assert.Equal("--profile", e.Field);
        Assert.Equal(File, e.File);
        Assert.Contains("available: smoke", e.Problem);
    }

    [Fact]
    public void Unknown_field_is_rejected_naming_the_allowed_ones()
    {
        var e = Fails("""
            name: x
            profiles:
              smoke:
                batch_sizes: [1]
                context: [8]
                output: [8]
                warmup: 2
            """);
        AssertError(e, 7, "profiles.smoke.warmup", "unknown field 'warmup'; allowed: description, seed, batch_sizes");
        Assert.Contains("warmup_repetitions", e.Problem);
    }

    [Fact]
    public void Unknown_top_level_field_is_rejected()
    {
        var e = Fails("""
            name: x
            profile:
              smoke: {}
            """);
        AssertError(e, 2, "profile", "allowed: name, description, defaults, profiles");
    }

    [Fact]
    public void Field_of_another_distribution_kind_does_not_apply()
    {
        var e = Fails("""
            name: x
            profiles:
              smoke:
                batch_sizes: [1]
                context:
                  kind: uniform
                  nominal: [64]
                  sigma: 0.3
                output: [8]
            """);
        AssertError(e, 8, "profiles.smoke.context.sigma", "'sigma' does not apply to a uniform distribution; allowed: kind, nominal, spread, min, max");
    }

    [Theory]
    [InlineData("repetitions: three", "profiles.smoke.repetitions", "expected a positive integer, got 'three'")]
    [InlineData("repetitions: 2.5", "profiles.smoke.repetitions", "expected a positive integer, got '2.5'")]
    [InlineData("repetitions: \"3\"", "profiles.smoke.repetitions", "expected a positive integer, got the quoted text '3'")]
    [InlineData("repetitions: [3]", "profiles.smoke.repetitions", "expected a positive integer, got a list")]
    [InlineData("repetitions:", "profiles.smoke.repetitions", "expected a positive integer, got nothing (null)")]
    [InlineData("repetitions: 99999999999", "profiles.smoke.repetitions", "expected a positive integer")]
    [InlineData("warmup_repetitions: -1", "profiles.smoke.warmup_repetitions", "expected a non-negative integer, got '-1'")]
    [InlineData("min_duration_s: -0.5", "profiles.smoke.min_duration_s", "expected a number ≥ 0, got '-0.5'")]
    [InlineData("min_duration_s: .inf", "profiles.smoke.min_duration_s", "expected a number ≥ 0")]
    [InlineData("seed: abc", "profiles.smoke.seed", "expected a non-negative integer, got 'abc'")]
    [InlineData("seed: !!int 5", "profiles.smoke.seed", "YAML tags (tag:yaml.org,2002:int) are not used")]
    [InlineData("request_count: 0", "profiles.smoke.request_count", "expected a positive integer, got '0'")]
    [InlineData("turns: 0", "profiles.smoke.turns", "expected a positive integer no larger than 65536, got '0'")]
    [InlineData("slo: {ttft_ms: 0}", "profiles.smoke.slo.ttft_ms", "expected a positive number, got '0'")]
    [InlineData("slo: {ttft: 100}", "profiles.smoke.slo.ttft", "unknown field 'ttft'; allowed: ttft_ms, tpot_ms, e2e_ms")]
    [InlineData("slo: 100", "profiles.smoke.slo", "expected a mapping with ttft_ms, tpot_ms, e2e_ms, got '100'")]
    [InlineData("description: [a]", "profiles.smoke.description", "expected a description (text), got a list")]
    public void Wrong_type_names_what_was_expected(string line, string field, string problem)
    {
        var e = Fails($"""
            name: x
            profiles:
              smoke:
                batch_sizes: [1]
                context: [8]
                output: [8]
                {line}
            """);
        AssertError(e, 7, field, problem);
    }

    [Theory]
    [InlineData("[1, 0]", 1, "got '0'")]
    [InlineData("[-2]", 0, "got '-2'")]
    [InlineData("[1, 70000]", 1, "no larger than 65536")]
    [InlineData("[1, x]", 1, "got 'x'")]
    public void Zero_or_negative_batch_size_names_the_list_item(string list, int index, string fragment)
    {
        var e = Fails($"""
            name: x
            profiles:
              smoke:
                context: [8]
                output: [8]
                batch_sizes: {list}
            """);
        AssertError(e, 6, $"profiles.smoke.batch_sizes[{index}]", "expected a positive integer");
        Assert.Contains(fragment, e.Problem);
    }

    [Fact]
    public void Batch_size_item_on_its_own_line_is_reported_at_that_line()
    {
        var e = Fails("""
            name: x
            profiles:
              smoke:
                context: [8]
                output: [8]
                batch_sizes:
                  - 1
                  - 4
                  - 0
            """);
        AssertError(e, 9, "profiles.smoke.batch_sizes[2]", "expected a positive integer no larger than 65536, got '0'");
    }

    [Fact]
    public void Empty_or_duplicate_lists_are_rejected()
    {
        AssertError(Fails("""
            name: x
            profiles:
              smoke: {batch_sizes: [], context: [8], output: [8]}
            """), 3, "profiles.smoke.batch_sizes", "got an empty list");
        AssertError(Fails("""
            name: x
            profiles:
              smoke: {batch_sizes: [4, 4], context: [8], output: [8]}
            """), 3, "profiles.smoke.batch_sizes[1]", "4 appears twice (also at profiles.smoke.batch_sizes[0])");
    }

    [Fact]
    public void Min_greater_than_max_is_rejected()
    {
        var e = Fails("""
            name: x
            profiles:
              smoke:
                batch_sizes: [1]
                output: [8]
                context:
                  kind: lognormal
                  nominal: [300]
                  sigma: 0.5
                  min: 512
                  max: 256
            """);
        AssertError(e, 10, "profiles.smoke.context.min", "min (512) is greater than max (256)");
    }

    [Fact]
    public void Nominal_outside_min_max_is_rejected()
    {
        var e = Fails("""
            name: x
            profiles:
              smoke:
                batch_sizes: [1]
                output: [8]
                context: {kind: uniform, spread: 0.1, nominal: [64, 1024], max: 512}
            """);
        AssertError(e, 6, "profiles.smoke.context.nominal[1]", "1024 is outside min..max (1..512)");
    }

    [Fact]
    public void Repetitions_above_max_repetitions_is_rejected()
    {
        var e = Fails("""
            name: x
            profiles:
              smoke:
                batch_sizes: [1]
                context: [8]
                output: [8]
                repetitions: 5
                max_repetitions: 3
            """);
        AssertError(e, 8, "profiles.smoke.max_repetitions", "repetitions (5) is greater than max_repetitions (3)");
    }

    [Fact]
    public void Unknown_distribution_kind_lists_the_known_ones()
    {
        var e = Fails("""
            name: x
            profiles:
              smoke:
                batch_sizes: [1]
                output: [8]
                context: {kind: normal, nominal: [64]}
            """);
        AssertError(e, 6, "profiles.smoke.context.kind", "unknown distribution kind 'normal'; expected one of fixed, uniform, lognormal, trace");
    }

    [Fact]
    public void Unknown_arrival_kind_and_missing_rate_are_rejected()
    {
        const string head = """
            name: x
            profiles:
              smoke:
                batch_sizes: [1]
                context: [8]
                output: [8]

            """;
        AssertError(Fails(head + "    arrival: {kind: burst, rates_per_s: [1]}"), 7, "profiles.smoke.arrival.kind", "unknown arrival kind 'burst'; expected one of closed_loop, poisson, gamma");
        AssertError(Fails(head + "    arrival: {kind: poisson}"), 7, "profiles.smoke.arrival.rates_per_s", "missing required field 'rates_per_s'");
        AssertError(Fails(head + "    arrival: {kind: poisson, rates_per_s: [1], burstiness: 2}"), 7, "profiles.smoke.arrival.burstiness", "'burstiness' does not apply to poisson arrivals");
        AssertError(Fails(head + "    arrival: {kind: closed_loop, concurrency: [0]}"), 7, "profiles.smoke.arrival.concurrency[0]", "expected a positive integer");
    }

    [Theory]
    [InlineData("description: d", 1, "name", "missing required field 'name'")]
    [InlineData("name: x", 1, "profiles", "missing required field 'profiles'")]
    [InlineData("name: x\nprofiles: {}", 2, "profiles", "expected at least one profile")]
    [InlineData("name: x\nprofiles:\n  smoke:\n    context: [8]\n    output: [8]", 3, "profiles.smoke.batch_sizes", "missing required field 'batch_sizes'")]
    [InlineData("name: x\nprofiles:\n  smoke:\n    batch_sizes: [1]\n    output: [8]", 3, "profiles.smoke.context", "missing required field 'context'")]
    [InlineData("name: x\nprofiles:\n  smoke:\n    batch_sizes: [1]\n    output: [8]\n    context:\n      kind: lognormal\n      nominal: [64]", 6, "profiles.smoke.context.sigma", "missing required field 'sigma'")]
    [InlineData("name: x\nprofiles:\n  smoke:\n    batch_sizes: [1]\n    output: [8]\n    context: {kind: uniform, spread: 0.1}", 6, "profiles.smoke.context.nominal", "missing required field 'nominal'")]
    [InlineData("name: x\nprofiles:\n  smoke:\n    batch_sizes: [1]\n    mix: [{context: 8}]", 5, "profiles.smoke.mix[0].output", "missing required field 'output'")]
    public void Missing_required_fields_are_named(string body, int line, string field, string problem)
    {
        AssertError(Fails(body), line, field, problem);
    }

    [Fact]
    public void Required_field_may_come_from_defaults()
    {
        var p = Parse("""
            name: x
            defaults:
              batch_sizes: [8]
            profiles:
              smoke:
                context: [8]
                output: [8]
            """).GetProfile("smoke");
        Assert.Equal([8], p.BatchSizes);
    }

    [Fact]
    public void Bad_value_in_defaults_is_reported_in_defaults_even_when_overridden()
    {
        var e = Fails("""
            name: x
            defaults:
              repetitions: 0
            profiles:
              smoke:
                batch_sizes: [1]
                context: [8]
                output: [8]
                repetitions: 3
            """);
        AssertError(e, 3, "defaults.repetitions", "expected a positive integer, got '0'");
    }

    [Fact]
    public void Inherited_field_is_reported_where_it_is_written()
    {
        var e = Fails("""
            name: x
            defaults:
              context:
                kind: lognormal
                sigma: 0.3
                max: 100
            profiles:
              smoke:
                batch_sizes: [1]
                output: [8]
                context: {min: 200, nominal: [150]}
            """);
        AssertError(e, 11, "profiles.smoke.context.min", "min (200) is greater than max (100)");
    }

    [Fact]
    public void Shared_prefix_must_leave_room_in_every_prompt()
    {
        var e = Fails("""
            name: x
            profiles:
              smoke:
                batch_sizes: [1]
                context: [64, 32]
                output: [8]
                shared_prefix_tokens: 32
            """);
        AssertError(e, 7, "profiles.smoke.shared_prefix_tokens", "shortest prompt (32 tokens)");
    }

    [Fact]
    public void Mix_excludes_nominal_lists()
    {
        var e = Fails("""
            name: x
            profiles:
              smoke:
                batch_sizes: [1]
                mix: [{context: 64, output: 8}]
                context: {kind: uniform, spread: 0.1, nominal: [64]}
            """);
        AssertError(e, 6, "profiles.smoke.context.nominal", "the mix gives the lengths");
    }

    [Fact]
    public void Mix_lengths_must_respect_the_axis_clamps()
    {
        var e = Fails("""
            name: x
            profiles:
              smoke:
                batch_sizes: [1]
                output: {kind: lognormal, sigma: 0.5, max: 100}
                mix:
                  - {context: 64, output: 8}
                  - {context: 64, output: 128}
            """);
        AssertError(e, 8, "profiles.smoke.mix[1].output", "128 is outside output min..max (1..100)");
    }

    [Theory]
    [InlineData("name: x\nprofiles:\n  smoke:\n    batch_sizes: [1, 2\n    context: [8]\n", 5)]
    [InlineData("name: x\nprofiles:\n  smoke: {batch_sizes: [1]\n", 4)]
    [InlineData("name: x\nprofiles:\n  smoke:\n    batch_sizes: [1]\n     context: [8]\n", 5)]
    [InlineData("name: \"x\nprofiles: {}\n", 1)]
    [InlineData("name: x\nname: y\nprofiles: {}\n", 2)]
    [InlineData("name: *nowhere\n", 1)]
    public void Malformed_yaml_is_an_input_error_with_its_line(string yaml, int line)
    {
        var e = Fails(yaml);
        Assert.Equal(File, e.File);
        Assert.Equal(line, e.Line);
        Assert.Contains("malformed YAML", e.Problem);
    }

    [Fact]
    public void Unclosed_flow_list_is_an_input_error_not_a_crash()
    {
        // YamlDotNet throws InvalidOperationException (not YamlException) on this input.
        var e = Fails("name: x\nprofiles:\n  smoke:\n    batch_sizes: [1, 2\n    context: 3\n");
        Assert.Equal(File, e.File);
        Assert.NotNull(e.Line);
        Assert.Contains("malformed YAML", e.Problem);
    }

    [Fact]
    public void Empty_file_and_several_documents_are_rejected()
    {
        AssertError(Fails(""), 1, null, "holds no YAML document");
        AssertError(Fails("# nothing here\n"), 1, null, "holds no YAML document");
        AssertError(Fails("name: x\n---\nname: y\n"), 3, null, "expected one YAML document, found 2");
    }

    [Fact]
    public void Root_must_be_a_mapping()
    {
        AssertError(Fails("- a\n- b\n"), 1, null, "expected a workload: a mapping");
    }

    [Fact]
    public void Trace_distribution_reads_lengths_relative_to_the_workload_file()
    {
        var w = WorkloadLoader.Load(DataFile("traced.yaml"));
        var p = w.GetProfile("smoke");
        Assert.Equal(LengthDistributionKind.Trace, p.Context.Kind);
        Assert.Equal("prompt-lengths.csv", p.Context.Trace!.File);
        Assert.Equal("input_tokens", p.Context.Trace.Column);
        Assert.Equal([40, 75, 120, 60, 200], p.Context.Trace.Values);
        Assert.Equal([75], p.Context.Nominal); // lower median of 40 60 75 120 200
        Assert.Equal((40, 150), (p.Context.LowerBound(75), p.Context.UpperBound(75))); // 200 clamped at max
        Assert.Equal([8, 16, 24], p.Output.Trace!.Values);
        Assert.Equal([16], p.Output.Nominal);
        Assert.Equal(64, p.Context.Trace.Sha256.Length);
    }

    [Fact]
    public void Bad_trace_line_names_the_trace_file_and_line()
    {
        var e = Assert.Throws<InputException>(() => WorkloadLoader.Load(DataFile("bad-trace.yaml")));
        Assert.EndsWith("bad-trace.csv", e.File);
        Assert.Equal(3, e.Line);
        Assert.Equal("input_tokens", e.Field);
        Assert.Contains("got 'many'", e.Problem);
    }

    [Fact]
    public void Missing_trace_file_and_relative_trace_without_a_folder_are_rejected()
    {
        var yaml = """
            name: x
            profiles:
              smoke:
                batch_sizes: [1]
                output: [8]
                context: {kind: trace, file: nowhere.csv}
            """;
        AssertError(Fails(yaml), 6, "profiles.smoke.context.file", "was not read from a file");
        var e = Assert.Throws<InputException>(() => WorkloadLoader.Parse(yaml, File, Path.GetTempPath()));
        AssertError(e, 6, "profiles.smoke.context.file", "no such trace file");
    }

    [Fact]
    public void Load_names_the_path_in_errors()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-" + Guid.NewGuid().ToString("N") + ".yaml");
        var e = Assert.Throws<InputException>(() => WorkloadLoader.Load(missing));
        Assert.Equal(missing, e.File);
        Assert.Contains("cannot read", e.Problem);
    }

    private static string DataFile(string name) => Path.Combine(AppContext.BaseDirectory, "Data", "Workloads", name);
}
