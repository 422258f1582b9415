namespace ResMgrLite.Plugin;

/// <summary>
/// Lets the socket engine run the NRI connection's receive continuations on its own event thread
/// instead of queueing each one to the thread pool. The plugin has one socket that matters, whose
/// continuation only splits the mux frames into the logical connections' pipes (the handler runs
/// behind those pipes on the thread pool, as before), so nothing blocks the event thread; every
/// request then costs one thread-pool wake-up less (docs/benchmarks.md, "CPU per event").
/// </summary>
/// <remarks>
/// The runtime reads these settings only from the environment, once, when the first asynchronous
/// socket operation starts: they are set in the process's own environment before that (a pre-launched
/// plugin gets no environment from containerd). With inline completions the runtime would start one
/// event thread per CPU; one is all a single connection needs. Hooks never see the variables: they
/// get only the <c>RESMGRLITE_HOOK_*</c> ones.
/// </remarks>
internal static class InlineSocketCompletions
{
    public const string InlineVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    public const string ThreadCountVariable = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";

    /// <summary>Call before the plugin's first socket operation (Program.Main, plugin modes only).</summary>
    public static void Enable()
    {
        Environment.SetEnvironmentVariable(InlineVariable, "1");
        Environment.SetEnvironmentVariable(ThreadCountVariable, "1");
    }
}
