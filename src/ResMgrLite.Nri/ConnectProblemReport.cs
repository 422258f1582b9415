namespace ResMgrLite.Nri;

/// <summary>
/// How an external plugin reports that it cannot reach the runtime while it keeps retrying: the
/// reason at error level at once (and whenever it changes), then again at warning level once per
/// interval while it lasts, so the log says why without a line per attempt.
/// </summary>
internal sealed class ConnectProblemReport(IProtocolLog log, TimeSpan repeatInterval)
{
    private string? _problem;
    private long _lastReported;

    public void Failed(string problem)
    {
        long now = Environment.TickCount64;
        if (problem != _problem)
        {
            _problem = problem;
            _lastReported = now;
            log.Write(ProtocolLogLevel.Error, $"cannot connect to the runtime: {problem}; retrying");
        }
        else if (now - _lastReported >= (long)repeatInterval.TotalMilliseconds)
        {
            _lastReported = now;
            log.Write(ProtocolLogLevel.Warning, $"still cannot connect to the runtime: {problem}; retrying");
        }
    }

    public void Connected(string socketPath)
    {
        log.Write(ProtocolLogLevel.Info, _problem is null ? $"connected to {socketPath}" : $"connected to {socketPath} after: {_problem}");
        _problem = null;
    }
}
