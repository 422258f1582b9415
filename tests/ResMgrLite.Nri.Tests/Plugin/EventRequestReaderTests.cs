using System.Buffers;
using Google.Protobuf;
using ResMgrLite.Nri.Api;
using ResMgrLite.Nri.Plugin;
using ResMgrLite.Nri.Protobuf;
using ResMgrLite.Nri.Tests.Support;

namespace ResMgrLite.Nri.Tests.Plugin;

public class EventRequestReaderTests
{
    private static ReadOnlySpan<byte> Prefix => "resmgrlite.io/"u8;

    private static PodSandbox FullPod()
    {
        PodSandbox pod = PluginProtocolTests.Pod("p1", ("resmgrlite.io/container-roles", "init:setup"), ("io.kubernetes.cri.sandbox-name", "web"), ("resmgrlite", "no"));
        pod.Labels.Set("app", "web");
        pod.RuntimeHandler = "runc";
        pod.Pid = 42;
        pod.Linux = new LinuxPodSandbox { CgroupParent = "/kubepods/podp1-uid", PodResources = new LinuxResources { Cpu = new LinuxCPU { Quota = new OptionalInt64 { Value = 50000 } } } };
        pod.Ips.Add("10.0.0.7");
        return pod;
    }

    private static Container FullContainer()
    {
        Container container = PluginProtocolTests.Container("c1", "p1");
        container.State = ContainerState.ContainerCreated;
        container.CreatedAt = 1234;
        container.Pid = 7;
        container.Labels.Set("app", "web");
        container.Annotations.Set("io.kubernetes.container.hash", "abcd");
        container.Args.Add("/bin/app");
        container.Env.Add("PATH=/bin");
        container.Mounts.Add(new Mount { Destination = "/etc/hosts", Source = "/tmp/hosts", Options = { "rbind" } });
        container.Hooks = new Hooks();
        container.Hooks.Prestart.Add(new Hook { Path = "/bin/true" });
        container.Rlimits.Add(new POSIXRlimit { Type = "RLIMIT_NOFILE", Hard = 1024, Soft = 1024 });
        container.CDIDevices.Add(new CDIDevice { Name = "vendor.com/gpu=0" });
        container.Linux = new LinuxContainer
        {
            Resources = new LinuxResources { Cpu = new LinuxCPU { Shares = new OptionalUInt64 { Value = 102 }, Cpus = "0-3" }, Memory = new LinuxMemory { Limit = new OptionalInt64 { Value = 1 << 30 } } },
            OomScoreAdj = new OptionalInt { Value = -997 },
            CgroupsPath = "/kubepods/podp1-uid/c1",
        };
        return container;
    }

    /// <summary>What a handler reads of <see cref="FullPod"/>: everything but the labels and the annotations of others.</summary>
    private static PodSandbox SlimPod()
    {
        PodSandbox pod = FullPod();
        pod.Labels.Clear();
        pod.Annotations.Remove(pod.Annotations.First(e => e.Key == "io.kubernetes.cri.sandbox-name"));
        pod.Annotations.Remove(pod.Annotations.First(e => e.Key == "resmgrlite"));
        return pod;
    }

    /// <summary>What a handler reads of <see cref="FullContainer"/>: identity, state, times, pid and the Linux part.</summary>
    private static Container SlimContainer()
    {
        Container full = FullContainer();
        return new Container { Id = full.Id, PodSandboxId = full.PodSandboxId, Name = full.Name, State = full.State, CreatedAt = full.CreatedAt, Pid = full.Pid, Linux = full.Linux };
    }

    [Fact]
    public void A_create_container_request_keeps_what_handlers_read_and_drops_the_bulk()
    {
        byte[] payload = new CreateContainerRequest { Pod = FullPod(), Container = FullContainer() }.ToByteArray();

        CreateContainerRequest got = EventRequestReader.Parse(new ReadOnlySequence<byte>(payload), CreateContainerRequest.Parser, Prefix);

        Assert.Equal(SlimPod(), got.Pod);
        Assert.Equal(SlimContainer(), got.Container);
        Assert.Equal(["resmgrlite.io/container-roles"], got.Pod.Annotations.Select(e => e.Key));
        Assert.Empty(got.Container.Env);
        Assert.Empty(got.Container.Mounts);
        Assert.Null(got.Container.Hooks);
    }

    [Fact]
    public void Fields_of_the_request_besides_pod_and_container_are_kept_as_they_are()
    {
        var requested = new LinuxResources { Cpu = new LinuxCPU { Cpus = "5" }, Unified = { new KeyValue { Key = "memory.high", Value = "max" } } };
        byte[] payload = new UpdateContainerRequest { Pod = FullPod(), Container = FullContainer(), LinuxResources = requested }.ToByteArray();

        UpdateContainerRequest got = EventRequestReader.Parse(new ReadOnlySequence<byte>(payload), UpdateContainerRequest.Parser, Prefix);

        Assert.Equal(new UpdateContainerRequest { Pod = SlimPod(), Container = SlimContainer(), LinuxResources = requested }, got);
    }

