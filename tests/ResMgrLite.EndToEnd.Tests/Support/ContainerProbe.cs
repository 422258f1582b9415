using System.Globalization;
using System.Text.Json;
using ResMgrLite.CriTool.Cri;
using ResMgrLite.CriTool.Cri.V1;

namespace ResMgrLite.EndToEnd.Tests.Support;

/// <summary>Reads what the kernel shows for a container's process (pid from the verbose CRI status).</summary>
internal static class ContainerProbe
{
    public static async Task<int> PidAsync(PodDriver pods, string containerId, CancellationToken cancellationToken)
    {
        var response = await pods.Cri.Runtime.ContainerStatusAsync(
            new ContainerStatusRequest { ContainerId = containerId, Verbose = true }, pods.Cri.Call(cancellationToken));
        Assert.True(response.Info.TryGetValue("info", out var info), "verbose ContainerStatus carries no 'info'");
        using var document = JsonDocument.Parse(info);
        return document.RootElement.GetProperty("pid").GetInt32();
    }

    public static int OomScoreAdj(int pid) =>
        int.Parse(File.ReadAllText($"/proc/{pid}/oom_score_adj").Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
}
