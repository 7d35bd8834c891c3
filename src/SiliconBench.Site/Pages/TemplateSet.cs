using System.Reflection;
using Scriban;
using Scriban.Runtime;

namespace SiliconBench.Site.Pages;

/// <summary>The embedded Scriban templates, parsed once per process and shared by every render (and thread).</summary>
internal sealed class TemplateSet
{
    private static readonly Lazy<TemplateSet> Shared = new(() => new TemplateSet());
    private readonly Dictionary<string, Template> _templates = new(StringComparer.Ordinal);

    /// <summary>
    /// Scriban's built-in functions (html.escape …), built once per thread instead of once per page:
    /// building them is a large share of a small page's render time.
    /// </summary>
    [ThreadStatic]
    private static ScriptObject? _builtins;

    private TemplateSet()
    {
        // Shared functions (badges, run tables, pager) are prepended to every page template.
        var partials = EmbeddedText.Read("Templates._partials.sbn");
        foreach (var name in new[] { "layout", "index", "workload", "silicon", "run", "downloads", "methodology" })
        {
            var text = (name == "layout" ? "" : partials) + EmbeddedText.Read("Templates." + name + ".sbn");
            var template = Template.Parse(text, name + ".sbn");
            if (template.HasErrors)
                throw new InvalidOperationException($"template {name}.sbn: " + string.Join("; ", template.Messages));
            _templates[name] = template;
        }
    }

    public static TemplateSet Instance => Shared.Value;

    /// <summary>Renders <paramref name="name"/> with the public properties of <paramref name="model"/> as snake_case globals.</summary>
    public string Render(string name, object model)
    {
        var globals = new ScriptObject();
        globals.Import(model, renamer: StandardMemberRenamer.Default);
        var context = new TemplateContext(_builtins ??= TemplateContext.GetDefaultBuiltinObject())
        {
            MemberRenamer = StandardMemberRenamer.Default,
            // Why: a leaderboard or table can exceed Scriban's default 1,000-iteration guard.
            LoopLimit = 0,
            StrictVariables = true,
            EnableRelaxedMemberAccess = false,
        };
        context.PushGlobal(globals);
        return _templates[name].Render(context);
    }
}

internal static class EmbeddedText
{
    public static string Read(string relativeName)
    {
        var assembly = typeof(EmbeddedText).Assembly;
        using var stream = assembly.GetManifestResourceStream("SiliconBench.Site." + relativeName)
            ?? throw new InvalidOperationException("missing embedded resource " + relativeName);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