    [Fact]
    public void A_state_change_event_slims_its_pod_and_container_at_fields_2_and_3()
    {
        byte[] payload = new StateChangeEvent { Event = Event.RemoveContainer, Pod = FullPod(), Container = FullContainer() }.ToByteArray();

        StateChangeEvent got = EventRequestReader.StateChange(new ReadOnlySequence<byte>(payload), Prefix);

        Assert.Equal(new StateChangeEvent { Event = Event.RemoveContainer, Pod = SlimPod(), Container = SlimContainer() }, got);
    }

    [Fact]
    public void Without_a_prefix_the_request_is_decoded_whole()
    {
        var request = new StartContainerRequest { Pod = FullPod(), Container = FullContainer() };

        StartContainerRequest got = EventRequestReader.Parse(new ReadOnlySequence<byte>(request.ToByteArray()), StartContainerRequest.Parser, default);

        Assert.Equal(request, got);
    }

    [Fact]
    public void A_request_split_into_one_byte_segments_reads_the_same()
    {
        byte[] payload = new RemoveContainerRequest { Pod = FullPod(), Container = FullContainer() }.ToByteArray();

        RemoveContainerRequest got = EventRequestReader.Parse(SequenceFactory.Segmented(payload, 1, emptyBetween: true), RemoveContainerRequest.Parser, Prefix);

        Assert.Equal(new RemoveContainerRequest { Pod = SlimPod(), Container = SlimContainer() }, got);
    }

    [Fact]
    public void A_request_larger_than_the_pooled_buffer_is_slimmed_too()
    {
        Container container = FullContainer();
        for (int i = 0; i < 4000; i++)
        {
            container.Env.Add($"VARIABLE_{i}=some value to pad the request");
        }
        byte[] payload = new CreateContainerRequest { Pod = FullPod(), Container = container }.ToByteArray();
        Assert.True(payload.Length > 64 * 1024);

        CreateContainerRequest got = EventRequestReader.Parse(new ReadOnlySequence<byte>(payload), CreateContainerRequest.Parser, Prefix);

        Assert.Equal(SlimContainer(), got.Container);
    }

    [Fact]
    public void A_pod_given_twice_is_merged_as_the_generated_parser_merges_it()
    {
        byte[] payload = Hex.Concat(
            new RunPodSandboxRequest { Pod = new PodSandbox { Id = "p1", Labels = { new KeyValue { Key = "a", Value = "b" } } } }.ToByteArray(),
            new RunPodSandboxRequest { Pod = new PodSandbox { Uid = "u1", Annotations = { new KeyValue { Key = "resmgrlite.io/opt-out", Value = "true" } } } }.ToByteArray());

        RunPodSandboxRequest got = EventRequestReader.Parse(new ReadOnlySequence<byte>(payload), RunPodSandboxRequest.Parser, Prefix);

        Assert.Equal(new PodSandbox { Id = "p1", Uid = "u1", Annotations = { new KeyValue { Key = "resmgrlite.io/opt-out", Value = "true" } } }, got.Pod);
    }

    [Fact]
    public void A_length_prefix_in_a_longer_form_than_needed_is_rewritten_and_the_result_stays_within_the_request()
    {
        byte[] pod = new PodSandbox { Id = "p1", Labels = { new KeyValue { Key = "app", Value = "web" } } }.ToByteArray();
        // Field 1, length-delimited, its length as a five-byte varint (valid protobuf, never minimal).
        int n = pod.Length;
        byte[] payload = Hex.Concat([0x0a, (byte)(n | 0x80), 0x80, 0x80, 0x80, 0x00], pod);
        var destination = new byte[payload.Length + 5];

        int written = EventRequestReader.Slim(new ReadOnlySequence<byte>(payload), destination, 1, 2, Prefix);

        Assert.True(written <= payload.Length);
        Assert.Equal(new PodSandbox { Id = "p1" }, RunPodSandboxRequest.Parser.ParseFrom(destination.AsSpan(0, written)).Pod);
    }

    [Theory]
    [InlineData("0a 7f 0a 01 61", "declares 127 bytes but only 3 remain")]                 // the pod claims more than the request holds
    [InlineData("0a 05 32 10 0a 01 61", "declares 16 bytes but only 3 remain")]            // an annotation entry claims more than the pod holds
    [InlineData("12 06 2a 7f 0a 01 61 62", "declares 127 bytes but only 4 remain")]        // a label of the container claims more than it holds
    [InlineData("0a ff ff ff ff 0f", "declares 4294967295 bytes")]                           // a length of 4 GiB
    [InlineData("0a 03 28 ff ff", "ends inside a varint")]
    public void Hostile_lengths_are_refused_with_the_place(string hex, string expected)
    {
        var input = new ReadOnlySequence<byte>(Hex.Parse(hex));

        ProtobufFormatException error = Assert.Throws<ProtobufFormatException>(() => EventRequestReader.Parse(input, CreateContainerRequest.Parser, Prefix));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
