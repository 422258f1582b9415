using System.Text;

namespace ResMgrLite.Nri;

/// <summary>Event subscription bits in words, for log lines.</summary>
internal static class NriEventNames
{
    private static readonly string[] Names =
    [
        "RunPodSandbox", "StopPodSandbox", "RemovePodSandbox", "CreateContainer", "PostCreateContainer",
        "StartContainer", "PostStartContainer", "UpdateContainer", "PostUpdateContainer", "StopContainer",
        "RemoveContainer", "UpdatePodSandbox", "PostUpdatePodSandbox", "ValidateContainerAdjustment",
    ];

    /// <summary>"UpdatePodSandbox, PostUpdatePodSandbox"; bits without a name as hex.</summary>
    public static string Format(NriEventMask mask)
    {
        var text = new StringBuilder();
        for (int bit = 0; bit < 32; bit++)
        {
            if (((int)mask & (1 << bit)) == 0)
            {
                continue;
            }

            if (text.Length > 0)
            {
                text.Append(", ");
            }

            text.Append(bit < Names.Length ? Names[bit] : $"0x{1 << bit:x}");
        }

        return text.ToString();
    }
}
