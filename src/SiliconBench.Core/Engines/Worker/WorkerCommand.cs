using System.Text;

namespace SiliconBench.Engines.Worker;

/// <summary>
/// The program and arguments that start a worker, parsed from one command line with POSIX-shell quoting
/// (whitespace separates; '…' is literal; "…" honours \" and \\), so paths with spaces can be given.
/// </summary>
public sealed record WorkerCommand(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>Parses a command line; throws <see cref="FormatException"/> for an empty line or an unclosed quote.</summary>
    public static WorkerCommand Parse(string commandLine)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < commandLine.Length; i++)
        {
            var c = commandLine[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord)
                    words.Add(word.ToString());
                word.Clear();
                inWord = false;
                continue;
            }
            inWord = true;
            if (c == '\'')
            {
                var close = commandLine.IndexOf('\'', i + 1);
                if (close < 0)
                    throw new FormatException("unclosed ' quote in the command line");
                word.Append(commandLine, i + 1, close - i - 1);
                i = close;
            }
            else if (c == '"')
            {
                for (i++; ; i++)
                {
                    if (i >= commandLine.Length)
                        throw new FormatException("unclosed \" quote in the command line");
                    if (commandLine[i] == '"')
                        break;
                    if (commandLine[i] == '\\' && i + 1 < commandLine.Length && commandLine[i + 1] is '"' or '\\')
                        i++;
                    word.Append(commandLine[i]);
                }
            }
            else if (c == '\\' && i + 1 < commandLine.Length)
            {
                word.Append(commandLine[++i]);
            }
            else
            {
                word.Append(c);
            }
        }
        if (inWord)
            words.Add(word.ToString());
        if (words.Count == 0)
            throw new FormatException("the command line is empty");
        return new WorkerCommand(words[0], words[1..]);
    }

    /// <summary>The command line again, quoted so that <see cref="Parse"/> gives back the same words.</summary>
    public override string ToString() => string.Join(' ', new[] { FileName }.Concat(Arguments).Select(Quote));

    private static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '-' or '_' or ':' or '=' or ',' or '+' or '@')
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
