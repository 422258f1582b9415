using System.Text;
using System.Text.Json;
using ResMgrLite.Config.Sources;
using ResMgrLite.Engine;
using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Topology;

namespace ResMgrLite.Commands;

/// <summary>
/// <c>resmgrlite conformance cpu</c>: runs take-by-topology cases from JSON Lines on stdin through the
/// engine's own <see cref="CpuTaker"/> and writes one JSON line per case, so the allocator can be
/// compared with the kubelet's answers from outside.
/// </summary>
/// <remarks>
/// Input line: <c>{"id":"c1","topology":{"cpus":[{"cpu":0,"core":0,"socket":0,"numa":0},...]},
/// "available":"0-3,8-11","count":4,"strategy":"packed"|"distributed","groupSize":1}</c>.
/// Optional extensions: <c>"uncore"</c> per CPU (default 0, as kubelet fixtures built without
/// Discover), <c>"sorting":"packed"|"spread"</c> (distribute-cpus-across-cores) and
/// <c>"preferAlignByUncoreCache":true</c>. Output line: <c>{"id":"c1","result":"0-1,8-9","error":null}</c>,
/// or <c>result</c> null and <c>error</c> a message. A malformed line is answered with an error and
/// the run goes on.
/// </remarks>
internal static class ConformanceCpuCommand
{
    private const int MaxCachedTopologies = 64;

    public static int Run(TextReader input, TextWriter output)
    {
        var takers = new Dictionary<string, CpuTaker>(StringComparer.Ordinal);
        var buffer = new MemoryStream();
        int lineNumber = 0;
        while (input.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            buffer.SetLength(0);
            using (var writer = new Utf8JsonWriter(buffer))
            {
                RunCase(line, lineNumber, takers, writer);
            }
            output.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        }
        output.Flush();
        return 0;
    }

    private static void RunCase(string line, int lineNumber, Dictionary<string, CpuTaker> takers, Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        JsonDocument? document = null;
        try
        {
            document = JsonDocument.Parse(line);
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new CaseException("a case must be a JSON object");
            }
            writer.WritePropertyName("id");
            if (root.TryGetProperty("id", out JsonElement id))
            {
                id.WriteTo(writer);
            }
            else
            {
                writer.WriteNullValue();
            }

            CpuTaker taker = TakerFor(root, takers);
            CpuSet available = ParseAvailable(root);
            int count = RequiredInt(root, "count");
            if (count < 0)
            {
                throw new CaseException("count must not be negative");
            }
            string strategy = OptionalString(root, "strategy") ?? "packed";
            int groupSize = root.TryGetProperty("groupSize", out JsonElement g) ? GetInt(g, "groupSize") : 1;
            if (groupSize < 1)
            {
                throw new CaseException("groupSize must be at least 1");
            }
            CpuSortingStrategy sorting = (OptionalString(root, "sorting") ?? "packed") switch
            {
                "packed" => CpuSortingStrategy.Packed,
                "spread" => CpuSortingStrategy.Spread,
                string other => throw new CaseException($"sorting must be \"packed\" or \"spread\", not \"{other}\""),
            };
            bool preferUncore = root.TryGetProperty("preferAlignByUncoreCache", out JsonElement u) && u.ValueKind == JsonValueKind.True;
            var options = strategy switch
            {
                "packed" => new TakeOptions(sorting, DistributeAcrossNuma: false, 1, preferUncore),
                "distributed" => new TakeOptions(sorting, DistributeAcrossNuma: true, groupSize, false),
                _ => throw new CaseException($"strategy must be \"packed\" or \"distributed\", not \"{strategy}\""),
            };

            if (taker.TryTake(available, count, options, out CpuSet result, out string? error))
            {
                writer.WriteString("result", result.ToString());
                writer.WriteNull("error");
            }
            else
            {
                writer.WriteNull("result");
                writer.WriteString("error", error);
            }
        }
        catch (Exception ex) when (ex is JsonException or CaseException or ArgumentException or FormatException or InvalidOperationException)
        {
            if (document == null)
            {
                writer.WriteNull("id");
            }
            writer.WriteNull("result");
            writer.WriteString("error", $"line {lineNumber}: {(ex is JsonException json ? JsonErrorText.Reason(json) : ex.Message)}");
        }
        finally
        {
            document?.Dispose();
        }
        writer.WriteEndObject();
    }

    private static CpuTaker TakerFor(JsonElement root, Dictionary<string, CpuTaker> takers)
    {
        if (!root.TryGetProperty("topology", out JsonElement topology) || topology.ValueKind != JsonValueKind.Object)
        {
            throw new CaseException("missing \"topology\" object");
        }
        string key = topology.GetRawText();
        if (takers.TryGetValue(key, out CpuTaker? cached))
        {
            return cached;
        }
        if (!topology.TryGetProperty("cpus", out JsonElement cpus) || cpus.ValueKind != JsonValueKind.Array)
        {
            throw new CaseException("missing \"topology.cpus\" array");
        }
        var infos = new List<CpuInfo>();
        foreach (JsonElement cpu in cpus.EnumerateArray())
        {
            infos.Add(new CpuInfo(
                RequiredInt(cpu, "cpu"),
                RequiredInt(cpu, "core"),
                RequiredInt(cpu, "socket"),
                RequiredInt(cpu, "numa"),
                cpu.TryGetProperty("uncore", out JsonElement uncore) ? GetInt(uncore, "uncore") : 0));
        }
        var taker = new CpuTaker(CpuTopology.Create(infos.ToArray()));
        if (takers.Count >= MaxCachedTopologies)
        {
            takers.Clear();
        }
        takers[key] = taker;
        return taker;
    }

    private static CpuSet ParseAvailable(JsonElement root)
    {
        if (!root.TryGetProperty("available", out JsonElement available) || available.ValueKind != JsonValueKind.String)
        {
            throw new CaseException("missing \"available\" cpulist string");
        }
        return CpuSet.Parse(available.GetString());
    }

    private static int RequiredInt(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out JsonElement value))
        {
            throw new CaseException($"missing \"{name}\"");
        }
        return GetInt(value, name);
    }

    private static int GetInt(JsonElement value, string name)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out int number))
        {
            throw new CaseException($"\"{name}\" must be an integer");
        }
        return number;
    }

    private static string? OptionalString(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out JsonElement value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new CaseException($"\"{name}\" must be a string");
        }
        return value.GetString();
    }

    private sealed class CaseException(string message) : Exception(message);
}
