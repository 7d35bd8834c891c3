using SiliconBench.Analysis;
using SiliconBench.Costs;
using SiliconBench.Records;

namespace SiliconBench.Cli.Commands;

/// <summary>
/// The one way a summary is made, shared by <c>run</c> and <c>analyze</c>: read the record from disk and
/// analyze it. Because <c>run</c> also goes through the files, <c>analyze</c> reproduces its summary exactly.
/// A cost sheet given once is kept in the run directory, so later plain <c>analyze</c> calls price it the same.
/// </summary>
internal static class AnalysisPipeline
{
    public static Summary AnalyzeAndWrite(string runDirectory, AnalysisOptions? options = null, string? costSheetPath = null)
    {
        var record = RunRecordReader.Read(runDirectory);
        var kept = Path.Combine(runDirectory, RunFiles.CostSheet);
        options ??= new AnalysisOptions();
        if (costSheetPath is not null)
        {
            var sheet = CostSheetLoader.Load(costSheetPath);
            if (!string.Equals(Path.GetFullPath(costSheetPath), Path.GetFullPath(kept), StringComparison.Ordinal))
                File.Copy(costSheetPath, kept, overwrite: true);
            options = options with { Cost = sheet };
        }
        else if (options.Cost is null && File.Exists(kept))
        {
            options = options with { Cost = CostSheetLoader.Load(kept) };
        }
        var summary = Analyzer.Analyze(record, options);
        SummaryWriter.Write(summary, Path.Combine(runDirectory, RunFiles.Summary));
        return summary;
    }
}
