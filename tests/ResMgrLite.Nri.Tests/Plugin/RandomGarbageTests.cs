using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;
using ResMgrLite.Nri.Api;
using ResMgrLite.Nri.Plugin;
using ResMgrLite.Nri.Protobuf;
using ResMgrLite.Nri.Tests.Support;
using ResMgrLite.Nri.Transport;
using ResMgrLite.Nri.Ttrpc;
using ResMgrLite.TestSupport.FakeNri;

namespace ResMgrLite.Nri.Tests.Plugin;

/// <summary>
/// Seeded random input: at least 100,000 inputs per run. Any input may close a
/// connection; nothing may crash the process or wedge the plugin.
/// </summary>
public class RandomGarbageTests
{
    private const int Seed = 20261122;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static readonly string[] Methods =
    [
        "Configure", "Synchronize", "Shutdown", "CreateContainer", "UpdateContainer", "StopContainer", "StateChange",
        "UpdatePodSandbox", "ValidateContainerAdjustment", "RunPodSandbox", "PostUpdatePodSandbox", "StopPodSandbox",
        "RemovePodSandbox", "PostCreateContainer", "StartContainer", "PostStartContainer", "PostUpdateContainer",
        "RemoveContainer", "", "Nope", "configure",
    ];

    /// <summary>Random bytes, half of them behind a plausible mux/ttrpc header so the decoders get deep.</summary>
    private static byte[] Garbage(Random random)
    {
        byte[] body = new byte[random.Next(0, 48)];
        random.NextBytes(body);
        if (random.Next(2) == 0)
        {
            return body;
        }

        byte[] framed = new byte[8 + 10 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed, (uint)random.Next(0, 4));
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(4), (uint)(10 + body.Length + random.Next(-2, 3)));
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(8), (uint)(body.Length + random.Next(-2, 3)));
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(12), (uint)random.Next(0, 8));
        framed[16] = (byte)random.Next(0, 5);
        body.CopyTo(framed, 18);
        return framed;
    }

    [Fact]
    public async Task Decoders_accept_or_reject_every_input_without_any_other_exception()
    {
        var random = new Random(Seed);
        var service = new NriPluginService(new RecordingHandler(), new NoRuntime(), NullProtocolLog.Instance);
        int violations = 0;
        int requests = 0;
        for (int i = 0; i < 100_000; i++)
        {
            byte[] input = Garbage(random);
            ReadOnlySequence<byte> trunk = SequenceFactory.Segmented(input, random.Next(1, 9), emptyBetween: random.Next(2) == 0);
            try
            {
                while (MuxFrames.TryReadFrame(ref trunk, out _, out ReadOnlySequence<byte> payload))
                {
                    while (TtrpcFrameReader.TryReadMessage(ref payload, out TtrpcMessageHeader header, out ReadOnlySequence<byte> data) == TtrpcReadStatus.Message)
                    {
                        requests++;
                        await DispatchAsync(service, data);
                    }
                }
            }
            catch (ProtocolViolationException)
            {
                violations++;
            }
        }

        Assert.InRange(violations, 1, 99_999);
        Assert.InRange(requests, 1, 99_999);
    }

    private static async Task DispatchAsync(NriPluginService service, ReadOnlySequence<byte> data)
    {
        TtrpcRequestEnvelope request;
        try
        {
            request = TtrpcRequestEnvelope.Read(data);
        }
        catch (ProtobufFormatException)
        {
            // Stricter than Google.Protobuf in one place, like Go: a tag over 32 bits is refused, not truncated.
            return;
        }

        // Where the generated parser reads it too, both agree.
        if (TryParseWithGoogle(data, out Request? reference))
        {
            Assert.Equal((reference!.Service, reference.Method, reference.TimeoutNano), (request.Service, request.Method, request.TimeoutNano));
            Assert.Equal(reference.Payload.ToByteArray(), request.Payload.ToArray());
        }

        try
        {
            await service.DispatchAsync(request.Service, request.Method, request.Payload, CancellationToken.None);
        }
        catch (Exception ex) when (ex is TtrpcStatusException or InvalidProtocolBufferException or ProtobufFormatException)
        {
            // The server turns these into status replies.
        }
    }

    private static bool TryParseWithGoogle(ReadOnlySequence<byte> data, out Request? request)
    {
        try
        {
            request = Request.Parser.ParseFrom(data);
            return true;
        }
        catch (InvalidProtocolBufferException)
        {
            request = null;
            return false;
        }
    }

    [Fact]
    public async Task Plugin_answers_every_one_of_100000_random_requests_and_stays_usable()
    {
        var random = new Random(Seed);
        var handler = new RecordingHandler();
        await using PluginHarness harness = PluginHarness.Start(handler);
        await harness.Runtime.HandshakeAsync(new SynchronizeRequest());
        const int Total = 100_000;
        const int Batch = 1000;
        int answered = 0;
        int errors = 0;
        for (int start = 0; start < Total; start += Batch)
        {
            var replies = new Task<FakeNriResponse>[Batch];
            var wire = new MemoryStream();
            for (int i = 0; i < Batch; i++)
            {
                byte[] payload = new byte[random.Next(0, 40)];
                random.NextBytes(payload);
                string method = Methods[random.Next(Methods.Length)];
                string service = random.Next(20) == 0 ? "x.Plugin" : FakeNriRuntime.PluginService;
                uint streamId = harness.Runtime.TakeStreamId();
                replies[i] = harness.Runtime.ExpectResponseAsync(streamId);
                wire.Write(harness.Runtime.Frame(1, Ttrpc(streamId, FakeNriRuntime.EncodeRequest(service, method, payload))));
            }

            await harness.Runtime.SendRawAsync(wire.ToArray());
            foreach (FakeNriResponse reply in await Task.WhenAll(replies).WaitAsync(Wait))
            {
                answered++;
                errors += reply.StatusCode == 0 ? 0 : 1;
            }
        }

        CreateContainerResponse last = await harness.Runtime.CallAsync(
            "CreateContainer",
            new CreateContainerRequest { Pod = new PodSandbox { Id = "p" }, Container = new Container { Id = "after-fuzz" } },
            CreateContainerResponse.Parser);

        Assert.Equal(Total, answered);
        Assert.InRange(errors, 1, Total - 1);
        Assert.NotNull(last);
        Assert.Contains("CreateContainer after-fuzz", handler.Calls);
        Assert.False(harness.Exit.IsCompleted);
    }

    [Fact]
    public async Task Raw_garbage_on_fresh_connections_never_crashes_the_host()
    {
        var random = new Random(Seed + 1);
        for (int i = 0; i < 200; i++)
        {
            await using PluginHarness harness = PluginHarness.Start();
            await harness.Runtime.Registered.WaitAsync(Wait);
            byte[] garbage = new byte[random.Next(1, 200)];
            random.NextBytes(garbage);
            if (random.Next(2) == 0)
            {
                garbage[0] = 0;
                garbage[1] = 0;
            }

            await harness.Runtime.SendRawAsync(garbage);
            harness.Runtime.Close();

            int exit = await harness.Exit.WaitAsync(Wait);
            Assert.InRange(exit, 0, 1);
        }
    }

    private static byte[] Ttrpc(uint streamId, byte[] data)
    {
        byte[] message = new byte[10 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(message, (uint)data.Length);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), streamId);
        message[8] = 1;
        data.CopyTo(message, 10);
        return message;
    }

    private sealed class NoRuntime : INriRuntime
    {
        public Task<UpdateContainersResult> UpdateContainersAsync(IReadOnlyList<ContainerUpdate> updates) => Task.FromResult(UpdateContainersResult.CallFailed("not connected"));
    }
}
