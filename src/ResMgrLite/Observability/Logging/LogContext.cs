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
}

internal sealed record LogScope(string Event, string Pod, string Container);
