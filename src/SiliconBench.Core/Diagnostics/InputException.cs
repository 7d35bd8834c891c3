namespace SiliconBench.Diagnostics;

/// <summary>
/// A user mistake in an input (workload, model, cost sheet, policy, CLI option, output path).
/// The CLI turns it into exit code 2 and one line naming file, line and field; never a stack trace.
/// </summary>
public sealed class InputException : Exception
{
    public InputException(string file, int? line, string? field, string problem, Exception? inner = null)
        : base(Format(file, line, field, problem), inner)
    {
        File = file;
        Line = line;
        Field = field;
        Problem = problem;
    }

    public string File { get; }
    public int? Line { get; }
    public string? Field { get; }
    public string Problem { get; }

    /// <summary>Renders <c>file:line: field: problem</c>, the shape compilers use so editors can jump to it.</summary>
    public static string Format(string file, int? line, string? field, string problem)
    {
        var where = line is { } l ? $"{file}:{l}" : file;
        return field is null ? $"{where}: {problem}" : $"{where}: {field}: {problem}";
    }
}
