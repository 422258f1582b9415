using System.Buffers.Binary;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Google.Protobuf;
using ResMgrLite.Nri;
using ResMgrLite.Nri.Api;
using ResMgrLite.Nri.Ttrpc;
using ResMgrLite.Plugin;
using ResMgrLite.TestSupport.FakeNri;

namespace ResMgrLite.Benchmarks;

/// <summary>
/// One CreateContainer round trip as the runtime sees it: frame and send the request over a
/// socketpair, the plugin decodes it, runs the exe's handler, encodes and frames the reply, and the
/// reply is read back. The runtime side is a lean blocking loop so the figure is the plugin's.
/// </summary>
[MemoryDiagnoser]
public class NriRoundTripBenchmarks
{
    private Socket _runtime = null!;
    private CancellationTokenSource _stop = null!;
    private Task<int> _plugin = null!;
    private byte[] _request = null!;
    private byte[] _largeRequest = null!;
    private readonly byte[] _receive = new byte[1 << 20];
    private uint _streamId = 1;

    [GlobalSetup]
    public void Setup()
    {
        (Socket runtime, Socket plugin) = SocketPair.Create();
        _runtime = runtime;
        _stop = new CancellationTokenSource();
        var options = new NriConnectionOptions { ConnectedSocket = plugin, PluginName = "bench", PluginIndex = "50" };
        // The real handler on this machine's sysfs, static CPU policy with CPU 0 reserved.
        var handler = new ResourcePolicyHandler(new PluginLog(null, ProtocolLogLevel.Error),
            new HandlerOptions(PluginMain.DefaultSysfsRoot, "bench.conf", ConfigFile: null, new System.Collections.Hashtable
            {
                // Its own state file: the node's real one must not collect benchmark allocations.
                ["RESMGRLITE__STATE__DIRECTORY"] = Directory.CreateTempSubdirectory("bench-state-").FullName,
            }));
        _plugin = NriPluginHost.RunAsync(options, handler, NullProtocolLog.Instance, _stop.Token);

        // RegisterPlugin → empty success reply (docs/nri-rules.md §8.2), then Configure on conn 1.
        ReadMessage();
        _runtime.Send(Convert.FromHexString("000000020000000a00000000000000010200"));
        Call(Build("Configure", new ConfigureRequest
        {
            RuntimeName = "containerd",
            RuntimeVersion = "1.7.24~ds1",
            Config = "[cpuManager]\npolicy = \"static\"\nreservedSystemCPUs = \"0\"\n",
        }));

        _request = Build("CreateContainer", CreateRequest(annotations: 8));
        _largeRequest = Build("CreateContainer", CreateRequest(annotations: 200));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _runtime.Dispose();
        _stop.Cancel();
        _plugin.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }

    /// <summary>A typical Guaranteed pod: a handful of annotations, one exclusive CPU (admitted once, then found again).</summary>
    [Benchmark(Baseline = true)]
    public int CreateContainer() => Call(_request);

    /// <summary>A request over 4096 bytes: exercises the split frames in both directions.</summary>
    [Benchmark]
    public int CreateContainerLarge() => Call(_largeRequest);

    private static CreateContainerRequest CreateRequest(int annotations)
    {
        var pod = new PodSandbox
        {
            Id = "4f1c9a", Name = "web-0", Namespace = "default", Uid = "6a1f-33",
            Linux = new LinuxPodSandbox { CgroupParent = "/kubepods/pod6a1f-33" },
        };
        for (int i = 0; i < annotations; i++)
        {
            pod.Annotations.Set($"example.com/annotation-{i}", new string('v', 32));
        }

        var container = new Container { Id = "c0ffee", PodSandboxId = pod.Id, Name = "app", Args = { "/bin/app", "--serve" } };
        container.Linux = new LinuxContainer
        {
            Resources = new LinuxResources
            {
                Cpu = new LinuxCPU { Shares = new OptionalUInt64 { Value = 1024 }, Quota = new OptionalInt64 { Value = 100_000 }, Period = new OptionalUInt64 { Value = 100_000 } },
                Memory = new LinuxMemory { Limit = new OptionalInt64 { Value = 1L << 30 } },
            },
        };
        return new CreateContainerRequest { Pod = pod, Container = container };
    }

    /// <summary>Encodes a Plugin request with mux + ttrpc headers; the stream id is patched per call.</summary>
    private static byte[] Build(string method, IMessage payload)
    {
        byte[] envelope = new Request { Service = "nri.pkg.api.v1alpha1.Plugin", Method = method, Payload = payload.ToByteString(), TimeoutNano = 2_000_000_000 }.ToByteArray();
        // One frame of any size is fine towards our reader (it treats the connection as a byte stream).
        byte[] message = new byte[8 + 10 + envelope.Length];
        BinaryPrimitives.WriteUInt32BigEndian(message, 1);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), (uint)(10 + envelope.Length));
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(8), (uint)envelope.Length);
        message[16] = 1;
        envelope.CopyTo(message, 18);
        return message;
    }

    private int Call(byte[] request)
    {
        BinaryPrimitives.WriteUInt32BigEndian(request.AsSpan(12), _streamId);
        _streamId += 2;
        _runtime.Send(request);
        return ReadMessage();
    }

    /// <summary>Reads one ttrpc message (possibly split over two mux frames) and returns its length.</summary>
    private int ReadMessage()
    {
        int total = 0;
        int expected = -1;
        while (expected < 0 || total < expected)
        {
            ReceiveExactly(8);
            int length = BinaryPrimitives.ReadInt32BigEndian(_receive.AsSpan(4));
            ReceiveExactly(length, total);
            if (expected < 0)
            {
                expected = 10 + BinaryPrimitives.ReadInt32BigEndian(_receive);
            }

            total += length;
        }

        return total;
    }

    private void ReceiveExactly(int count, int offset = 0)
    {
        int read = 0;
        while (read < count)
        {
            int n = _runtime.Receive(_receive, offset + read, count - read, SocketFlags.None);
            if (n == 0)
            {
                throw new IOException("plugin closed the connection");
            }

            read += n;
        }
    }
}
