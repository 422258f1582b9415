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
        bool parsed = false;
        try
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(line);
            CheckSyntax(utf8);
            parsed = true;
            CaseFields fields = CaseFields.Read(utf8);
            writer.WritePropertyName("id");
            (int idStart, int idLength) = fields.Id.GetOffsetAndLength(utf8.Length);
            if (idLength > 0)
            {
                writer.WriteRawValue(utf8.AsSpan(idStart, idLength), skipInputValidation: true);
            }
            else
            {
                writer.WriteNullValue();
            }

            CpuTaker taker = TakerFor(utf8, fields.Topology, takers);
            if (!TryValue(utf8, fields.Available, out Utf8JsonReader availableValue) || availableValue.TokenType != JsonTokenType.String)
            {
                throw new CaseException("missing \"available\" cpulist string");
            }
            CpuSet available = CpuSet.Parse(availableValue.GetString());
            int count = OptionalInt(utf8, fields.Count, "count") ?? throw new CaseException("missing \"count\"");
            if (count < 0)
            {
                throw new CaseException("count must not be negative");
            }
            string strategy = OptionalString(utf8, fields.Strategy, "strategy") ?? "packed";
            int groupSize = OptionalInt(utf8, fields.GroupSize, "groupSize") ?? 1;
            if (groupSize < 1)
            {
                throw new CaseException("groupSize must be at least 1");
            }
            CpuSortingStrategy sorting = (OptionalString(utf8, fields.Sorting, "sorting") ?? "packed") switch
            {
                "packed" => CpuSortingStrategy.Packed,
                "spread" => CpuSortingStrategy.Spread,
                string other => throw new CaseException($"sorting must be \"packed\" or \"spread\", not \"{other}\""),
            };
            bool preferUncore = TryValue(utf8, fields.PreferUncore, out Utf8JsonReader prefer) && prefer.TokenType == JsonTokenType.True;
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
            if (!parsed)
            {
                writer.WriteNull("id");
            }
            writer.WriteNull("result");
            writer.WriteString("error", $"line {lineNumber}: {(ex is JsonException json ? JsonErrorText.Reason(json) : ex.Message)}");
        }
        writer.WriteEndObject();
    }

    /// <summary>Throws <see cref="JsonException"/> unless the line is exactly one JSON value.</summary>
    private static void CheckSyntax(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        reader.Read();
        reader.Skip();
        reader.Read();
    }

    private static CpuTaker TakerFor(byte[] utf8, Range topology, Dictionary<string, CpuTaker> takers)
    {
        (int start, int length) = topology.GetOffsetAndLength(utf8.Length);
        if (length == 0 || utf8[start] != (byte)'{')
        {
            throw new CaseException("missing \"topology\" object");
        }
        ReadOnlySpan<byte> json = utf8.AsSpan(start, length);
        string key = Encoding.UTF8.GetString(json);
        if (takers.TryGetValue(key, out CpuTaker? cached))
        {
            return cached;
        }
        var infos = new List<CpuInfo>();
        bool sawCpus = false;
        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isCpus = reader.ValueTextEquals("cpus");
            reader.Read();
            if (!isCpus)
            {
                reader.Skip();
                continue;
            }
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new CaseException("missing \"topology.cpus\" array");
            }
            // A repeated "cpus" counts as the last one, as a JSON object lookup would.
            sawCpus = true;
            infos.Clear();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                infos.Add(ReadCpu(ref reader));
            }
        }
        if (!sawCpus)
        {
            throw new CaseException("missing \"topology.cpus\" array");
        }
        var taker = new CpuTaker(CpuTopology.Create([.. infos]));
        if (takers.Count >= MaxCachedTopologies)
        {
            takers.Clear();
        }
        takers[key] = taker;
        return taker;
    }

    private static CpuInfo ReadCpu(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new CaseException("each of \"topology.cpus\" must be an object");
        }
        int? cpu = null, core = null, socket = null, numa = null;
        int uncore = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            reader.Read();
            switch (name)
            {
                case "cpu":
                    cpu = Int(ref reader, name);
                    break;
                case "core":
                    core = Int(ref reader, name);
                    break;
                case "socket":
                    socket = Int(ref reader, name);
                    break;
                case "numa":
                    numa = Int(ref reader, name);
                    break;
                case "uncore":
                    uncore = Int(ref reader, name);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        return new CpuInfo(
            cpu ?? throw new CaseException("missing \"cpu\""),
            core ?? throw new CaseException("missing \"core\""),
            socket ?? throw new CaseException("missing \"socket\""),
            numa ?? throw new CaseException("missing \"numa\""),
            uncore);
    }

    private static int Int(ref Utf8JsonReader reader, string name) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out int number)
            ? number
            : throw new CaseException($"\"{name}\" must be an integer");

    private static string? OptionalString(ref Utf8JsonReader reader, string name) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => reader.GetString(),
        _ => throw new CaseException($"\"{name}\" must be a string"),
    };

    /// <summary>Where each field's value lies in the line (absent: empty); a repeated field counts as its last occurrence, as a JSON object lookup would.</summary>
    private struct CaseFields
    {
        public Range Id;
        public Range Topology;
        public Range Available;
        public Range Count;
        public Range GroupSize;
        public Range Strategy;
        public Range Sorting;
        public Range PreferUncore;

        public static CaseFields Read(ReadOnlySpan<byte> utf8)
        {
            var reader = new Utf8JsonReader(utf8);
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new CaseException("a case must be a JSON object");
            }
            var fields = default(CaseFields);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string name = reader.GetString()!;
                reader.Read();
                int start = (int)reader.TokenStartIndex;
                reader.Skip();
                Range value = start..(int)reader.BytesConsumed;
                switch (name)
                {
                    case "id":
                        fields.Id = value;
                        break;
                    case "topology":
                        fields.Topology = value;
                        break;
                    case "available":
                        fields.Available = value;
                        break;
                    case "count":
                        fields.Count = value;
                        break;
                    case "groupSize":
                        fields.GroupSize = value;
                        break;
                    case "strategy":
                        fields.Strategy = value;
                        break;
                    case "sorting":
                        fields.Sorting = value;
                        break;
                    case "preferAlignByUncoreCache":
                        fields.PreferUncore = value;
                        break;
                }
            }
            return fields;
        }
    }

    /// <summary>A reader on the value at <paramref name="value"/>; false when the field is absent.</summary>
    private static bool TryValue(byte[] utf8, Range value, out Utf8JsonReader reader)
    {
        (int start, int length) = value.GetOffsetAndLength(utf8.Length);
        reader = new Utf8JsonReader(utf8.AsSpan(start, length));
        return length > 0 && reader.Read();
    }

    private static int? OptionalInt(byte[] utf8, Range value, string name) =>
        TryValue(utf8, value, out Utf8JsonReader reader) ? Int(ref reader, name) : null;

    private static string? OptionalString(byte[] utf8, Range value, string name) =>
        TryValue(utf8, value, out Utf8JsonReader reader) ? OptionalString(ref reader, name) : null;

    private sealed class CaseException(string message) : Exception(message);
}
