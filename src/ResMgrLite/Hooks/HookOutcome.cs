namespace ResMgrLite.Hooks;

/// <summary>The end of one run: result, exit status or signal, time, and the captured output.</summary>
internal sealed class HookOutcome(HookResult result, int exitCode, int signal, int error, string? failure, TimeSpan elapsed, CappedOutput? output)
{
    public HookResult Result { get; } = result;

    /// <summary>The exit status when the hook exited.</summary>
    public int ExitCode { get; } = exitCode;

    /// <summary>The signal that ended the hook, 0 when it exited.</summary>
    public int Signal { get; } = signal;

    /// <summary>errno of a start that failed.</summary>
    public int Error { get; } = error;

    /// <summary>What could not be done when the hook did not start.</summary>
    public string? Failure { get; } = failure;

    public TimeSpan Elapsed { get; } = elapsed;

    /// <summary>stdout and stderr, null when the hook did not start.</summary>
    public CappedOutput? Output { get; } = output;

    public static HookOutcome NotStarted(int error, string what) => new(HookResult.NotStarted, 0, 0, error, what, TimeSpan.Zero, null);

    public static HookOutcome Killed(TimeSpan elapsed, CappedOutput output) => new(HookResult.TimedOut, 0, 0, 0, null, elapsed, output);

    public static HookOutcome Exited(int exitCode, int signal, TimeSpan elapsed, CappedOutput output) =>
        new(exitCode == 0 && signal == 0 ? HookResult.Succeeded : HookResult.Failed, exitCode, signal, 0, null, elapsed, output);
}
