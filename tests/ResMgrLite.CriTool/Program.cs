using ResMgrLite.CriTool.Demo;

namespace ResMgrLite.CriTool;

/// <summary>
/// resmgrlite-critool demo [--binary PATH] [--no-plugin] [--containerd 2.1|1.7]
///   the README's demo (run by ./build.sh demo through tests/e2e/demo.sh); the newest runtime by default.
/// </summary>
internal static class Program
{
    private static string Usage =>
        $"usage: ResMgrLite.CriTool demo [--binary PATH] [--no-plugin] [--containerd {string.Join('|', Sandbox.ContainerdRuntime.All.Select(r => r.Name))}]";

    private static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] != "demo")
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        string? binary = null;
        var withPlugin = true;
        var runtime = Sandbox.ContainerdRuntime.Default;
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
                case "--containerd" when i + 1 < args.Length:
                    var name = args[++i];
                    if (Sandbox.ContainerdRuntime.All.FirstOrDefault(r => r.Name == name) is not { } chosen)
                    {
                        await Console.Error.WriteLineAsync($"unknown containerd runtime '{name}' (known: {string.Join(", ", Sandbox.ContainerdRuntime.All.Select(r => r.Name))})\n{Usage}");
                        return 2;
                    }

                    runtime = chosen;
                    break;
                default:
                    await Console.Error.WriteLineAsync($"unknown argument '{args[i]}'\n{Usage}");
                    return 2;
            }
        }

        using var cancellation = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        return await DemoCommand.RunAsync(binary, withPlugin, runtime, Console.Out, Console.Error, cancellation.Token);
    }
}
