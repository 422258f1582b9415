using ResMgrLite.CriTool.Demo;

namespace ResMgrLite.CriTool;

/// <summary>
/// resmgrlite-critool demo [--binary PATH] [--no-plugin]
///   the README's demo (run by ./build.sh demo through tests/e2e/demo.sh).
/// </summary>
internal static class Program
{
    private const string Usage = "usage: ResMgrLite.CriTool demo [--binary PATH] [--no-plugin]";

    private static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] != "demo")
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        string? binary = null;
        var withPlugin = true;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--binary" when i + 1 < args.Length:
                    binary = Path.GetFullPath(args[++i]);
                    break;
                case "--no-plugin":
                    withPlugin = false;
                    break;
                default:
                    await Console.Error.WriteLineAsync($"unknown argument '{args[i]}'\n{Usage}");
                    return 2;
            }
        }

        using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        return await DemoCommand.RunAsync(binary, withPlugin, Console.Out, Console.Error, cancellation.Token);
    }
}
