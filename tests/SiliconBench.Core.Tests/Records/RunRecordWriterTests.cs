using SiliconBench.Records;
using Xunit;

namespace SiliconBench.Tests.Records;

public sealed class RunRecordWriterTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sb-writer-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Telemetry_rows_use_invariant_round_trip_numbers_under_the_fixed_header()
    {
        using (var w = RunRecordWriter.Create(_dir))
        {
            w.Write(new TelemetrySample(0.1, "nvml:0", "energy_j", 81234.117));
            w.Write(new TelemetrySample(1.0 / 3, "nvml:0", "power_w", 350));
        }
        var lines = File.ReadAllLines(Path.Combine(_dir, RunFiles.Telemetry));
        Assert.Equal(["t,sensor,quantity,value", "0.1,nvml:0,energy_j,81234.117", "0.3333333333333333,nvml:0,power_w,350"], lines);
    }

    [Fact]
    public void Request_lines_follow_the_schema_field_names()
    {
        using (var w = RunRecordWriter.Create(_dir))
            w.WriteRequest(new RequestRecord
            {
                Id = "r-000017", Point = "b4-c1024-o128", InputTokens = 1024, OutputTokens = 3,
                TSubmit = 3.25, TFirst = 3.5, TEnd = 3.75, Chunks = [new(3.5, 1), new(3.75, 2)],
            });
        var line = File.ReadAllText(Path.Combine(_dir, RunFiles.Requests)).TrimEnd('\n');
        Assert.Equal("""{"id":"r-000017","point":"b4-c1024-o128","repetition":0,"warmup":false,"input_tokens":1024,"output_tokens":3,"t_submit":3.25,"t_first":3.5,"t_end":3.75,"chunks":[[3.5,1],[3.75,2]],"status":"ok","error":null}""", line);
    }
}
