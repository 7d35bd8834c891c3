using System.Security.Cryptography;
using System.Text;
using SiliconBench.Diagnostics;
using SiliconBench.Yaml;

namespace SiliconBench.Costs;

/// <summary>
/// Reads cost sheet YAML strictly (docs/design.md, "Cost model"):
/// <code>
/// name: h100-3yr-rental
/// system: 1× NVIDIA H100 SXM5 80GB, 3-year rental
/// accelerators: 1
/// as_of: 2026-04-03
/// cloud:
///   usd_per_hour: {value: 1.30, source: "SemiAnalysis …"}
/// </code>
/// or <c>owned:</c> with capex_usd, amortization_years, cost_of_capital, hosting_usd_per_kw_month,
/// provisioned_kw, energy_usd_per_kwh, pue, each <c>{value, source}</c>. Every input needs a non-empty source.
/// </summary>
public static class CostSheetLoader
{
    internal static readonly string[] RootFields = ["name", "system", "accelerators", "as_of", "cloud", "owned"];
    internal static readonly string[] CloudFields = ["usd_per_hour"];
    internal static readonly string[] OwnedFields =
        ["capex_usd", "amortization_years", "cost_of_capital", "hosting_usd_per_kw_month", "provisioned_kw", "energy_usd_per_kwh", "pue"];
    internal static readonly string[] SourcedFields = ["value", "source"];

    public static CostSheet Load(string path) => Parse(YamlFields.ReadFile(path, "cost sheet"), path);

    /// <summary>Parses cost sheet text; <paramref name="source"/> names the file in errors.</summary>
    public static CostSheet Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var y = new YamlFields(source);
        var root = y.Mapping(y.LoadDocument(text, "a cost sheet (name, system, cloud or owned)"), "a cost sheet: a mapping with name, system, and cloud or owned");
        y.CheckKeys(root, RootFields);
        var cloudField = root["cloud"];
        var ownedField = root["owned"];
        if (cloudField is not null && ownedField is not null)
            throw new InputException(source, ownedField.KeyLine, "owned", "a cost sheet is either cloud or owned, not both");
        if (cloudField is null && ownedField is null)
            throw new InputException(source, root.Line, null, "missing 'cloud' (rented by the hour) or 'owned' (capital, hosting, energy)");

        CloudCost? cloud = null;
        OwnedCost? owned = null;
        if (cloudField is not null)
        {
            var b = y.Mapping(cloudField.Value, "a mapping with usd_per_hour", cloudField.KeyLine);
            y.CheckKeys(b, CloudFields);
            cloud = new CloudCost(Sourced(y, b, "usd_per_hour", positive: true));
        }
        else
        {
            var b = y.Mapping(ownedField!.Value, "a mapping of " + string.Join(", ", OwnedFields), ownedField.KeyLine);
            y.CheckKeys(b, OwnedFields);
            var pue = Sourced(y, b, "pue", positive: true);
            if (pue.Value < 1)
                throw y.Expected(y.Require(b, "pue").Value, "a PUE ≥ 1 (facility power ÷ IT power)");
            owned = new OwnedCost
            {
                CapexUsd = Sourced(y, b, "capex_usd", positive: false),
                AmortizationYears = Sourced(y, b, "amortization_years", positive: true),
                CostOfCapital = Sourced(y, b, "cost_of_capital", positive: false),
                HostingUsdPerKwMonth = Sourced(y, b, "hosting_usd_per_kw_month", positive: false),
                ProvisionedKw = Sourced(y, b, "provisioned_kw", positive: false),
                EnergyUsdPerKwh = Sourced(y, b, "energy_usd_per_kwh", positive: false),
                Pue = pue,
            };
        }

        return new CostSheet
        {
            Name = y.Text(y.Require(root, "name").Value, "a name"),
            System = y.Text(y.Require(root, "system").Value, "a description of the system priced"),
            Accelerators = root["accelerators"] is { } a ? y.Int(a.Value, 1) : 1,
            AsOf = y.Text(y.Require(root, "as_of").Value, "the date the prices were read (e.g. 2026-04-03)"),
            Cloud = cloud,
            Owned = owned,
            File = source,
            ContentSha256 = Sha256Hex(text),
        };
    }

    /// <summary>Lower-case hex SHA-256 of UTF-8 text.</summary>
    public static string Sha256Hex(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary><c>{value, source}</c>: value ≥ 0 (or > 0 when <paramref name="positive"/>), source non-empty text.</summary>
    private static SourcedValue Sourced(YamlFields y, Block block, string key, bool positive)
    {
        var field = y.Require(block, key);
        var b = y.Mapping(field.Value, "{value: NUMBER, source: WHERE IT COMES FROM}", field.KeyLine);
        y.CheckKeys(b, SourcedFields);
        var value = y.Number(y.Require(b, "value").Value, 0, inclusive: !positive);
        var source = y.Text(y.Require(b, "source").Value, "a non-empty source (document, URL or quote the figure comes from)");
        return new SourcedValue(value, source);
    }
}
