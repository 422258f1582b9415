using System.Diagnostics;
using System.Text;
using ResMgrLite.Nri.Api;
using ResMgrLite.TestSupport;
using ResMgrLite.TestSupport.FakeNri;
using ResMgrLite.TestSupport.HostFiles;
using ResMgrLite.TestSupport.Sysfs;
using ResMgrLite.Tests.Plugin;

namespace ResMgrLite.Tests.Commands;

/// <summary>
/// The published binary's error paths, as users meet them: the CLI's stderr, the plugin's log and
/// stderr, and the error status an NRI runtime receives. Every text must be the project's words —
/// no .NET resource keys, no stack traces — and no bad input may make a command hang or grow.
/// </summary>
public sealed class PublishedErrorMessageTests : IDisposable
{
    private static readonly TimeSpan Quick = TimeSpan.FromSeconds(10);
    private readonly string _directory = Directory.CreateTempSubdirectory("published-errors-").FullName;
    private readonly SysfsTree _machine = SysfsFixtures.SingleSocketHt().WriteTree();

    public void Dispose()
    {
        _machine.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private string PathOf(string name) => Path.Combine(_directory, name);

    private static string Binary
    {
        get
        {
            string binary = RepoPaths.PublishedBinary;
            Assert.True(File.Exists(binary), $"published binary {binary} is missing: run ./build.sh first or set RESMGRLITE_BINARY");
            return binary;
        }
    }

    private static async Task<(int ExitCode, string Output, TimeSpan Took)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        var clock = Stopwatch.StartNew();
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(Quick);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
        return (process.ExitCode, await stdout + await stderr, clock.Elapsed);
    }

    private Task<(int ExitCode, string Output, TimeSpan Took)> ValidateAsync(string config) =>
        RunAsync("validate", "--config", config, "--sysfs", _machine.SysfsRoot);

