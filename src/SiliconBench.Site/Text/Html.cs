using System.Text;

namespace SiliconBench.Site.Text;

/// <summary>HTML/XML escaping for every string that came from a run record (model names, hosts, notes, ids).</summary>
internal static class Html
{
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return string.Empty;
        if (text.AsSpan().IndexOfAny("<>&\"'") < 0)
            return text;
        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            sb.Append(c switch
            {
                '<' => "&lt;",
                '>' => "&gt;",
                '&' => "&amp;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => null,
            } ?? c.ToString());
        }
        return sb.ToString();
    }
}
