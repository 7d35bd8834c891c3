using SiliconBench.Diagnostics;
using SiliconBench.Records;
using Xunit;

namespace SiliconBench.Tests.Records;

public sealed class RunRecordReaderTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sb-reader-" + Guid.NewGuid().ToString("N"));

    private const string Request1 = """{"id":"r-000001","point":"b1","warmup":false,"input_tokens":4,"output_tokens":2,"t_submit":0.5,"t_first":0.75,"t_end":1.0,"chunks":[[0.75,1],[1.0,1]],"status":"ok","error":null}""";
    private const string Request2 = """{"id":"r-000002","point":"b1","warmup":false,"input_tokens":4,"output_tokens":1,"t_submit":1.0,"t_first":1.25,"t_end":1.25,"chunks":[[1.25,1]],"status":"ok","error":null}""";

    public RunRecordReaderTests()
    {
        // A real record, written by the writer, is the reader's reference input.
        using var writer = RunRecordWriter.Create(_dir);
        writer.WriteManifest(new RunManifest
        {
            RunId = "reader-test",
            StartedUtc = new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero),
            Complete = true,
            Tool = new ToolInfo("siliconbench", "0.1.0", null),
            Host = new HostInfo { Hostname = "h", Os = "Linux", Cpu = "cpu", Runtime = ".NET" },
            Backend = new BackendInfo { Id = "onnxruntime", Version = "1", Device = "cpu" },
            Model = new ModelInfo { Spec = "synthetic:tiny", Name = "tiny", Dtype = "fp32", CheckpointDtype = "fp32", Weights = "synthetic (seed 1)" },
            Workload = new WorkloadInfo { Name = "chat", Profile = "smoke", Spec = System.Text.Json.JsonDocument.Parse("{}").RootElement },
            Sensors = [new SensorInfo("rapl:0", "cpu", "rapl")],
        });
        writer.WriteStep(new StepRecord { Point = "b1", Phase = Phase.Prefill, Batch = 1, Context = 4, Tokens = 4, TStart = 0.5, TEnd = 0.75 });
        writer.AddWindow(new WindowRecord { Name = "measured", Kind = WindowKind.Measured, TStart = 0.5, TEnd = 1.25 });
        writer.WriteWindows();
        writer.Write(new TelemetrySample(0.5, "rapl:0", "energy_j", 10.5));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    private string PathOf(string file) => Path.Combine(_dir, file);

    [Fact]
    public void Reads_every_file_of_a_record_the_writer_wrote()
    {
        File.WriteAllText(PathOf(RunFiles.Requests), Request1 + "\n" + Request2 + "\n");

        var record = RunRecordReader.Read(_dir);

        Assert.Equal("reader-test", record.Manifest.RunId);
        Assert.Equal(["r-000001", "r-000002"], record.Requests.Select(r => r.Id));
        Assert.Equal([new Chunk(0.75, 1), new Chunk(1.0, 1)], record.Requests[0].Chunks);
        Assert.Equal(Phase.Prefill, Assert.Single(record.Steps).Phase);
        Assert.Equal(1.25, Assert.Single(record.Windows).TEnd);
        Assert.Equal(new TelemetrySample(0.5, "rapl:0", "energy_j", 10.5), Assert.Single(record.Telemetry));
        Assert.Empty(record.Warnings);
    }

    [Fact]
    public void Missing_optional_files_read_as_empty()
    {
        File.Delete(PathOf(RunFiles.Steps));
        File.Delete(PathOf(RunFiles.Windows));
        File.Delete(PathOf(RunFiles.Telemetry));

        var record = RunRecordReader.Read(_dir);

        Assert.Empty(record.Steps);
        Assert.Empty(record.Windows);
        Assert.Empty(record.Telemetry);
    }

    [Fact]
    public void Missing_manifest_names_the_file()
    {
        File.Delete(PathOf(RunFiles.Manifest));

        var e = Assert.Throws<InputException>(() => RunRecordReader.Read(_dir));

        Assert.Equal(PathOf(RunFiles.Manifest), e.File);
    }

    [Fact]
    public void Malformed_manifest_names_line_and_field()
    {
        File.WriteAllText(PathOf(RunFiles.Manifest), "{\n  \"run_id\": \"x\",\n  \"seed\": \"forty-two\"\n}\n");

        var e = Assert.Throws<InputException>(() => RunRecordReader.Read(_dir));

        Assert.Equal(3, e.Line);
        Assert.Equal("seed", e.Field);
    }

    [Fact]
    public void A_malformed_line_in_the_middle_names_file_line_and_field()
    {
        File.WriteAllText(PathOf(RunFiles.Requests), Request1 + "\n" + Request1.Replace("\"output_tokens\":2", "\"output_tokens\":\"two\"", StringComparison.Ordinal) + "\n" + Request2 + "\n");

        var e = Assert.Throws<InputException>(() => RunRecordReader.Read(_dir));

        Assert.Equal(PathOf(RunFiles.Requests), e.File);
        Assert.Equal(2, e.Line);
        Assert.Equal("output_tokens", e.Field);
        Assert.EndsWith("requests.jsonl:2: output_tokens: expected a number", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_required_value_names_its_field()
    {
        File.WriteAllText(PathOf(RunFiles.Steps), """{"point":"b1","phase":"verify","batch":1}""" + "\n");

        var e = Assert.Throws<InputException>(() => RunRecordReader.Read(_dir));

        Assert.Equal(1, e.Line);
        Assert.Equal("phase", e.Field);
    }

    [Fact]
    public void A_missing_required_field_is_named()
    {
        File.WriteAllText(PathOf(RunFiles.Requests), """{"id":"r-1","t_submit":1.0}""" + "\n");

        var e = Assert.Throws<InputException>(() => RunRecordReader.Read(_dir));

        Assert.Equal((1, "point", "required field is missing"), (e.Line, e.Field, e.Problem));
    }

    [Fact]
    public void A_cut_off_last_line_is_dropped_with_a_warning()
    {
        File.WriteAllText(PathOf(RunFiles.Requests), Request1 + "\n" + Request2[..40]);
        File.AppendAllText(PathOf(RunFiles.Telemetry), "0.6,rapl:0,ene");

        var record = RunRecordReader.Read(_dir);

        Assert.Equal("r-000001", Assert.Single(record.Requests).Id);
        Assert.Single(record.Telemetry);
        Assert.Equal(["requests.jsonl:2: last line is cut off (run killed mid-write?); ignored", "telemetry.csv:3: last line is cut off (run killed mid-write?); ignored"], record.Warnings);
    }

    [Fact]
    public void A_malformed_last_line_that_was_finished_is_an_error()
    {
        File.WriteAllText(PathOf(RunFiles.Requests), Request1 + "\n" + Request2[..40] + "\n");

        var e = Assert.Throws<InputException>(() => RunRecordReader.Read(_dir));

        Assert.Equal(2, e.Line);
    }

    [Fact]
    public void A_bad_telemetry_value_names_line_and_column()
    {
        File.AppendAllText(PathOf(RunFiles.Telemetry), "0.6,rapl:0,energy_j,lots\n0.7,rapl:0,energy_j,12\n");

        var e = Assert.Throws<InputException>(() => RunRecordReader.Read(_dir));

        Assert.Equal(3, e.Line);
        Assert.Equal("value", e.Field);
    }

    [Fact]
    public void A_wrong_telemetry_header_is_an_error()
    {
        File.WriteAllText(PathOf(RunFiles.Telemetry), "time,sensor,value\n");

        var e = Assert.Throws<InputException>(() => RunRecordReader.Read(_dir));

        Assert.Equal(1, e.Line);
    }
}
