using System.Text.RegularExpressions;

namespace SiliconBench.Campaigns.Scheduling.Kubernetes;

/// <summary>
/// The name and value syntaxes the Kubernetes API server enforces (apimachinery's validation: RFC 1123 labels and
/// subdomains, qualified names for label keys and resource names, resource quantities), as problems in words or null.
/// </summary>
public static partial class KubernetesNames
{
    public static readonly IReadOnlyList<string> TolerationOperators = ["Equal", "Exists"];
    public static readonly IReadOnlyList<string> TaintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

    /// <summary>An RFC 1123 label: at most 63 lower-case alphanumerics or '-', starting and ending alphanumeric (namespaces, container names).</summary>
    public static string? DnsLabelProblem(string value) =>
        value.Length is > 0 and <= 63 && DnsLabel().IsMatch(value) ? null
            : $"'{value}' is not an RFC 1123 label (at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit)";

    /// <summary>An RFC 1123 subdomain: dot-separated labels, at most 253 characters (object names, label key prefixes).</summary>
    public static string? DnsSubdomainProblem(string value) =>
        value.Length is > 0 and <= 253 && value.Split('.').All(l => l.Length > 0 && DnsLabel().IsMatch(l)) ? null
            : $"'{value}' is not an RFC 1123 subdomain (lower-case letters, digits, '-' and '.', at most 253)";

    /// <summary>A label key: an optional subdomain prefix and '/', then a name of at most 63 characters.</summary>
    public static string? LabelKeyProblem(string key)
    {
        var slash = key.LastIndexOf('/');
        if (slash >= 0 && DnsSubdomainProblem(key[..slash]) is { } prefixProblem)
            return $"label key '{key}': prefix {prefixProblem}";
        var name = slash >= 0 ? key[(slash + 1)..] : key;
        return name.Length is > 0 and <= 63 && QualifiedName().IsMatch(name) ? null
            : $"label key '{key}': the name must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
    }

    /// <summary>A label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric.</summary>
    public static string? LabelValueProblem(string value) =>
        value.Length == 0 || (value.Length <= 63 && QualifiedName().IsMatch(value)) ? null
            : $"label value '{value}' must be at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";

    /// <summary>A resource name: a qualified name; extended resources (GPUs) carry a domain prefix, e.g. nvidia.com/gpu.</summary>
    public static string? ResourceNameProblem(string value) =>
        LabelKeyProblem(value) is null ? null : $"'{value}' is not a resource name (e.g. nvidia.com/gpu, amd.com/gpu)";

    /// <summary>A resource quantity: a decimal number with an optional suffix (m, k, M, G, Ki, Mi, Gi, …) or exponent.</summary>
    public static bool IsQuantity(string value) => Quantity().IsMatch(value);

    /// <summary>An environment variable name as the API server accepts it.</summary>
    public static bool IsEnvName(string value) => EnvName().IsMatch(value);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?[0-9]+)?$")]
    private static partial Regex Quantity();

    [GeneratedRegex("^[-._a-zA-Z][-._a-zA-Z0-9]*$")]
    private static partial Regex EnvName();
}
