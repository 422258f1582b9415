using Google.Protobuf;
using ResMgrLite.Nri.Api;
using ResMgrLite.Nri.Tests.Support;
using ResMgrLite.Nri.Ttrpc;
using ResMgrLite.TestSupport.FakeNri;

namespace ResMgrLite.Nri.Tests.Plugin;

/// <summary>The plugin host driven by the fake runtime over a socketpair.</summary>
public class PluginProtocolTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    internal static PodSandbox Pod(string id, params (string Key, string Value)[] annotations)
    {
        var pod = new PodSandbox { Id = id, Name = id + "-name", Namespace = "default", Uid = id + "-uid" };
        foreach ((string key, string value) in annotations)
        {
            pod.Annotations.Set(key, value);
        }

        return pod;
    }

    internal static Container Container(string id, string podId) => new() { Id = id, PodSandboxId = podId, Name = id + "-name" };

    [Fact]
    public async Task Registers_first_with_the_go_stub_bytes()
    {
        await using PluginHarness harness = PluginHarness.Start(name: "demo", index: "10");

        RegisterPluginRequest registered = await harness.Runtime.Registered.WaitAsync(Wait);

        Assert.Equal(("demo", "10", "v0.12.2"), (registered.PluginName, registered.PluginIdx, registered.NRIVersion));
        FakeNriFrame first = harness.Runtime.ReceivedFrames[0];
        Assert.Equal(2u, first.ConnId);

        // The spec's bytes (§8.1, with the Go stub's timeout) plus NRI_version (v0.12), as the v0.12 Go stub sends them.
        byte[] expected = Hex.Concat(
            Hex.Parse("00 00 00 49  00 00 00 01  01  00"),   // ttrpc: len 73, stream 1, Request
            Hex.Parse("0a 1c"), Hex.Ascii("nri.pkg.api.v1alpha1.Runtime"),
            Hex.Parse("12 0e"), Hex.Ascii("RegisterPlugin"),
            Hex.Parse("1a 13 0a 04"), Hex.Ascii("demo"), Hex.Parse("12 02"), Hex.Ascii("10"),
            Hex.Parse("1a 07"), Hex.Ascii("v0.12.2"),         // RegisterPluginRequest.NRI_version = 3
            Hex.Parse("20 80 e4 97 d0 12"));                 // timeout_nano 5 000 000 000
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(first.Payload));
    }

    [Fact]
    public async Task Configure_on_v_061_drops_events_that_runtime_does_not_know()
    {
        var handler = new RecordingHandler { Wanted = NriEventMask.CreateContainer | NriEventMask.UpdatePodSandbox | NriEventMask.RunPodSandbox };
        await using PluginHarness harness = PluginHarness.Start(handler);

        ConfigureResponse configured = await harness.Runtime.HandshakeAsync();

        // Bit 0x800 would make NRI 0.6.1 drop the plugin (docs/nri-rules.md §5.6).
        Assert.Equal(0x0009, configured.Events);
        Assert.Equal(NriApiLevel.V0_6, handler.Configured!.Runtime.Level);
        Assert.True(harness.Log.Contains("runtime containerd 1.7.24~ds1, NRI v0.6 (inferred from the runtime version): pod resize events not available; pre-launched plugins get no Synchronize; not subscribing to events this runtime does not know: UpdatePodSandbox; config 0 bytes"));
    }

    [Fact]
    public async Task Configure_on_v_012_keeps_pod_update_events_and_passes_config()
    {
        var handler = new RecordingHandler { Wanted = NriEventMask.CreateContainer | NriEventMask.UpdatePodSandbox };
        await using PluginHarness harness = PluginHarness.Start(handler);

        ConfigureResponse configured = await harness.Runtime.HandshakeAsync(config: "[cpu]\nreserved = \"0\"\n", runtimeVersion: "v2.3.0", nriVersion: "v0.12.0");

        Assert.Equal(0x0808, configured.Events);
        Assert.Equal("[cpu]\nreserved = \"0\"\n", handler.Configured!.Config);
        Assert.Equal(NriApiLevel.V0_12, handler.Configured.Runtime.Level);
    }

    [Fact]
    public async Task Synchronize_accumulates_chunks_and_answers_more_until_the_last()
    {
        var handler = new RecordingHandler
        {
            OnSynchronize = (pods, containers) => [new ContainerUpdate { ContainerId = containers[^1].Id }],
        };
        await using PluginHarness harness = PluginHarness.Start(handler);
        await harness.Runtime.HandshakeAsync();

        var first = new SynchronizeRequest { More = true, Pods = { Pod("p1") }, Containers = { Container("c1", "p1") } };
        var last = new SynchronizeRequest { More = false, Pods = { Pod("p2") }, Containers = { Container("c2", "p2") } };
        SynchronizeResponse firstReply = await harness.Runtime.CallAsync("Synchronize", first, SynchronizeResponse.Parser);
        SynchronizeResponse lastReply = await harness.Runtime.CallAsync("Synchronize", last, SynchronizeResponse.Parser);

        Assert.True(firstReply.More);
        Assert.Empty(firstReply.Update);
        Assert.False(lastReply.More);
        Assert.Equal("c2", Assert.Single(lastReply.Update).ContainerId);
        Assert.Contains("Synchronize 2 2", handler.Calls);
    }

    [Fact]
    public async Task Synchronize_hands_over_pods_and_containers_without_what_no_reconciliation_reads()
    {
        IReadOnlyList<PodSandbox> pods = [];
        IReadOnlyList<Container> containers = [];
        var handler = new RecordingHandler
        {
            PodAnnotationPrefix = "resmgrlite.io/"u8.ToArray(),
            OnSynchronize = (p, c) =>
            {
                (pods, containers) = (p, c);
                return [];
            },
        };
        await using PluginHarness harness = PluginHarness.Start(handler);
        await harness.Runtime.HandshakeAsync();
        PodSandbox pod = Pod("p1", ("resmgrlite.io/container-roles", "init:setup"), ("io.kubernetes.cri.sandbox-name", "web"), ("resmgrlite", "no"));
        pod.Labels.Set("app", "web");
        pod.Linux = new LinuxPodSandbox { CgroupParent = "/kubepods/podp1-uid", PodResources = new LinuxResources { Cpu = new LinuxCPU { Quota = new OptionalInt64 { Value = 50000 } } } };
        pod.Ips.Add("10.0.0.7");
        Container container = Container("c1", "p1");
        container.State = ContainerState.ContainerRunning;
        container.CreatedAt = 1234;
        container.Labels.Set("app", "web");
        container.Annotations.Set("io.kubernetes.container.hash", "abcd");
        container.Args.Add("/bin/app");
        container.Env.Add("PATH=/bin");
        container.Mounts.Add(new Mount { Destination = "/etc/hosts", Source = "/tmp/hosts" });
        container.Hooks = new Hooks();
        container.Hooks.Prestart.Add(new Hook { Path = "/bin/true" });
        container.Rlimits.Add(new POSIXRlimit { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 1024 });
        container.CDIDevices.Add(new CDIDevice { Name = "vendor.com/gpu=0" });
        container.Linux = new LinuxContainer { Resources = new LinuxResources { Cpu = new LinuxCPU { Cpus = "0-3" } }, OomScoreAdj = new OptionalInt { Value = -997 } };

        await harness.Runtime.CallAsync("Synchronize", new SynchronizeRequest { Pods = { pod }, Containers = { container } }, SynchronizeResponse.Parser);

        PodSandbox gotPod = Assert.Single(pods);
        Assert.Equal(["resmgrlite.io/container-roles"], gotPod.Annotations.Select(e => e.Key));
        Assert.Empty(gotPod.Labels);
        Assert.Equal(pod.Linux, gotPod.Linux);
        Assert.Equal(pod.Ips, gotPod.Ips);
        Assert.Equal((pod.Id, pod.Uid, pod.Name, pod.Namespace), (gotPod.Id, gotPod.Uid, gotPod.Name, gotPod.Namespace));
        Container got = Assert.Single(containers);
        var expected = new Container { Id = "c1", PodSandboxId = "p1", Name = "c1-name", State = ContainerState.ContainerRunning, CreatedAt = 1234, Linux = container.Linux };
        Assert.Equal(expected, got);
    }

    [Fact]
    public async Task Event_requests_reach_a_handler_that_asks_for_it_without_labels_environment_and_mounts()
    {
        (PodSandbox Pod, Container Container)? seen = null;
        var handler = new RecordingHandler
        {
            EventPrefix = "resmgrlite.io/"u8.ToArray(),
            OnCreate = (pod, container) =>
            {
                seen = (pod, container);
                return CreateContainerResult.NoChange;
            },
        };
        await using PluginHarness harness = PluginHarness.Start(handler);
        await harness.Runtime.HandshakeAsync(new SynchronizeRequest());
        PodSandbox sent = Pod("p1", ("resmgrlite.io/pod-resources", "cpu=2"), ("io.kubernetes.cri.sandbox-name", "web"));
        sent.Labels.Set("app", "web");
        Container container = Container("c1", "p1");
        container.Env.Add("PATH=/bin");
        container.Mounts.Add(new Mount { Destination = "/etc/hosts" });
        container.Linux = new LinuxContainer { Resources = new LinuxResources { Cpu = new LinuxCPU { Cpus = "0-3" } } };

        await harness.Runtime.CallAsync("CreateContainer", new CreateContainerRequest { Pod = sent, Container = container }, CreateContainerResponse.Parser);

        Assert.NotNull(seen);
        Assert.Equal(Pod("p1", ("resmgrlite.io/pod-resources", "cpu=2")), seen.Value.Pod);
        Assert.Equal(new Container { Id = "c1", PodSandboxId = "p1", Name = "c1-name", Linux = container.Linux }, seen.Value.Container);
    }

    [Fact]
    public async Task Create_container_returns_the_handlers_adjustment_and_updates()
    {
        var handler = new RecordingHandler
        {
            OnCreate = (pod, container) => new CreateContainerResult(
                new ContainerAdjustment { Linux = new LinuxContainerAdjustment { Resources = new LinuxResources { Cpu = new LinuxCPU { Cpus = "2-3" } } } },
                [new ContainerUpdate { ContainerId = "other", Linux = new LinuxContainerUpdate { Resources = new LinuxResources { Cpu = new LinuxCPU { Cpus = "0-1" } } } }]),
        };
        await using PluginHarness harness = PluginHarness.Start(handler);
        await harness.Runtime.HandshakeAsync(new SynchronizeRequest());

        var request = new CreateContainerRequest { Pod = Pod("p1"), Container = Container("c1", "p1") };
        CreateContainerResponse response = await harness.Runtime.CallAsync("CreateContainer", request, CreateContainerResponse.Parser);

        Assert.Equal("2-3", response.Adjust.Linux.Resources.Cpu.Cpus);
        Assert.Equal("other", Assert.Single(response.Update).ContainerId);
    }

    [Fact]
    public async Task Every_event_reaches_the_handler()
    {
        var handler = new RecordingHandler();
        await using PluginHarness harness = PluginHarness.Start(handler);
        await harness.Runtime.HandshakeAsync(new SynchronizeRequest());
        PodSandbox pod = Pod("p1");
        Container container = Container("c1", "p1");

        await harness.Runtime.CallAsync("StateChange", new StateChangeEvent { Event = Event.RunPodSandbox, Pod = pod }, Empty.Parser);
        await harness.Runtime.CallAsync("UpdateContainer", new UpdateContainerRequest { Pod = pod, Container = container, LinuxResources = new LinuxResources { Cpu = new LinuxCPU { Cpus = "5" } } }, UpdateContainerResponse.Parser);
        await harness.Runtime.CallAsync("StopContainer", new StopContainerRequest { Pod = pod, Container = container }, StopContainerResponse.Parser);
        await harness.Runtime.CallAsync("StateChange", new StateChangeEvent { Event = Event.RemoveContainer, Pod = pod, Container = container }, Empty.Parser);
        await harness.Runtime.CallAsync("UpdatePodSandbox", new UpdatePodSandboxRequest { Pod = pod, LinuxResources = new LinuxResources { Cpu = new LinuxCPU { Cpus = "1-2" } } }, UpdatePodSandboxResponse.Parser);
        await harness.Runtime.CallAsync("Shutdown", new Empty(), Empty.Parser);
        ValidateContainerAdjustmentResponse validated = await harness.Runtime.CallAsync("ValidateContainerAdjustment", new ValidateContainerAdjustmentRequest { Pod = pod, Container = container }, ValidateContainerAdjustmentResponse.Parser);

        Assert.False(validated.Reject);
        Assert.Equal(
            ["Configure", "Synchronize 0 0", "StateChange RunPodSandbox", "UpdateContainer c1 5", "StopContainer c1", "StateChange RemoveContainer", "UpdatePodSandbox p1 1-2", "Shutdown"],
            handler.Calls.ToArray());
    }

    [Theory]
    [InlineData("RunPodSandbox", Event.RunPodSandbox, false)]
    [InlineData("StopPodSandbox", Event.StopPodSandbox, false)]
    [InlineData("RemovePodSandbox", Event.RemovePodSandbox, false)]
    [InlineData("PostCreateContainer", Event.PostCreateContainer, true)]
    [InlineData("StartContainer", Event.StartContainer, true)]
    [InlineData("PostStartContainer", Event.PostStartContainer, true)]
    [InlineData("PostUpdateContainer", Event.PostUpdateContainer, true)]
    [InlineData("RemoveContainer", Event.RemoveContainer, true)]
    public async Task DedicatedV012RpcsMapToStateChange(string method, Event expected, bool hasContainer)
    {
        var handler = new RecordingHandler();
        await using PluginHarness harness = PluginHarness.Start(handler);
        await harness.Runtime.HandshakeAsync(new SynchronizeRequest(), runtimeVersion: "v2.3.0", nriVersion: "v0.12.0");

        // Every dedicated request has pod = 1 and, for container events, container = 2.
        var request = new CreateContainerRequest { Pod = Pod("p9"), Container = hasContainer ? Container("c9", "p9") : null };
        FakeNriResponse response = await harness.Runtime.CallRawAsync(FakeNriRuntime.PluginService, method, request.ToByteArray());

        Assert.Equal(0, response.StatusCode);
        Assert.Empty(response.Payload);
        Assert.Equal((expected, "p9", hasContainer ? "c9" : null), Assert.Single(handler.StateChanges));
    }

    [Fact]
    public async Task Unknown_method_gets_the_exact_spec_reply()
    {
        await using PluginHarness harness = PluginHarness.Start();
        await harness.Runtime.HandshakeAsync(new SynchronizeRequest());

        // Configure was stream 1 and Synchronize stream 3; "Foo" on stream 5 must answer like §8.5.
        FakeNriResponse response = await harness.Runtime.CallRawAsync(FakeNriRuntime.PluginService, "Foo", []);

        Assert.Equal((12, "method Foo"), (response.StatusCode, response.StatusMessage));
        byte[] expected = SpecFixtures.UnknownMethodFooStream3[8..];
        expected[7] = 5;
        Assert.Contains(harness.Runtime.ReceivedFrames, f => f.ConnId == 1 && f.Payload.SequenceEqual(expected));
    }

    [Fact]
    public async Task Unknown_service_gets_unimplemented_naming_the_service()
    {
        await using PluginHarness harness = PluginHarness.Start();
        await harness.Runtime.HandshakeAsync();

        FakeNriResponse response = await harness.Runtime.CallRawAsync("nri.pkg.api.v1alpha1.HostFunctions", "Log", []);

        Assert.Equal((12, "service nri.pkg.api.v1alpha1.HostFunctions"), (response.StatusCode, response.StatusMessage));
    }

    [Fact]
    public async Task Even_and_reused_stream_ids_are_refused_like_the_go_server()
    {
        await using PluginHarness harness = PluginHarness.Start();
        await harness.Runtime.HandshakeAsync();
        byte[] request = FakeNriRuntime.EncodeRequest(FakeNriRuntime.PluginService, "Shutdown", []);

        Task<FakeNriResponse> even = harness.Runtime.ExpectResponseAsync(4);
        await harness.Runtime.SendMessageAsync(1, 4, 1, request);
        FakeNriResponse evenReply = await even.WaitAsync(Wait);
        Task<FakeNriResponse> reused = harness.Runtime.ExpectResponseAsync(1);
        await harness.Runtime.SendMessageAsync(1, 1, 1, request);
        FakeNriResponse reusedReply = await reused.WaitAsync(Wait);

        Assert.Equal((3, "StreamID must be odd for client initiated streams"), (evenReply.StatusCode, evenReply.StatusMessage));
        Assert.Equal((3, "StreamID cannot be re-used and must increment"), (reusedReply.StatusCode, reusedReply.StatusMessage));
    }

    [Fact]
    public async Task Handler_failure_becomes_a_status_and_the_plugin_goes_on()
    {
        var handler = new RecordingHandler { OnCreate = (_, c) => throw new InvalidOperationException($"no CPUs left for {c.Id}") };
        await using PluginHarness harness = PluginHarness.Start(handler);
        await harness.Runtime.HandshakeAsync(new SynchronizeRequest());

        var error = await Assert.ThrowsAsync<TtrpcStatusException>(() =>
            harness.Runtime.CallAsync("CreateContainer", new CreateContainerRequest { Pod = Pod("p"), Container = Container("c1", "p") }, CreateContainerResponse.Parser));
        await harness.Runtime.CallAsync("StopContainer", new StopContainerRequest { Pod = Pod("p"), Container = Container("c1", "p") }, StopContainerResponse.Parser);

        Assert.Equal(TtrpcStatusCode.Unknown, error.Code);
        Assert.Contains("no CPUs left for c1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Undecodable_payload_is_internal_error()
    {
        await using PluginHarness harness = PluginHarness.Start();
        await harness.Runtime.HandshakeAsync();

        // Field 1 (pod) as LEN with a length running past the end.
        FakeNriResponse response = await harness.Runtime.CallRawAsync(FakeNriRuntime.PluginService, "CreateContainer", [0x0a, 0x05, 0x01]);

        Assert.Equal(13, response.StatusCode);
    }

    [Fact]
    public async Task Large_messages_in_both_directions_use_the_go_split()
    {
        var handler = new RecordingHandler
        {
            OnCreate = (pod, container) =>
            {
                // Echo the pod's annotations back: a reply well over 4096 bytes.
                var adjustment = new ContainerAdjustment();
                adjustment.Annotations.Add(pod.Annotations);
                return new CreateContainerResult(adjustment, []);
            },
        };
        await using PluginHarness harness = PluginHarness.Start(handler);
        await harness.Runtime.HandshakeAsync(new SynchronizeRequest());
        var pod = Pod("big");
        for (int i = 0; i < 400; i++)
        {
            pod.Annotations.Set($"example.com/key-{i:D4}", new string((char)('a' + (i % 26)), 40));
        }

        CreateContainerResponse response = await harness.Runtime.CallAsync("CreateContainer", new CreateContainerRequest { Pod = pod, Container = Container("c", "big") }, CreateContainerResponse.Parser);

        Assert.Equal(400, response.Adjust.Annotations.Count);
        FakeNriMessage reply = harness.Runtime.ReceivedMessages.Single(m => m.ConnId == 1 && m.Data.Length > 4096);
        int total = reply.Data.Length + 10;
        FakeNriFrame[] frames = harness.Runtime.ReceivedFrames.Where(f => f.ConnId == 1).ToArray();
        int head = Array.FindIndex(frames, f => f.Payload.Length == 4096);
        Assert.True(head >= 0, "the first 4096 bytes of the long reply travel alone");
        Assert.Equal(total - 4096, frames[head + 1].Payload.Length);
        Assert.All(harness.Runtime.ReceivedFrames, f => Assert.True(f.Payload.Length <= 4096 || f == frames[head + 1]));
        Assert.All(harness.Runtime.ReceivedFrames, f => Assert.NotEmpty(f.Payload));
    }

    [Fact]
    public async Task Runtime_messages_in_one_byte_frames_are_reassembled()
    {
        var handler = new RecordingHandler();
        await using PluginHarness harness = PluginHarness.Start(handler);
        harness.Runtime.OutgoingFrameSize = 1;

        ConfigureResponse configured = await harness.Runtime.HandshakeAsync(new SynchronizeRequest { Pods = { Pod("p1") } });
        await harness.Runtime.CallAsync("CreateContainer", new CreateContainerRequest { Pod = Pod("p1"), Container = Container("c1", "p1") }, CreateContainerResponse.Parser);

        Assert.Equal((int)handler.Wanted, configured.Events);
        Assert.Contains("CreateContainer c1", handler.Calls);
    }

    [Fact]
    public async Task Frames_for_unopened_connections_and_empty_frames_are_ignored()
    {
        var handler = new RecordingHandler();
        await using PluginHarness harness = PluginHarness.Start(handler);
        await harness.Runtime.HandshakeAsync();

        await harness.Runtime.SendRawAsync(Hex.Parse("00 00 00 07 00 00 00 03 de ad 00   00 00 00 01 00 00 00 00   00 00 00 00 00 00 00 01 ff"));
        await harness.Runtime.CallAsync("Shutdown", new Empty(), Empty.Parser);

        Assert.Contains("Shutdown", handler.Calls);
    }

    [Fact]
    public async Task Oversized_request_is_discarded_and_answered_resource_exhausted()
    {
        var handler = new RecordingHandler();
        await using PluginHarness harness = PluginHarness.Start(handler);
        await harness.Runtime.HandshakeAsync();
        uint streamId = harness.Runtime.TakeStreamId();

        Task<FakeNriResponse> reply = harness.Runtime.ExpectResponseAsync(streamId);
        await harness.Runtime.SendMessageAsync(1, streamId, 1, new byte[(4 << 20) + 1]);
        FakeNriResponse refused = await reply.WaitAsync(Wait);
        await harness.Runtime.CallAsync("Shutdown", new Empty(), Empty.Parser);

        Assert.Equal(8, refused.StatusCode);
        Assert.Contains("Shutdown", handler.Calls);
    }

    [Fact]
    public async Task Oversized_mux_frame_closes_the_connection_with_a_logged_reason()
    {
        await using PluginHarness harness = PluginHarness.Start();
        await harness.Runtime.HandshakeAsync();

        await harness.Runtime.SendRawAsync(Hex.Parse("00 00 00 01 7f ff ff ff"));

        await harness.Runtime.Closed.WaitAsync(Wait);
        Assert.Equal(0, await harness.Exit.WaitAsync(Wait));
        Assert.True(harness.Log.Contains("closing NRI connection"));
    }

    [Fact]
    public async Task Unknown_ttrpc_type_closes_the_connection()
    {
        await using PluginHarness harness = PluginHarness.Start();
        await harness.Runtime.HandshakeAsync();

        await harness.Runtime.SendMessageAsync(1, 9, 0x07, []);

        await harness.Runtime.Closed.WaitAsync(Wait);
        Assert.True(harness.Log.Contains("\\x07"));
    }

    [Fact]
    public async Task Eof_ends_the_pre_launched_plugin_cleanly()
    {
        await using PluginHarness harness = PluginHarness.Start();
        await harness.Runtime.HandshakeAsync();

        harness.Runtime.Close();

        Assert.Equal(0, await harness.Exit.WaitAsync(Wait));
    }

    [Fact]
    public async Task Registration_error_ends_the_pre_launched_plugin_with_failure()
    {
        var (runtimeEnd, pluginEnd) = SocketPair.Create();
        var options = new NriConnectionOptions { ConnectedSocket = pluginEnd, PluginName = "test", PluginIndex = "50" };
        Task<int> exit = NriPluginHost.RunAsync(options, new RecordingHandler(), new CollectingLog(), CancellationToken.None);

        // Answer RegisterPlugin (conn 2, stream 1) with an error status, as a runtime refusing the name would.
        using (runtimeEnd)
        {
            byte[] header = new byte[8];
            await runtimeEnd.ReceiveAsync(header);
            byte[] rest = new byte[(header[6] << 8) | header[7]];
            int read = 0;
            while (read < rest.Length)
            {
                read += await runtimeEnd.ReceiveAsync(rest.AsMemory(read));
            }

            byte[] status = Hex.Concat(Hex.Parse("0a 0b 08 03 12 07"), Hex.Ascii("bad idx"));
            byte[] reply = Hex.Concat(Hex.Parse("00 00 00 02 00 00 00 17  00 00 00 0d 00 00 00 01 02 00"), status);
            await runtimeEnd.SendAsync(reply);

            Assert.Equal(1, await exit.WaitAsync(Wait));
        }
    }

    [Fact]
    public async Task Updates_from_inside_a_handler_are_sent_without_blocking_the_reply()
    {
        var handler = new RecordingHandler();
        handler.OnCreate = (pod, container) =>
        {
            // Not awaited: awaiting here would deadlock a real runtime (docs/nri-rules.md §7.5).
            _ = handler.Configured!.Updates.UpdateContainersAsync([new ContainerUpdate { ContainerId = "neighbour" }]);
            return CreateContainerResult.NoChange;
        };
        await using PluginHarness harness = PluginHarness.Start(handler);
        await harness.Runtime.HandshakeAsync(new SynchronizeRequest());

        await harness.Runtime.CallAsync("CreateContainer", new CreateContainerRequest { Pod = Pod("p"), Container = Container("c", "p") }, CreateContainerResponse.Parser);

        Assert.True(await harness.Runtime.WaitForUpdateAsync(Wait));
        Assert.Equal("neighbour", Assert.Single(Assert.Single(harness.Runtime.UpdateRequests).Update).ContainerId);
    }

    [Fact]
    public async Task Failed_unsolicited_update_fails_the_whole_call_and_is_logged()
    {
        var handler = new RecordingHandler();
        await using PluginHarness harness = PluginHarness.Start(handler);
        await harness.Runtime.HandshakeAsync(new SynchronizeRequest());
        harness.Runtime.UpdateContainersStatus = 2;

        UpdateContainersResult result = await harness.Host.UpdateContainersAsync([new ContainerUpdate { ContainerId = "x" }]);

        Assert.False(result.Applied("x"));
        Assert.Contains("NRI update of some containers failed", result.Problem, StringComparison.Ordinal);
        Assert.True(harness.Log.Contains("NRI update of some containers failed"));
    }

    [Fact]
    public async Task Pre_launched_path_works_on_a_raw_inherited_descriptor()
    {
        (int runtimeFd, int pluginFd) = SocketPair.CreateDescriptors();
        Assert.True(NriEnvironment.TryGetPreLaunched(
            name => name switch { "NRI_PLUGIN_SOCKET" => pluginFd.ToString(System.Globalization.CultureInfo.InvariantCulture), "NRI_PLUGIN_NAME" => "resmgrlite", "NRI_PLUGIN_IDX" => "90", _ => null },
            "/opt/nri/plugins/90-resmgrlite",
            out NriPreLaunchedPlugin? plugin));
        var handler = new RecordingHandler();
        var options = new NriConnectionOptions { ConnectedSocket = plugin!.OpenSocket(), PluginName = plugin.Name, PluginIndex = plugin.Index };
        Task<int> exit = NriPluginHost.RunAsync(options, handler, new CollectingLog(), CancellationToken.None);
        await using FakeNriRuntime runtime = FakeNriRuntime.Attach(SocketPair.FromDescriptor(runtimeFd));

        RegisterPluginRequest registered = await runtime.Registered.WaitAsync(Wait);
        await runtime.ConfigureAsync("log-file = \"/tmp/x\"");
        runtime.Close();

        Assert.Equal(("resmgrlite", "90"), (registered.PluginName, registered.PluginIdx));
        Assert.Equal(0, await exit.WaitAsync(Wait));
        Assert.Equal("log-file = \"/tmp/x\"", handler.Configured!.Config);
    }

    [Fact]
    public async Task Requests_are_handled_concurrently_and_answered_out_of_order()
    {
        using var fastDone = new ManualResetEventSlim();
        var handler = new RecordingHandler
        {
            OnCreate = (pod, container) =>
            {
                if (container.Id == "slow")
                {
                    // Only returns once the later request was answered: a serial server would hang here.
                    Assert.True(fastDone.Wait(TimeSpan.FromSeconds(10)));
                }

                return CreateContainerResult.NoChange;
            },
        };
        await using PluginHarness harness = PluginHarness.Start(handler);
        await harness.Runtime.HandshakeAsync(new SynchronizeRequest());

        Task<CreateContainerResponse> slow = harness.Runtime.CallAsync("CreateContainer", new CreateContainerRequest { Pod = Pod("p"), Container = Container("slow", "p") }, CreateContainerResponse.Parser);
        await harness.Runtime.CallAsync("CreateContainer", new CreateContainerRequest { Pod = Pod("p"), Container = Container("fast", "p") }, CreateContainerResponse.Parser);
        fastDone.Set();
        await slow.WaitAsync(Wait);

        FakeNriMessage[] replies = [.. harness.Runtime.ReceivedMessages.Where(m => m.ConnId == 1 && m.StreamId >= 5)];
        Assert.Equal([7u, 5u], replies.Select(m => m.StreamId).ToArray());
    }

    [Fact]
    public async Task Client_calls_use_odd_increasing_stream_ids_on_conn_2()
    {
        await using PluginHarness harness = PluginHarness.Start();
        await harness.Runtime.HandshakeAsync(new SynchronizeRequest());

        UpdateContainersResult[] results = await Task.WhenAll(
            harness.Host.UpdateContainersAsync([new ContainerUpdate { ContainerId = "a" }]),
            harness.Host.UpdateContainersAsync([new ContainerUpdate { ContainerId = "b" }]),
            harness.Host.UpdateContainersAsync([new ContainerUpdate { ContainerId = "c" }]));

        Assert.All(results, r => Assert.True(r.AllSucceeded));
        uint[] streams = [.. harness.Runtime.ReceivedMessages.Where(m => m.ConnId == 2 && m.Type == 1).Select(m => m.StreamId)];
        Assert.Equal([1u, 3u, 5u, 7u], streams);
        Assert.Equal(["a", "b", "c"], harness.Runtime.UpdateRequests.Select(r => r.Update[0].ContainerId).Order().ToArray());
    }

    [Theory]
    [InlineData("v2.1.9", 0x0808 & 0x7FF)]    // NRI v0.8: pod update events unknown, not subscribed
    [InlineData("v2.2.0", 0x1808)]            // NRI v0.10 (from the version table): both pod update events
    public async Task Configure_subscribes_to_pod_update_events_only_where_the_runtime_knows_them(string containerdVersion, int expected)
    {
        var handler = new RecordingHandler { Wanted = NriEventMask.CreateContainer | NriEventMask.UpdatePodSandbox | NriEventMask.PostUpdatePodSandbox };
        await using PluginHarness harness = PluginHarness.Start(handler);
        await harness.Runtime.Registered.WaitAsync(Wait);

        ConfigureResponse configured = await harness.Runtime.ConfigureAsync(runtimeVersion: containerdVersion, registrationTimeoutMs: 5000, requestTimeoutMs: 2000);

        Assert.Equal(expected, configured.Events);
        Assert.Single(harness.Log.Entries, e => e.Message.StartsWith($"runtime containerd {containerdVersion}, NRI v0.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pod_update_events_reach_their_handler_methods_as_dedicated_calls_and_as_state_change()
    {
        var handler = new RecordingHandler();
        await using PluginHarness harness = PluginHarness.Start(handler);
        await harness.Runtime.HandshakeAsync(new SynchronizeRequest(), runtimeVersion: "v2.3.0", nriVersion: "v0.12.2");
        PodSandbox pod = Pod("p1");
        var resized = new LinuxResources { Cpu = new LinuxCPU { Shares = new OptionalUInt64 { Value = 2048 } } };

        // v0.12: UpdatePodSandbox and PostUpdatePodSandbox as their own calls; v0.10-v0.11 send the latter as a StateChange.
        FakeNriResponse update = await harness.Runtime.CallRawAsync(FakeNriRuntime.PluginService, "UpdatePodSandbox", new UpdatePodSandboxRequest { Pod = pod, LinuxResources = resized }.ToByteArray());
        FakeNriResponse post = await harness.Runtime.CallRawAsync(FakeNriRuntime.PluginService, "PostUpdatePodSandbox", new PostUpdatePodSandboxRequest { Pod = pod }.ToByteArray());
        await harness.Runtime.CallAsync("StateChange", new StateChangeEvent { Event = Event.PostUpdatePodSandbox, Pod = Pod("p2") }, Empty.Parser);

        Assert.Equal((0, 0), (update.StatusCode, update.Payload.Length));
        Assert.Equal((0, 0), (post.StatusCode, post.Payload.Length));
        Assert.Equal(["UpdatePodSandbox p1 ", "PostUpdatePodSandbox p1", "PostUpdatePodSandbox p2"], handler.Calls.Where(c => c.Contains("PodSandbox", StringComparison.Ordinal)).ToArray());
        Assert.Empty(handler.StateChanges);
    }

    [Theory]
    [InlineData("PostRemoveContainer")]
    [InlineData("UpdatePodSandboxResources")]
    [InlineData("synchronize")]
    public async Task Methods_this_binary_does_not_serve_are_unimplemented_so_the_runtime_falls_back(string method)
    {
        var handler = new RecordingHandler();
        await using PluginHarness harness = PluginHarness.Start(handler);
        await harness.Runtime.HandshakeAsync(new SynchronizeRequest(), runtimeVersion: "v2.3.0", nriVersion: "v0.12.2");

        FakeNriResponse unknown = await harness.Runtime.CallRawAsync(FakeNriRuntime.PluginService, method, new RemoveContainerRequest { Pod = Pod("p"), Container = Container("c", "p") }.ToByteArray());
        await harness.Runtime.CallAsync("StateChange", new StateChangeEvent { Event = Event.RemoveContainer, Pod = Pod("p"), Container = Container("c", "p") }, Empty.Parser);

        // Code 12 is the one answer after which a v0.12 runtime retries the event as StateChange (docs/nri-rules.md §3.6).
        Assert.Equal((12, $"method {method}"), (unknown.StatusCode, unknown.StatusMessage));
        Assert.Equal((Event.RemoveContainer, "p", "c"), Assert.Single(handler.StateChanges));
        Assert.DoesNotContain(harness.Log.Entries, e => e.Level >= ProtocolLogLevel.Warning);
    }

    [Fact]
    public async Task Synchronize_streams_every_object_in_wire_order_across_chunks()
    {
        var handler = new RecordingHandler();
        await using PluginHarness harness = PluginHarness.Start(handler);
        await harness.Runtime.HandshakeAsync();

        // A split Synchronize slices pods and containers separately (NRI v0.7+), so a container
        // can arrive a chunk before its pod.
        var first = new SynchronizeRequest { More = true, Pods = { Pod("p1") }, Containers = { Container("c1", "p1"), Container("c2", "p2") } };
        var last = new SynchronizeRequest { More = false, Pods = { Pod("p2") }, Containers = { Container("c3", "p2") } };
        await harness.Runtime.CallAsync("Synchronize", first, SynchronizeResponse.Parser);
        Assert.Equal(["pod p1", "container c1", "container c2"], handler.Streamed.ToArray());
        await harness.Runtime.CallAsync("Synchronize", last, SynchronizeResponse.Parser);

        Assert.Equal(["pod p1", "container c1", "container c2", "pod p2", "container c3"], handler.Streamed.ToArray());
        Assert.Single(handler.Calls, c => c == "Synchronize 2 3");
    }

    [Fact]
    public async Task A_malformed_synchronize_fails_and_the_next_one_starts_afresh()
    {
        var handler = new RecordingHandler();
        await using PluginHarness harness = PluginHarness.Start(handler);
        await harness.Runtime.HandshakeAsync();

        await harness.Runtime.CallAsync("Synchronize", new SynchronizeRequest { More = true, Pods = { Pod("stale") } }, SynchronizeResponse.Parser);
        // Pod field (1) declaring 9 bytes of which 2 follow.
        FakeNriResponse broken = await harness.Runtime.CallRawAsync(FakeNriRuntime.PluginService, "Synchronize", [0x0a, 0x09, 0x0a, 0x01]);
        await harness.Runtime.CallAsync("Synchronize", new SynchronizeRequest { Pods = { Pod("fresh") } }, SynchronizeResponse.Parser);

        Assert.Equal(13, broken.StatusCode);
        Assert.Contains("Synchronize", broken.StatusMessage, StringComparison.Ordinal);
        Assert.Equal(["Configure", "Synchronize 1 0"], handler.Calls.ToArray());
    }

    [Fact]
    public async Task A_four_megabyte_synchronize_is_decoded_in_place_object_by_object()
    {
        var handler = new RecordingHandler();
        await using PluginHarness harness = PluginHarness.Start(handler);
        await harness.Runtime.HandshakeAsync();
        var request = new SynchronizeRequest();
        for (int i = 0; i < 1000; i++)
        {
            PodSandbox pod = Pod($"p{i}");
            for (int a = 0; a < 20; a++)
            {
                pod.Annotations.Set($"example.com/annotation-{a:D2}", new string('x', 160));
            }

            request.Pods.Add(pod);
            request.Containers.Add(Container($"c{i}", $"p{i}"));
        }

        Assert.InRange(request.CalculateSize(), 3 << 20, 4 << 20);
        SynchronizeResponse reply = await harness.Runtime.CallAsync("Synchronize", request, SynchronizeResponse.Parser);

        Assert.False(reply.More);
        Assert.Equal(2000, handler.Streamed.Count);
        Assert.Equal(["pod p0", "pod p1"], handler.Streamed.Take(2).ToArray());
        Assert.Equal("container c999", handler.Streamed.Last());
        Assert.Contains("Synchronize 1000 1000", handler.Calls);
    }

    [Fact]
    public async Task A_synchronize_larger_than_the_connection_holds_is_decoded_while_it_arrives()
    {
        var handler = new RecordingHandler();
        await using PluginHarness harness = PluginHarness.Start(handler);
        await harness.Runtime.HandshakeAsync();
        var request = new SynchronizeRequest();
        for (int i = 0; i < 400; i++)
        {
            PodSandbox pod = Pod($"p{i}", ("example.com/padding", new string('x', 2000)));
            request.Pods.Add(pod);
            request.Containers.Add(Container($"c{i}", $"p{i}"));
        }

        byte[] envelope = FakeNriRuntime.EncodeRequest(FakeNriRuntime.PluginService, "Synchronize", request.ToByteArray());
        Assert.True(envelope.Length > 3 * ResMgrLite.Nri.Plugin.NriSession.ConnectionHoldLimit, "the request must be well over what a connection holds");
        uint streamId = harness.Runtime.TakeStreamId();
        Task<FakeNriResponse> response = harness.Runtime.ExpectResponseAsync(streamId);
        byte[] message = new byte[10 + envelope.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(message, (uint)envelope.Length);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), streamId);
        message[8] = 1;
        envelope.CopyTo(message, 10);
        byte[] framed = harness.Runtime.Frame(1, message);
        int half = framed.Length / 2;

        await harness.Runtime.SendRawAsync(framed[..half]);
        DateTime giveUp = DateTime.UtcNow + Wait;
        while (handler.Streamed.Count < 100 && DateTime.UtcNow < giveUp)
        {
            await Task.Delay(10);
        }

        // Pods reached the handler before the rest of the message was even sent.
        Assert.InRange(handler.Streamed.Count, 100, 799);
        await harness.Runtime.SendRawAsync(framed[half..]);
        FakeNriResponse reply = await response.WaitAsync(Wait);

        Assert.Equal(0, reply.StatusCode);
        Assert.Contains("Synchronize 400 400", handler.Calls);
        Assert.Equal("container c399", handler.Streamed.Last());
    }
}
