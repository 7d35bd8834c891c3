using System.Security.Cryptography;
using System.Text;

namespace SiliconBench.Site.Text;

/// <summary>File names for pages made from user strings: safe on every file system and in a relative URL.</summary>
internal static class Slug
{
    public static string From(string text)
    {
        var sb = new StringBuilder(Math.Min(text.Length, 60));
        foreach (var c in text)
        {
            if (sb.Length >= 60)
                break;
            if (char.IsAsciiLetterOrDigit(c))
                sb.Append(char.ToLowerInvariant(c));
            else if ((c is '-' or '_' or '.' or ' ' or '/' or ':' or '+') && sb.Length > 0 && sb[^1] != '-')
                sb.Append('-');
        }
        var slug = sb.ToString().Trim('-');
        // Why: two different names can reduce to one slug (or to nothing); a short hash of the
        // original keeps them apart and stays the same from one render to the next.
        var lossless = slug.Length > 0 && string.Equals(slug, text, StringComparison.Ordinal);
        return lossless ? slug : (slug.Length > 0 ? slug + "-" : "") + ShortHash(text);
    }

    private static string ShortHash(string text)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return Convert.ToHexStringLower(hash.AsSpan(0, 4));
    }
}
