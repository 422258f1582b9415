namespace ResMgrLite.Observability.Logging;

/// <summary>
/// The NRI request being served, so that every log entry written while serving it carries its
/// event, pod and container as structured fields (JSON keys, journal fields) without each call
/// naming them. Set at the NRI boundary (<see cref="MeasuredEventHandler"/>); flows with the async
/// call and ends with it. Entries outside a request (timers, start-up) have empty fields.
/// </summary>
internal static class LogContext
{
    private static readonly AsyncLocal<LogScope?> Scope = new();

    public static LogScope? Current => Scope.Value;

    public static void Enter(string eventName, string pod, string container) => Scope.Value = new LogScope(eventName, pod, container);

    /// <summary>
    /// Ends the scope in the caller's flow once a request's handler has returned (a continuation that
    /// is still pending keeps the scope it captured).
    /// </summary>
    public static void Leave() => Scope.Value = null;
}

internal sealed class LogScope(string eventName, string pod, string container)
{
    public string Event { get; } = eventName;

    public string Pod { get; } = pod;

    public string Container { get; } = container;
}
