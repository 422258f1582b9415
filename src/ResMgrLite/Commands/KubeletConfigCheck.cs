using System.Globalization;
using System.Text.Json;
using ResMgrLite.Config.Settings;
using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Engine.TopologyManagement;
using ResMgrLite.Host.Files;

namespace ResMgrLite.Commands;

/// <summary>
/// Part of <c>resmgrlite validate</c>: compares the configuration with the kubelet's own
/// configuration file when it can be read. The cgroup driver must be the kubelet's (pod cgroups
/// are found by their names, which the driver decides; kubeadm writes <c>systemd</c> while
/// ResMgrLite's default is <c>cgroupfs</c>), and a manager ResMgrLite runs must be off in the
/// kubelet, or both would pin the same containers.
/// </summary>
/// <remarks>
/// A targeted reader, not a YAML parser: it looks only at the top-level <c>key: value</c> lines of
/// the four keys below (the kubelet's KubeletConfiguration puts them at the top level), or at the
/// same keys of a JSON file. Anything it cannot read is reported as "not checked", never guessed.
/// </remarks>
internal static class KubeletConfigCheck
{
    /// <summary>Where kubeadm (and most installers) write the kubelet's KubeletConfiguration.</summary>
    public const string DefaultPath = "/var/lib/kubelet/config.yaml";

    private static readonly string[] Keys = ["cgroupDriver", "cpuManagerPolicy", "memoryManagerPolicy", "topologyManagerPolicy"];

    /// <summary>One value of the kubelet's file and the line it was on (0 for JSON).</summary>
    /// <remarks>A class: a dictionary of references shares the code every other one uses.</remarks>
    internal sealed class KubeletValue(string value, int line)
    {
        public string Value { get; } = value;

        public int Line { get; } = line;
    }

    /// <summary>Prints what was compared; returns the number of conflicts.</summary>
    public static int Run(ResMgrSettings settings, string path, TextWriter stdout)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(stdout);
        if (!TryRead(path, out Dictionary<string, KubeletValue> values, out string? why))
        {
            stdout.WriteLine($"{path}: not checked against the kubelet ({why})");
            return 0;
        }

        int conflicts = 0;
        // The kubelet's defaults when a key is absent (KubeletConfiguration v1beta1).
        string driver = Get(values, "cgroupDriver", "cgroupfs", out int driverLine);
        string ours = settings.CgroupDriver == ResMgrLite.Engine.MemoryQos.CgroupDriver.Systemd ? "systemd" : "cgroupfs";
        if (!string.Equals(driver, ours, StringComparison.Ordinal))
        {
            conflicts++;
            stdout.WriteLine($"{Where(path, driverLine)}: the kubelet's cgroupDriver is {driver}, this configuration's cgroup.cgroupDriver is {ours}: " +
                $"pod cgroups would be looked for under the wrong names; set cgroupDriver = \"{driver}\" in [cgroup]");
        }

        string cpu = Get(values, "cpuManagerPolicy", "none", out int cpuLine);
        if (settings.CpuManagerPolicy == CpuManagerPolicy.Static && !IsOff(cpu))
        {
            conflicts++;
            stdout.WriteLine($"{Where(path, cpuLine)}: the kubelet's cpuManagerPolicy is {cpu} while ResMgrLite's CPU manager is static: " +
                "set the kubelet's to none and delete /var/lib/kubelet/cpu_manager_state before restarting the kubelet");
        }

        string memory = Get(values, "memoryManagerPolicy", "None", out int memoryLine);
        if (settings.MemoryManagerPolicy == MemoryManagerPolicy.Static && !IsOff(memory))
        {
            conflicts++;
            stdout.WriteLine($"{Where(path, memoryLine)}: the kubelet's memoryManagerPolicy is {memory} while ResMgrLite's memory manager is Static: " +
                "set the kubelet's to None and delete /var/lib/kubelet/memory_manager_state before restarting the kubelet");
        }

        string topology = Get(values, "topologyManagerPolicy", "none", out int topologyLine);
        if (settings.TopologyManager.Policy != TopologyPolicy.None && !IsOff(topology))
        {
            conflicts++;
            stdout.WriteLine($"{Where(path, topologyLine)}: the kubelet's topologyManagerPolicy is {topology} while ResMgrLite's topology manager is on: " +
                "set the kubelet's to none");
        }

        if (conflicts == 0)
        {
            stdout.WriteLine($"{path}: matches the kubelet (cgroupDriver {driver}; the kubelet's managers do not overlap ResMgrLite's)");
        }
        return conflicts;
    }

    private static bool IsOff(string policy) => string.Equals(policy, "none", StringComparison.OrdinalIgnoreCase);

    private static string Where(string path, int line) => line > 0 ? $"{path}:{line.ToString(CultureInfo.InvariantCulture)}" : path;

    private static string Get(Dictionary<string, KubeletValue> values, string key, string fallback, out int line)
    {
        bool found = values.TryGetValue(key, out KubeletValue? value);
        line = found ? value!.Line : 0;
        return found ? value!.Value : fallback;
    }

    /// <summary>The four keys found in the file (absent keys are missing from the result).</summary>
    internal static bool TryRead(string path, out Dictionary<string, KubeletValue> values, out string? why)
    {
        values = new Dictionary<string, KubeletValue>(StringComparer.Ordinal);
        why = null;
        string? text;
        try
        {
            // Bounded (a KubeletConfiguration is a few KiB), never blocking on a FIFO, a link
            // followed only to a regular file.
            text = HostFile.TryReadText(path, HostFileKind.Configuration);
        }
        catch (IOException e)
        {
            why = ErrorText.Of(e, path);
            return false;
        }
        if (text is null)
        {
            why = "no such file";
            return false;
        }

        return text.TrimStart().StartsWith('{') ? TryReadJson(text, values, out why) : TryReadYaml(text, values, out why);
    }

    private static bool TryReadJson(string text, Dictionary<string, KubeletValue> values, out string? why)
    {
        why = null;
        try
        {
            // Top-level string fields only; a repeated key counts as its last occurrence.
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text));
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                reader.Read();
                why = "not a KubeletConfiguration object";
                return false;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string key = reader.GetString()!;
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && Array.IndexOf(Keys, key) >= 0)
                {
                    values[key] = new KubeletValue(reader.GetString()!, 0);
                }
                reader.Skip();
            }
            // Nothing but whitespace may follow the object.
            reader.Read();
            return true;
        }
        catch (JsonException e)
        {
            values.Clear();
            why = $"not valid JSON: {e.Message}";
            return false;
        }
    }

    private static bool TryReadYaml(string text, Dictionary<string, KubeletValue> values, out string? why)
    {
        why = null;
        bool isKubeletConfiguration = false;
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            // Top level only: an indented line belongs to a nested mapping.
            if (line.Length == 0 || char.IsWhiteSpace(line[0]) || line[0] == '#')
            {
                continue;
            }
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }
            string key = line[..colon].Trim();
            string value = Unquote(StripComment(line[(colon + 1)..]).Trim());
            if (key == "kind" && value == "KubeletConfiguration")
            {
                isKubeletConfiguration = true;
            }
            if (Array.IndexOf(Keys, key) >= 0 && value.Length > 0)
            {
                values[key] = new KubeletValue(value, i + 1);
            }
        }
        if (!isKubeletConfiguration)
        {
            why = "no 'kind: KubeletConfiguration' line";
            return false;
        }
        return true;
    }

    private static string StripComment(string value)
    {
        int hash = value.IndexOf(" #", StringComparison.Ordinal);
        return hash >= 0 ? value[..hash] : value;
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0] ? value[1..^1] : value;
}
