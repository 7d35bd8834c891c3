using SiliconBench.Analysis;
using SiliconBench.Records;

namespace SiliconBench.Cli.Commands;

/// <summary>
/// The one way a summary is made, shared by <c>run</c> and <c>analyze</c>: read the record from disk and
/// analyze it. Because <c>run</c> also goes through the files, <c>analyze</c> reproduces its summary exactly.
/// </summary>
internal static class AnalysisPipeline
{
    public static Summary AnalyzeAndWrite(string runDirectory, AnalysisOptions? options = null)
    {
        var record = RunRecordReader.Read(runDirectory);
        var summary = Analyzer.Analyze(record, options);
        SummaryWriter.Write(summary, Path.Combine(runDirectory, RunFiles.Summary));
        return summary;
    }
}
