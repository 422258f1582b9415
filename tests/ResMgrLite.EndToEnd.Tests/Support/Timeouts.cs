namespace ResMgrLite.EndToEnd.Tests.Support;

internal static class Timeouts
{
    /// <summary>Upper bound for one whole test; a hang fails the test instead of the CI run.</summary>
    public static readonly TimeSpan Test = TimeSpan.FromMinutes(3);

    /// <summary>How long a plugin may take to log an event it was sent.</summary>
    public static readonly TimeSpan PluginLog = TimeSpan.FromSeconds(15);
}
