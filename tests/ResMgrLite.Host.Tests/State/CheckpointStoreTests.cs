using System.Diagnostics;
using System.Text;
using ResMgrLite.Engine;
using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.Resize;
using ResMgrLite.Engine.State;
using ResMgrLite.Host.State;
using ResMgrLite.TestSupport;
using ResMgrLite.TestSupport.HostFiles;

namespace ResMgrLite.Host.Tests.State;

public sealed class CheckpointStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static EngineSnapshot Sample() => new()
    {
        CpuPolicy = "static",
        ReservedCpus = CpuSet.Of(0),
        DefaultCpus = CpuSet.Parse("0,5-7,12-15"),
        Containers =
        [
            new ContainerCpuSnapshot("pod-a", "app", "ctr-1", CpuAssignmentKind.Exclusive, true, ContainerRole.App, CpuSet.Parse("1-2,9-10")),
            new ContainerCpuSnapshot("pod-b", "web \"quoted\" ü", "ctr-2", CpuAssignmentKind.NodeShared, false, ContainerRole.Sidecar, default),
            new ContainerCpuSnapshot("pod-c", "init", "ctr-3", CpuAssignmentKind.PodInitPool, false, ContainerRole.Init, CpuSet.Parse("3-4,11")),
            new ContainerCpuSnapshot("pod-c", "shared", "ctr-4", CpuAssignmentKind.PodShared, false, ContainerRole.App, default),
        ],
        Pods = [new PodCpuSnapshot("pod-c", CpuSet.Parse("3-4,11"), default, CpuSet.Parse("3-4,11"), 2)],
        PodHints = [new PodHintSnapshot("pod-c", 0b01, true)],
        CpuReuse = new CpuReuseSnapshot("pod-a", CpuSet.Parse("1-2")),
        Memory = new MemorySnapshot
        {
            Reuse = new MemoryReuseSnapshot("pod-a", [new MemoryReuseAmount(0b10, new MemoryAmounts(1L << 30, 4L << 21, 0))]),
            Containers = [new ContainerMemorySnapshot("pod-a", "app", "ctr-1", MemoryAssignmentKind.Exclusive, ContainerRole.App, 0b10, new MemoryAmounts(1L << 30, 4L << 21, 0), 0b011)],
            Pods = [new PodMemorySnapshot("pod-c", 0b01, new MemoryAmounts(2L << 30), default, new MemoryAmounts(1L << 30), 2)],
        },
        MemoryQos = new MemoryQosSnapshot
        {
            Pods = [new PodMemoryQosSnapshot("pod-a", QosClass.Guaranteed, 1L << 30), new PodMemoryQosSnapshot("pod-b", QosClass.Burstable, 256L << 20)],
        },
        Resizes =
        [
            new PodResizeSnapshot("pod-c", new ContainerResources(4000, 4000, 4L << 30, 4L << 30), new ContainerResources(3000, 3000, 2L << 30, 2L << 30), ResizeOutcome.Deferred, "CPU manager (static policy): 1 more CPU(s) are needed"),
            new PodResizeSnapshot("pod-d", new ContainerResources(500, 1000, 0, 1L << 30), new ContainerResources(500, 1000, 0, 1L << 30), ResizeOutcome.Applied, ""),
        ],
    };

    private static void AssertSame(EngineSnapshot expected, EngineSnapshot? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal((expected.CpuPolicy, expected.ReservedCpus, expected.DefaultCpus), (actual.CpuPolicy, actual.ReservedCpus, actual.DefaultCpus));
        Assert.Equal(expected.Containers, actual.Containers);
        Assert.Equal(expected.Pods, actual.Pods);
        Assert.Equal(expected.PodHints, actual.PodHints);
        Assert.Equal(expected.Memory?.Containers, actual.Memory?.Containers);
        Assert.Equal(expected.Memory?.Pods, actual.Memory?.Pods);
        Assert.Equal(expected.MemoryQos?.Pods, actual.MemoryQos?.Pods);
        Assert.Equal(expected.CpuReuse, actual.CpuReuse);
        Assert.Equal(expected.Memory?.Reuse?.PodUid, actual.Memory?.Reuse?.PodUid);
        Assert.Equal(expected.Memory?.Reuse?.Amounts, actual.Memory?.Reuse?.Amounts);
        Assert.Equal(expected.Resizes, actual.Resizes);
    }

    [Fact]
    public void Saved_state_loads_back_and_leaves_no_temp_file()
    {
        var store = new CheckpointStore(Path.Combine(_directory, "nested", "dir"));
        Assert.Equal(CheckpointStatus.Missing, store.Load().Status);
        store.Save(Sample());
        CheckpointLoadResult loaded = store.Load();
        Assert.Equal(CheckpointStatus.Loaded, loaded.Status);
        AssertSame(Sample(), loaded.Snapshot);
        Assert.Equal([store.FilePath], Directory.GetFiles(store.Directory));
    }

    [Fact]
    public async Task A_fifo_planted_at_the_temporary_file_neither_blocks_the_save_nor_stops_it()
    {
        var store = new CheckpointStore(_directory);
        SpecialFiles.CreateFifo(store.FilePath + ".tmp");
        // Opening a FIFO for writing without a reader waits forever: the save must not (a TimeoutException fails the test).
        await Task.Run(() => store.Save(Sample())).WaitAsync(TimeSpan.FromSeconds(20));
        AssertSame(Sample(), store.Load().Snapshot);
        Assert.Equal([store.FilePath], Directory.GetFileSystemEntries(store.Directory));
    }

    [Fact]
    public void A_link_planted_at_the_temporary_file_is_not_written_through()
    {
        string victim = Path.Combine(Directory.CreateDirectory(Path.Combine(_directory, "elsewhere")).FullName, "victim");
        File.WriteAllText(victim, "must stay");
        var store = new CheckpointStore(Path.Combine(_directory, "state"));
        Directory.CreateDirectory(store.Directory);
        File.CreateSymbolicLink(store.FilePath + ".tmp", victim);
        store.Save(Sample());
        Assert.Equal("must stay", File.ReadAllText(victim));
        Assert.Null(new FileInfo(store.FilePath).LinkTarget);
        AssertSame(Sample(), store.Load().Snapshot);
        Assert.Equal([store.FilePath], Directory.GetFileSystemEntries(store.Directory));
    }

    [Fact]
    public void File_starts_with_the_version_and_a_checksum_of_the_payload_bytes()
    {
        var store = new CheckpointStore(_directory);
        store.Save(Sample());
        string text = File.ReadAllText(store.FilePath);
        Assert.StartsWith($"{{\"format\":{CheckpointFormat.Version},\"checksum\":\"fnv1a64:", text, StringComparison.Ordinal);
        int payload = text.IndexOf("\"payload\":", StringComparison.Ordinal) + "\"payload\":".Length;
        byte[] payloadBytes = Encoding.UTF8.GetBytes(text[payload..^1]);
        Assert.Contains($"fnv1a64:{Fnv1a64.Hash(payloadBytes):x16}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Fnv1a64_matches_the_published_test_vectors()
    {
        Assert.Equal(0xcbf29ce484222325UL, Fnv1a64.Hash([]));
        Assert.Equal(0xaf63dc4c8601ec8cUL, Fnv1a64.Hash("a"u8));
        Assert.Equal(0x85944171f73967e8UL, Fnv1a64.Hash("foobar"u8));
    }

    [Fact]
    public void A_flipped_byte_is_a_checksum_mismatch_naming_the_file()
    {
        var store = new CheckpointStore(_directory);
        store.Save(Sample());
        string text = File.ReadAllText(store.FilePath).Replace("\"1-2,9-10\"", "\"1-2,9-11\"", StringComparison.Ordinal);
        File.WriteAllText(store.FilePath, text);
        CheckpointLoadResult loaded = store.Load();
        Assert.Equal(CheckpointStatus.Invalid, loaded.Status);
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(store.FilePath)}: checksum mismatch \\(stored fnv1a64:[0-9a-f]{{16}}, computed fnv1a64:[0-9a-f]{{16}}\\)$", loaded.Error);
    }

    [Fact]
    public void A_newer_format_is_reported_before_anything_else()
    {
        var store = new CheckpointStore(_directory);
        File.WriteAllText(store.FilePath, "{\"format\":4,\"checksum\":\"whatever\",\"payload\":{\"something\":\"new\"}}");
        Assert.Equal($"{store.FilePath}: format version 4 is newer than this binary understands (3)", store.Load().Error);
    }

    [Fact]
    public void Broken_json_names_the_byte()
    {
        var store = new CheckpointStore(_directory);
        File.WriteAllText(store.FilePath, "{\"format\":1,\"checksum\":x}");
        Assert.Equal($"{store.FilePath}: not valid JSON at byte 23 (truncated or damaged file)", store.Load().Error);
    }

    [Fact]
    public void Every_truncation_is_invalid_and_never_throws()
    {
        var store = new CheckpointStore(_directory);
        store.Save(Sample());
        byte[] full = File.ReadAllBytes(store.FilePath);
        for (int length = 0; length < full.Length; length++)
        {
            CheckpointLoadResult loaded = CheckpointFormat.Read(store.FilePath, full.AsSpan(0, length));
            Assert.True(loaded.Status == CheckpointStatus.Invalid, $"prefix of {length} bytes was accepted");
            Assert.StartsWith(store.FilePath + ": ", loaded.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_payload_with_a_valid_checksum_but_bad_content_is_reported_with_its_place()
    {
        var store = new CheckpointStore(_directory);
        store.Save(Sample() with { DefaultCpus = default });
        string text = File.ReadAllText(store.FilePath);
        // Re-seal a hand-edited payload so only the content check can catch it.
        string payload = text[(text.IndexOf("\"payload\":", StringComparison.Ordinal) + 10)..^1].Replace("\"kind\":\"podShared\"", "\"kind\":\"bogus\"", StringComparison.Ordinal);
        File.WriteAllText(store.FilePath, $"{{\"format\":1,\"checksum\":\"fnv1a64:{Fnv1a64.Hash(Encoding.UTF8.GetBytes(payload)):x16}\",\"payload\":{payload}}}");
        Assert.Equal($"{store.FilePath}: payload: containers[3].kind: \"bogus\" is not one of nodeShared, exclusive, podInitPool, podShared", store.Load().Error);
    }

    [Theory]
    [InlineData("format1-static-only.state", "static", 2, false)]
    [InlineData("format1-none-memory.state", "none", 0, true)]
    [InlineData("format1-static-memory-podlevel.state", "static", 4, true)]
    public void Files_written_by_format_1_still_load(string fixture, string cpuPolicy, int cpuContainers, bool memory)
    {
        string path = Path.Combine(RepoPaths.Root, "tests", "ResMgrLite.TestSupport", "StateFixtures", fixture);
        CheckpointLoadResult loaded = CheckpointFormat.Read(path, File.ReadAllBytes(path));
        Assert.True(loaded.Status == CheckpointStatus.Loaded, loaded.Error);
        EngineSnapshot snapshot = loaded.Snapshot!;
        Assert.Equal((cpuPolicy, cpuContainers, memory), (snapshot.CpuPolicy, snapshot.Containers.Count, snapshot.Memory is not null));
        // Format 1 had no Memory QoS accounting: Synchronize rebuilds it.
        Assert.Null(snapshot.MemoryQos);
        if (cpuContainers > 0)
        {
            Assert.Contains(snapshot.Containers, c => c.ContainerId == "ctr-g1" && c.Kind == CpuAssignmentKind.Exclusive && c.Cpus == CpuSet.Parse("1,9"));
        }
    }

    [Fact]
    public void A_file_written_before_in_place_resize_still_loads_without_resize_records()
    {
        string path = Path.Combine(RepoPaths.Root, "tests", "ResMgrLite.TestSupport", "StateFixtures", "format2-before-resize.state");
        byte[] bytes = File.ReadAllBytes(path);
        Assert.DoesNotContain("resizes", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        CheckpointLoadResult loaded = CheckpointFormat.Read(path, bytes);
        Assert.True(loaded.Status == CheckpointStatus.Loaded, loaded.Error);
        Assert.Equal(("static", 8), (loaded.Snapshot!.CpuPolicy, loaded.Snapshot.Containers.Count));
        Assert.Empty(loaded.Snapshot.Resizes);

        // Written again by this binary with nothing resized, only the version changes: the payload (and its checksum) is the same.
        var store = new CheckpointStore(_directory);
        store.Save(loaded.Snapshot);
        Assert.Equal(Encoding.UTF8.GetString(bytes).Replace("{\"format\":2,", "{\"format\":3,", StringComparison.Ordinal), File.ReadAllText(store.FilePath));
    }

    [Fact]
    public void A_file_with_every_field_written_through_the_serializer_loads_and_is_written_back_byte_for_byte()
    {
        // Written by the binary whose payload went through JsonSerializer (StateFixtures/README.md): every
        // optional object present, strings the writer's encoder escapes, the extremes of each number type.
        string path = Path.Combine(RepoPaths.Root, "tests", "ResMgrLite.TestSupport", "StateFixtures", "format3-every-field.state");
        byte[] bytes = File.ReadAllBytes(path);
        CheckpointLoadResult loaded = CheckpointFormat.Read(path, bytes);
        Assert.True(loaded.Status == CheckpointStatus.Loaded, loaded.Error);
        EngineSnapshot snapshot = loaded.Snapshot!;
        Assert.Equal("web \"quoted\" ü <b>&amp;</b> 'x'+1 \\ / tab\t nl\n \u0001 \U0001F600 \u2028", snapshot.Containers[1].ContainerName);
        Assert.Equal(ulong.MaxValue, snapshot.PodHints[1].NumaMask);
        Assert.Equal(long.MaxValue, snapshot.Memory!.Containers[1].Blocks.Memory);
        Assert.Equal(2, snapshot.Memory.Reuse!.Amounts.Count);
        Assert.Equal(3, snapshot.MemoryQos!.Pods.Count);
        Assert.Equal([ResizeOutcome.Deferred, ResizeOutcome.Applied, ResizeOutcome.Infeasible, ResizeOutcome.Unchanged], snapshot.Resizes.Select(r => r.Outcome));
        Assert.Equal(("pod-a", CpuSet.Parse("1-2")), (snapshot.CpuReuse!.PodUid, snapshot.CpuReuse.Cpus));

        var store = new CheckpointStore(_directory);
        store.Save(snapshot);
        Assert.Equal(bytes, File.ReadAllBytes(store.FilePath));
    }

    [Fact]
    public void A_resize_record_with_an_unknown_outcome_is_reported_with_its_place()
    {
        var store = new CheckpointStore(_directory);
        store.Save(Sample());
        string text = File.ReadAllText(store.FilePath);
        string payload = text[(text.IndexOf("\"payload\":", StringComparison.Ordinal) + 10)..^1].Replace("\"outcome\":\"deferred\"", "\"outcome\":\"maybe\"", StringComparison.Ordinal);
        File.WriteAllText(store.FilePath, $"{{\"format\":2,\"checksum\":\"fnv1a64:{Fnv1a64.Hash(Encoding.UTF8.GetBytes(payload)):x16}\",\"payload\":{payload}}}");
        Assert.Equal($"{store.FilePath}: payload: resizes[0].outcome: \"maybe\" is not one of unchanged, applied, deferred, infeasible", store.Load().Error);
    }

    [Fact]
    public void A_payload_missing_a_field_is_reported()
    {
        var store = new CheckpointStore(_directory);
        const string payload = "{\"reservedCpus\":\"0\",\"defaultCpus\":\"0-3\",\"containers\":[],\"pods\":[],\"podHints\":[]}";
        File.WriteAllText(store.FilePath, $"{{\"format\":2,\"checksum\":\"fnv1a64:{Fnv1a64.Hash(Encoding.UTF8.GetBytes(payload)):x16}\",\"payload\":{payload}}}");
        CheckpointLoadResult loaded = store.Load();
        Assert.Equal(CheckpointStatus.Invalid, loaded.Status);
        Assert.StartsWith($"{store.FilePath}: payload: ", loaded.Error, StringComparison.Ordinal);
        Assert.Contains("cpuPolicy", loaded.Error, StringComparison.Ordinal);
    }

    private const string MinimalPayload = "{\"cpuPolicy\":\"none\",\"reservedCpus\":\"\",\"defaultCpus\":\"0-3\",\"containers\":[],\"pods\":[],\"podHints\":[]";

    private CheckpointLoadResult LoadSealed(string payload)
    {
        var store = new CheckpointStore(_directory);
        File.WriteAllText(store.FilePath, $"{{\"format\":3,\"checksum\":\"fnv1a64:{Fnv1a64.Hash(Encoding.UTF8.GetBytes(payload)):x16}\",\"payload\":{payload}}}");
        return store.Load();
    }

    [Theory]
    [InlineData(",\"extra\":1}", "unknown field \"extra\"")]
    [InlineData(",\"cpuPolicy\":\"static\"}", "cpuPolicy: given twice")]
    [InlineData(",\"podHints\":[]}", "podHints: given twice")]
    [InlineData(",\"memory\":{\"containers\":[],\"pods\":[],\"pods\":[]}}", "memory.pods: given twice")]
    [InlineData(",\"cpuReuse\":{\"podUid\":\"a\",\"cpus\":\"1\",\"more\":true}}", "cpuReuse: unknown field \"more\"")]
    [InlineData(",\"memoryQos\":{\"pods\":[{\"podUid\":\"a\",\"qos\":\"burstable\"}]}}", "memoryQos.pods[0]: missing \"requestBytes\"")]
    [InlineData(",\"memory\":{\"containers\":[{\"podUid\":\"a\",\"name\":\"n\",\"id\":\"i\",\"kind\":7,\"role\":\"app\",\"numaMask\":1,\"blocks\":{\"memory\":1,\"hugepages-2Mi\":0,\"hugepages-1Gi\":0},\"resources\":1}],\"pods\":[]}}", "memory.containers[0].kind: 7 is not a memory assignment kind (0 none, 1 exclusive, 2 pod init pool, 3 pod shared)")]
    [InlineData(",\"memory\":{\"containers\":[],\"pods\":[],\"reuse\":{\"podUid\":\"a\",\"amounts\":[{\"numaMask\":1,\"amounts\":{\"memory\":\"1Gi\",\"hugepages-2Mi\":0,\"hugepages-1Gi\":0}}]}}}", "memory.reuse.amounts[0].amounts.memory: not a whole number from -9223372036854775808 to 9223372036854775807")]
    [InlineData(",\"resizes\":[{\"podUid\":\"a\",\"desired\":{\"cpuRequestMilli\":-1,\"cpuLimitMilli\":0,\"memoryRequestBytes\":0,\"memoryLimitBytes\":0}}]}", "resizes[0].desired.cpuRequestMilli: a negative amount (CPU millicores and memory bytes are 0 or more)")]
    [InlineData(",\"resizes\":[null]}", "resizes[0]: not an object")]
    public void A_payload_with_an_unknown_repeated_or_mistyped_field_is_refused_with_its_place(string rest, string problem)
    {
        CheckpointLoadResult loaded = LoadSealed(MinimalPayload + rest);
        Assert.Equal(CheckpointStatus.Invalid, loaded.Status);
        Assert.Equal($"{new CheckpointStore(_directory).FilePath}: payload: {problem}", loaded.Error);
    }

    [Fact]
    public void Optional_objects_may_be_null_and_a_resize_reason_absent()
    {
        CheckpointLoadResult nulls = LoadSealed(MinimalPayload + ",\"cpuReuse\":null,\"memory\":null,\"memoryQos\":null,\"resizes\":null}");
        Assert.True(nulls.Status == CheckpointStatus.Loaded, nulls.Error);
        Assert.Null(nulls.Snapshot!.Memory);
        CheckpointLoadResult noReason = LoadSealed(MinimalPayload + ",\"resizes\":[{\"podUid\":\"a\",\"desired\":{\"cpuRequestMilli\":1,\"cpuLimitMilli\":1,\"memoryRequestBytes\":1,\"memoryLimitBytes\":1},\"inForce\":{\"cpuRequestMilli\":1,\"cpuLimitMilli\":1,\"memoryRequestBytes\":1,\"memoryLimitBytes\":1},\"outcome\":\"applied\"}]}");
        Assert.True(noReason.Status == CheckpointStatus.Loaded, noReason.Error);
        Assert.Equal("", Assert.Single(noReason.Snapshot!.Resizes).Reason);
    }

    [Fact]
    public void Set_aside_keeps_the_file_for_the_operator()
    {
        var store = new CheckpointStore(_directory);
        store.Save(Sample());
        string aside = store.SetAside();
        Assert.Equal(CheckpointStatus.Missing, store.Load().Status);
        Assert.True(File.Exists(aside));
    }

    [Fact]
    public void Saving_a_realistic_state_is_cheap()
    {
        // 100 containers: a busy node. Each save is two fsyncs and a rename: the disk, not the
        // serializer, decides; the figure is printed so regressions are visible in the log.
        var containers = Enumerable.Range(0, 100)
            .Select(i => new ContainerCpuSnapshot($"pod-{i}", "app", $"ctr-{i:x32}", CpuAssignmentKind.Exclusive, true, ContainerRole.App, CpuSet.Of(i + 1)))
            .ToArray();
        EngineSnapshot big = Sample() with { Containers = containers, Pods = [], PodHints = [], Memory = null };
        var store = new CheckpointStore(_directory);
        store.Save(big);
        var clock = Stopwatch.StartNew();
        const int Saves = 50;
        for (int i = 0; i < Saves; i++)
        {
            store.Save(big);
        }
        double perSave = clock.Elapsed.TotalMilliseconds / Saves;
        Console.WriteLine($"checkpoint save, 100 containers, {new FileInfo(store.FilePath).Length} bytes: {perSave:F3} ms");
        Assert.True(perSave < 50, $"a save took {perSave:F1} ms");
        AssertSame(big, store.Load().Snapshot);
    }
}
