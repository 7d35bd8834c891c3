using System.Text;

namespace SiliconBench.Engines.Worker;

/// <summary>The last <c>limit</c> characters of a stream of lines, safe to append from one thread and read from another.</summary>
internal sealed class BoundedText(int limit)
{
    private readonly StringBuilder _text = new();
    private readonly Lock _lock = new();
    private bool _truncated;
    private long _lines;

    /// <summary>Lines appended so far, including dropped ones: it changes whenever new text arrives.</summary>
    public long LinesAppended => Interlocked.Read(ref _lines);

    public void AppendLine(string line)
    {
        lock (_lock)
        {
            _text.Append(line).Append('\n');
            Interlocked.Increment(ref _lines);
            // Why: trim in big steps, not per line, so a chatty worker costs amortized O(1) per character.
            if (_text.Length > 2 * limit)
            {
                _text.Remove(0, _text.Length - limit);
                _truncated = true;
            }
        }
    }

    /// <summary>At most <c>limit</c> characters, starting at a line boundary when older text was dropped.</summary>
    public override string ToString()
    {
        lock (_lock)
        {
            var start = Math.Max(0, _text.Length - limit);
            if (start == 0 && !_truncated)
                return _text.ToString();
            var text = _text.ToString(start, _text.Length - start);
            var newline = text.IndexOf('\n', StringComparison.Ordinal);
            return newline >= 0 && newline + 1 < text.Length ? text[(newline + 1)..] : text;
        }
    }

    /// <summary>The last <paramref name="maxLines"/> lines, for an error message.</summary>
    public string LastLines(int maxLines)
    {
        var text = ToString().TrimEnd('\n');
        var at = text.Length;
        for (var n = 0; n < maxLines && at > 0; n++)
            at = text.LastIndexOf('\n', at - 1);
        return at <= 0 ? text : text[(at + 1)..];
    }
}
