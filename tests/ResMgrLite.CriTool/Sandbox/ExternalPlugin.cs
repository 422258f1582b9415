using System.Diagnostics;
using System.Text;

namespace ResMgrLite.CriTool.Sandbox;

/// <summary>
/// The published binary run as an external NRI plugin:
/// `resmgrlite run --socket NRI_SOCKET --name NAME --idx NN --config FILE --log-file FILE --log-level debug`
/// (an external plugin gets no configuration from the runtime: --config is its only source). Killing it is a
/// test step (crash, then restart); disposing kills it if it still runs.
/// </summary>
internal sealed class ExternalPlugin : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ExternalPlugin(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What the plugin wrote to stdout and stderr so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static ExternalPlugin Start(string binary, string nriSocketPath, string configFile, string logFile, string name = "resmgrlite", string index = "50")
    {
        var startInfo = new ProcessStartInfo(binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "run", "--socket", nriSocketPath, "--name", name, "--idx", index, "--config", configFile, "--log-file", logFile, "--log-level", "debug" })
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo };
        var plugin = new ExternalPlugin(process);
        process.OutputDataReceived += (_, e) => plugin.Append(e.Data);
        process.ErrorDataReceived += (_, e) => plugin.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return plugin;
    }

    /// <summary>SIGKILL: no goodbye on the NRI connection, as in a crash.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
        }

        _process.WaitForExit(10_000);
    }

    public void Dispose()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
