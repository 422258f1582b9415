using System.Globalization;

namespace ResMgrLite.EndToEnd.Tests.Vm;

/// <summary>
/// Runs shell scripts in the guest through the 9p share: the host renames a finished
/// requests/NNNNNN.sh into place, the guest agent (tests/vm/guest/agent) runs it and publishes
/// responses/NNNNNN.out and then NNNNNN.rc. Renames make each file appear whole, so a request
/// is never read half-written and the output is complete once the exit code exists.
/// </summary>
internal sealed class GuestChannel
{
    private readonly string _requests;
    private readonly string _responses;
    private readonly Func<bool> _isGuestAlive;
    private int _sequence;

    public GuestChannel(string shareDirectory, Func<bool> isGuestAlive)
    {
        _requests = Path.Combine(shareDirectory, "requests");
        _responses = Path.Combine(shareDirectory, "responses");
        _isGuestAlive = isGuestAlive;
    }

    /// <summary>Runs <paramref name="script"/> with the guest's sh; returns its exit code and output.</summary>
    public async Task<GuestResult> RunAsync(string script, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var name = Interlocked.Increment(ref _sequence).ToString("D6", CultureInfo.InvariantCulture);
        var temporary = Path.Combine(_requests, $".{name}.tmp");
        await File.WriteAllTextAsync(temporary, script, cancellationToken);
        File.Move(temporary, Path.Combine(_requests, name + ".sh"));

        var exitCodeFile = Path.Combine(_responses, name + ".rc");
        var deadline = DateTime.UtcNow + timeout;
        while (!File.Exists(exitCodeFile))
        {
            if (!_isGuestAlive())
            {
                throw new InvalidOperationException($"the VM stopped before answering request {name}:\n{script}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the guest did not answer request {name} within {timeout.TotalSeconds:0} s:\n{script}");
            }

            await Task.Delay(50, cancellationToken);
        }

        var exitCode = int.Parse((await File.ReadAllTextAsync(exitCodeFile, cancellationToken)).Trim(), CultureInfo.InvariantCulture);
        var output = await File.ReadAllTextAsync(Path.Combine(_responses, name + ".out"), cancellationToken);
        return new GuestResult(exitCode, output);
    }

    /// <summary>Like <see cref="RunAsync"/>, but a non-zero exit code is an error carrying the output.</summary>
    public async Task<string> RunCheckedAsync(string script, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var result = await RunAsync(script, timeout, cancellationToken);
        return result.ExitCode == 0
            ? result.Output
            : throw new InvalidOperationException($"guest script exited with {result.ExitCode}:\n{script}\noutput:\n{result.Output}");
    }
}

/// <summary>Exit code and combined stdout/stderr of one guest script.</summary>
internal sealed record GuestResult(int ExitCode, string Output);