    [Fact]
    public async Task Validate_error_paths_answer_at_once_in_words()
    {
        File.CreateSymbolicLink(PathOf("zero.conf"), "/dev/zero");
        SpecialFiles.CreateFifo(PathOf("fifo.conf"));
        await File.WriteAllTextAsync(PathOf("bad.json"), "{x");
        await File.WriteAllTextAsync(PathOf("bad.conf"), "[cpuManager\npolicy = 1\n");
        // Four million keys: 40 MB that used to take over a minute and 1.4 GB.
        await using (var many = new StreamWriter(PathOf("many.conf"), false, Encoding.ASCII))
        {
            for (int i = 0; i < 4_000_000; i++)
            {
                await many.WriteAsync($"k{i} = 1\n");
            }
        }

        (string Config, int Exit, string Says)[] cases =
        [
            ("", 2, "--config needs a file name"),
            ("/dev/zero", 1, "/dev/zero: cannot read the configuration file: is a device: refused (a configuration file must be a regular file of at most 1 MiB"),
            (PathOf("zero.conf"), 1, "is a device: refused"),
            (PathOf("fifo.conf"), 1, "is a named pipe (FIFO): refused"),
            (_directory, 1, "is a directory, not a file"),
            (PathOf("missing/x.conf"), 1, "x.conf: cannot read the configuration file: does not exist"),
            (PathOf("many.conf"), 1, "is larger than 1 MiB: refused"),
            (PathOf("bad.json"), 1, "bad.json:1:2: invalid JSON: "),
            (PathOf("bad.conf"), 1, "bad.conf:1:"),
        ];
        foreach ((string config, int exit, string says) in cases)
        {
            (int code, string output, TimeSpan took) = await ValidateAsync(config);
            Assert.True(code == exit, $"validate --config \"{config}\": exit {code}, expected {exit}: {output}");
            Assert.Contains(says, output, StringComparison.Ordinal);
            Assert.True(took < TimeSpan.FromSeconds(5), $"validate --config \"{config}\" took {took}");
            MessageText.AssertWords(output);
            if (exit == 1)
            {
                Assert.Contains("restart containerd", output, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Other_cli_error_paths_are_in_words()
    {
        foreach (string[] arguments in (string[][])[
            ["topology", "--sysfs", PathOf("no-sysfs")],
            ["validate", "--sysfs", PathOf("no-sysfs")],
            ["validate", "--config", "/", "--sysfs", _machine.SysfsRoot],
            ["no-such-command"],
        ])
        {
            (int code, string output, _) = await RunAsync(arguments);
            Assert.NotEqual(0, code);
            Assert.NotEmpty(output.Trim());
            MessageText.AssertWords(output);
        }
    }

    [Fact]
    public async Task Plugin_error_paths_in_the_log_on_stderr_and_in_nri_statuses_are_in_words()
    {
        string state = PathOf("state");
        Directory.CreateDirectory(state);
        SpecialFiles.CreateFifo(Path.Combine(state, "resmgrlite_state"));
        string socket = PathOf("nri.sock");
        string log = PathOf("plugin.log");
        await File.WriteAllTextAsync(PathOf("untrusted.conf"), PluginScenario.StaticCpuConfigIn(state));
        await File.WriteAllTextAsync(PathOf("invalid.conf"), "[cpuManager]\npolicy = \"statik\"\n");
        await File.WriteAllTextAsync(PathOf("good.conf"), PluginScenario.StaticCpuConfigIn(PathOf("good-state")));

        var outputs = new StringBuilder();
        foreach (string config in (string[])["untrusted.conf", "invalid.conf", "good.conf"])
        {
            using System.Net.Sockets.Socket listener = FakeNriRuntime.Listen(socket);
            var start = new ProcessStartInfo(Binary)
            {
                ArgumentList = { "run", "--socket", socket, "--name", "test", "--idx", "50", "--log-file", log, "--config", PathOf(config), "--sysfs", _machine.SysfsRoot },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using Process process = Process.Start(start)!;
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            try
            {
                await using (FakeNriRuntime runtime = await FakeNriRuntime.AcceptAsync(listener, CancellationToken.None).WaitAsync(Quick))
                {
                    await runtime.Registered.WaitAsync(Quick);
                    await runtime.ConfigureAsync().WaitAsync(TimeSpan.FromSeconds(config == "untrusted.conf" ? 1 : 10));
                    if (config == "good.conf")
                    {
                        foreach (CreateContainerRequest hostile in HostileContainers())
                        {
                            FakeNriResponse answer = await runtime.CallRawAsync(FakeNriRuntime.PluginService, "CreateContainer", Google.Protobuf.MessageExtensions.ToByteArray(hostile));
                            Assert.NotEqual(0, answer.StatusCode);
                            outputs.AppendLine(answer.StatusMessage);
                        }
                    }
                }
            }
            finally
            {
                process.Kill();
                await process.WaitForExitAsync();
            }
            string errors = await stderr;
            outputs.AppendLine(errors);
            if (config != "good.conf")
            {
                Assert.Contains("resmgrlite: ", errors, StringComparison.Ordinal);
                Assert.Contains(config == "untrusted.conf" ? "is a named pipe (FIFO)" : "configuration is invalid", errors, StringComparison.Ordinal);
            }
            File.Delete(socket);
        }
        outputs.AppendLine(await File.ReadAllTextAsync(log));
        string all = outputs.ToString();
        Assert.Contains("cpu shares 18014398509481984 is above 262144", all, StringComparison.Ordinal);
        Assert.Contains("cpu period 18446744073709551615 is outside", all, StringComparison.Ordinal);
        MessageText.AssertWords(all);
    }

    private static IEnumerable<CreateContainerRequest> HostileContainers()
    {
        CreateContainerRequest shares = PluginScenario.Guaranteed("s", "c-s", 1);
        shares.Container.Linux.Resources.Cpu.Shares.Value = 1UL << 54;
        yield return shares;
        CreateContainerRequest period = PluginScenario.Guaranteed("p", "c-p", 1);
        period.Container.Linux.Resources.Cpu.Quota.Value = 1L << 60;
        period.Container.Linux.Resources.Cpu.Period.Value = ulong.MaxValue;
        yield return period;
        CreateContainerRequest annotation = PluginScenario.Guaranteed("a", "c-a", 1);
        annotation.Pod.Annotations.Set("resmgrlite.io/pod-resources", "cpu=79228162514264337593543950335");
        yield return annotation;
    }
}
