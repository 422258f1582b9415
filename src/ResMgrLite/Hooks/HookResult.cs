namespace ResMgrLite.Hooks;

/// <summary>How one run of a hook ended.</summary>
internal enum HookResult
{
    /// <summary>Exited with status 0.</summary>
    Succeeded,

    /// <summary>Exited with another status or was killed by a signal it did not get from us.</summary>
    Failed,

    /// <summary>Ran longer than hooks.timeout; its process group was killed.</summary>
    TimedOut,

    /// <summary>Could not be started (exec failed: no #! line, missing interpreter, no memory).</summary>
    NotStarted,

    /// <summary>Not run: the file or the directory failed the ownership and permission checks.</summary>
    Refused,
}

/// <summary>The spelling of each result in logs and metrics labels.</summary>
internal static class HookResultNames
{
    public static string Of(HookResult result) => result switch
    {
        HookResult.Succeeded => "succeeded",
        HookResult.Failed => "failed",
        HookResult.TimedOut => "timed-out",
        HookResult.NotStarted => "not-started",
        _ => "refused",
    };
}
