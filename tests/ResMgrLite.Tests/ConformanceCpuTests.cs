using System.Text.Json;
using ResMgrLite.Commands;
using ResMgrLite.Engine;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Tests;

/// <summary>The docs/kubelet-rules.md §9.3/§9.4 scenarios, run through the same command outside checkers use.</summary>
public sealed class ConformanceCpuTests
{
    private static string CasesPath => Path.Combine(RepoPaths.Root, "tests", "conformance", "cpu-spec9.jsonl");

    public static TheoryData<string> CaseIds()
    {
        var data = new TheoryData<string>();
        foreach (string line in File.ReadLines(CasesPath))
        {
            using var doc = JsonDocument.Parse(line);
            data.Add(doc.RootElement.GetProperty("id").GetString()!);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Spec9_scenario_matches_the_kubelet(string id)
    {
        string line = File.ReadLines(CasesPath).Single(l => l.Contains($"\"id\":\"{id}\"", StringComparison.Ordinal));
        using var input = JsonDocument.Parse(line);
        var output = new StringWriter();
        ConformanceCpuCommand.Run(new StringReader(line), output);
        using var answer = JsonDocument.Parse(output.ToString());
        JsonElement root = answer.RootElement;
        Assert.Equal(id, root.GetProperty("id").GetString());

        JsonElement expectedError = input.RootElement.GetProperty("expectedError");
        if (expectedError.ValueKind == JsonValueKind.String)
        {
            Assert.Equal(JsonValueKind.Null, root.GetProperty("result").ValueKind);
            Assert.Equal(expectedError.GetString(), root.GetProperty("error").GetString());
            return;
        }
        Assert.Equal(JsonValueKind.Null, root.GetProperty("error").ValueKind);
        CpuSet expected = CpuSet.Parse(input.RootElement.GetProperty("expected").GetString());
        CpuSet actual = CpuSet.Parse(root.GetProperty("result").GetString());
        Assert.Equal(expected.ToString(), actual.ToString());
    }

    [Fact]
    public void Malformed_lines_get_an_error_answer_and_the_run_continues()
    {
        string input = "{not json}\n\n{\"id\":7,\"topology\":{\"cpus\":[{\"cpu\":0,\"core\":0,\"socket\":0,\"numa\":0}]},\"available\":\"0\",\"count\":1,\"strategy\":\"packed\",\"groupSize\":1}\n"
            + "{\"id\":\"bad\",\"topology\":{\"cpus\":[]},\"available\":\"0\",\"count\":1}\n"
            + "{\"id\":\"x\",\"topology\":{\"cpus\":[{\"cpu\":0,\"core\":0,\"socket\":0,\"numa\":0}]},\"available\":\"0-\",\"count\":1}\n";
        var output = new StringWriter();
        Assert.Equal(0, ConformanceCpuCommand.Run(new StringReader(input), output));
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Contains("\"error\":\"line 1:", lines[0], StringComparison.Ordinal);
        Assert.Equal("{\"id\":7,\"result\":\"0\",\"error\":null}", lines[1]);
        Assert.Contains("\"id\":\"bad\",\"result\":null,\"error\":\"line 4:", lines[2], StringComparison.Ordinal);
        Assert.Contains("position 2", lines[3], StringComparison.Ordinal);
    }
}
