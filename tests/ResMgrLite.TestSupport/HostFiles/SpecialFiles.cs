using System.Diagnostics;

namespace ResMgrLite.TestSupport.HostFiles;

/// <summary>Files a careless operator or an attacker leaves where the plugin reads: FIFOs, links to devices.</summary>
internal static class SpecialFiles
{
    /// <summary>Creates a named pipe with coreutils' mkfifo (no writer ever opens it).</summary>
    public static void CreateFifo(string path)
    {
        using Process mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })
            ?? throw new InvalidOperationException("mkfifo could not be started");
        mkfifo.WaitForExit();
        if (mkfifo.ExitCode != 0)
        {
            throw new InvalidOperationException($"mkfifo {path} exited with {mkfifo.ExitCode}");
        }
    }
}
