namespace ResMgrLite;

internal static class Program
{
    private static int Main(string[] args)
    {
        // containerd starts a pre-launched plugin with no arguments and exactly the NRI_PLUGIN_*
        // variables; it must register within 5 s (docs/nri-rules.md §6), so that path skips
        // the command-line parser entirely.
        if (args.Length == 0 && PreLaunch.TryRun(out int exitCode))
        {
            return exitCode;
        }
        return Cli.Run(args, StandardStreams.Out, StandardStreams.Error);
    }
}
