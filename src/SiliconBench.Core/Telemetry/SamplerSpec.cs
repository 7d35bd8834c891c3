using System.Globalization;
using System.Text.RegularExpressions;
using SiliconBench.Diagnostics;
using SiliconBench.Telemetry.Nvml;

namespace SiliconBench.Telemetry;

/// <summary>
/// Parses <c>--sampler</c> values into samplers:
/// <c>nvml</c>, <c>nvml:gpus=0,1[,interval_ms=50]</c>; <c>rapl[:interval_ms=100]</c>;
/// <c>command:scope=node|wall|accelerator|cpu_package,unit=w|j,pattern=REGEX,interval_ms=1000[,stream=true],cmd=COMMAND LINE</c>
/// (cmd takes the rest of the string, commas included; pattern must be given before it and may not contain a comma);
/// <c>replay:PATH</c>. A sampler that cannot work here (no NVIDIA driver, RAPL root-only) is reported as a bad
/// input too: the user asked for a sensor this machine does not give.
/// </summary>
public static class SamplerSpec
{
    public static IReadOnlyList<ISampler> ParseAll(IEnumerable<string> specs, string source = "--sampler")
    {
        var samplers = new List<ISampler>();
        var sensorIds = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var spec in specs)
            {
                var sampler = Parse(spec, source, samplers.OfType<CommandSampler>().Count());
                samplers.Add(sampler);
                foreach (var s in sampler.Sensors)
                    if (!sensorIds.Add(s.Id))
                        throw new InputException(source, null, sampler.Id, $"sensor {s.Id} is sampled twice; give each sampler once");
            }
            return samplers;
        }
        catch
        {
            foreach (var s in samplers)
                s.Dispose();
            throw;
        }
    }

    public static ISampler Parse(string spec, string source = "--sampler", int commandIndex = 0)
    {
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        var kind = (colon < 0 ? spec : spec[..colon]).Trim();
        var rest = colon < 0 ? "" : spec[(colon + 1)..];
        return kind switch
        {
            "nvml" => ParseNvml(rest, source),
            "rapl" => ParseRapl(rest, source),
            "command" => ParseCommand(rest, source, commandIndex),
            "replay" => rest.Trim().Length == 0
                ? throw new InputException(source, null, "replay", "give the recorded telemetry.csv: replay:PATH")
                : File.Exists(rest.Trim()) ? new ReplaySampler(rest.Trim(), source)
                : throw new InputException(source, null, "replay", $"no such file: {rest.Trim()}"),
            _ => throw new InputException(source, null, "sampler", $"unknown sampler '{kind}'; expected nvml, rapl, command or replay"),
        };
    }

    private static Dictionary<string, string> Options(string text, string source, params string[] allowed)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        if (text.Trim().Length == 0)
            return options;
        // Why: "gpus=0,1" has commas inside a value; a part without '=' continues the previous value.
        string? last = null;
        foreach (var part in text.Split(','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                if (last is null)
                    throw new InputException(source, null, part.Trim(), "expected key=value");
                options[last] += "," + part.Trim();
                continue;
            }
            var key = part[..eq].Trim();
            if (!allowed.Contains(key))
                throw new InputException(source, null, key, $"unknown option; expected one of {string.Join(", ", allowed)}");
            if (options.ContainsKey(key))
                throw new InputException(source, null, key, "given twice");
            options[key] = part[(eq + 1)..].Trim();
            last = key;
        }
        return options;
    }

    private static TimeSpan? Interval(Dictionary<string, string> options, string source)
    {
        if (!options.TryGetValue("interval_ms", out var text))
            return null;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms is >= 1 and <= 3_600_000
            ? TimeSpan.FromMilliseconds(ms)
            : throw new InputException(source, null, "interval_ms", $"'{text}' is not a whole number of milliseconds between 1 and 3600000");
    }

    private static ISampler ParseNvml(string rest, string source)
    {
        var options = Options(rest, source, "gpus", "interval_ms");
        var interval = Interval(options, source);
        List<int>? gpus = null;
        if (options.TryGetValue("gpus", out var list))
        {
            gpus = [];
            foreach (var item in list.Split(','))
                gpus.Add(int.TryParse(item.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var i)
                    ? i
                    : throw new InputException(source, null, "gpus", $"'{item.Trim()}' is not a GPU index"));
            if (gpus.Count != gpus.Distinct().Count())
                throw new InputException(source, null, "gpus", "a GPU is listed twice");
        }
        try
        {
            return new NvmlSampler(gpus, interval);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or NvmlException)
        {
            throw new InputException(source, null, "nvml", e.Message, e);
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InputException(source, null, "gpus", e.Message.Split(Environment.NewLine)[0], e);
        }
    }

    private static ISampler ParseRapl(string rest, string source)
    {
        var options = Options(rest, source, "interval_ms");
        var sampler = new RaplSampler(RaplSampler.DefaultRoot, Interval(options, source));
        if (sampler.Sensors.Count == 0)
        {
            var why = sampler.Notes.Count > 0 ? sampler.Notes[0] : "no RAPL domains";
            sampler.Dispose();
            throw new InputException(source, null, "rapl", why);
        }
        return sampler;
    }

    private static ISampler ParseCommand(string rest, string source, int commandIndex)
    {
        var cmdAt = rest.IndexOf("cmd=", StringComparison.Ordinal);
        if (cmdAt < 0 || (cmdAt > 0 && rest[cmdAt - 1] != ','))
            throw new InputException(source, null, "cmd", "give the command last: command:scope=…,unit=…,pattern=…,cmd=COMMAND LINE");
        var commandLine = rest[(cmdAt + 4)..].Trim();
        if (commandLine.Length == 0)
            throw new InputException(source, null, "cmd", "is empty");
        var options = Options(cmdAt == 0 ? "" : rest[..(cmdAt - 1)], source, "scope", "unit", "pattern", "interval_ms", "stream");
        if (!options.TryGetValue("scope", out var scope))
            throw new InputException(source, null, "scope", "required: node, wall, accelerator or cpu_package (what the reading covers)");
        if (scope is not (SensorScope.Node or SensorScope.Wall or SensorScope.Accelerator or SensorScope.CpuPackage))
            throw new InputException(source, null, "scope", $"'{scope}' is not one of node, wall, accelerator, cpu_package");
        var unit = options.GetValueOrDefault("unit") switch
        {
            "w" or "W" => CommandUnit.Watts,
            "j" or "J" => CommandUnit.Joules,
            null => throw new InputException(source, null, "unit", "required: w (power) or j (cumulative energy)"),
            var other => throw new InputException(source, null, "unit", $"'{other}' is not w or j"),
        };
        if (!options.TryGetValue("pattern", out var patternText) || patternText.Length == 0)
            throw new InputException(source, null, "pattern", "required: a regular expression with one capture group around the number");
        Regex pattern;
        try
        {
            pattern = new Regex(patternText, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            throw new InputException(source, null, "pattern", $"not a valid regular expression: {e.Message}", e);
        }
        if (pattern.GetGroupNumbers().Length != 2)
            throw new InputException(source, null, "pattern", "needs exactly one capture group around the number");
        var stream = options.GetValueOrDefault("stream") switch
        {
            null or "false" => false,
            "true" => true,
            var other => throw new InputException(source, null, "stream", $"'{other}' is not true or false"),
        };
        var interval = Interval(options, source) ?? TimeSpan.FromSeconds(1);
        var id = commandIndex == 0 ? $"command:{scope}" : $"command:{scope}.{commandIndex + 1}";
        return new CommandSampler(id, scope, unit, pattern, commandLine, interval, stream);
    }
}
