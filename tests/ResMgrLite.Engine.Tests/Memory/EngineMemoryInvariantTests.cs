using System.Numerics;
using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.PodLevel;
using ResMgrLite.Engine.TopologyManagement;
using ResMgrLite.TestSupport;
using static ResMgrLite.Engine.Tests.Memory.MemoryTestMachines;

namespace ResMgrLite.Engine.Tests.Memory;

/// <summary>
/// Random admit/release sequences through the whole engine with CPU and memory managers: decisions
/// stay consistent (mems = the nodes of the blocks, the single-numa-node policy keeps CPUs and
/// memory on one node), refusals change nothing, and releasing everything restores both pools.
/// </summary>
public sealed class EngineMemoryInvariantTests
{
    [Fact]
    public void Random_sequences_keep_cpu_and_memory_decisions_consistent()
    {
        int pinned = 0, refusedByMemory = 0;
        for (int seed = 1; seed <= 120; seed++)
        {
            var random = new Random(seed);
            int numaPerSocket = random.Next(1, 3), sockets = random.Next(1, 3);
            CpuTopology topology = KubeletFixtures.Synthetic(sockets, numaPerSocket, random.Next(2, 5), 2);
            TopologyPolicy policy = (TopologyPolicy)random.Next(4);
            var memory = new MemoryManagerOptions
            {
                Nodes = topology.NumaNodeIds.ToArray().Select(id => new NumaMemoryInfo(id, random.Next(4, 17) * Gi, [new HugePageInfo(2048, 256)])).ToArray(),
                ReservedMemory = topology.NumaNodeIds.ToArray().Select(id => new ReservedMemoryNode(id, new MemoryAmounts(512 * Mi))).ToArray(),
            };
            TopologyScope scope = random.Next(2) == 0 ? TopologyScope.Container : TopologyScope.Pod;
            var engine = TestEngine.Create(topology,
                new TopologyManagerOptions { Policy = policy, Scope = scope },
                new CpuManagerOptions { ReservedCpuCount = 1 }, memory,
                new MemoryQosOptions { ReservationPolicy = MemoryReservationPolicy.TieredReservation, NodeAllocatableMemoryBytes = 8 * Gi });
            CpuSet initialCpus = engine.Cpu!.DefaultSet;
            string initialMemory = engine.Memory!.State.ToString();
            var live = new List<(string Pod, string Name, string Id)>();
            for (int p = 0; p < 12; p++)
            {
                bool guaranteed = random.Next(3) > 0;
                var pod = new PodSpec($"pod{p}", $"pod{p}", "ns", guaranteed ? QosClass.Guaranteed : QosClass.Burstable);
                int containers = random.Next(1, 4);
                for (int i = 0; i < containers; i++)
                {
                    long cpu = random.Next(1, 4) * 1000, mem = random.Next(1, 24) * 512 * Mi;
                    long huge = random.Next(4) == 0 ? 64 * Mi : 0;
                    var c = new ContainerSpec($"c{i}", i == 0 && containers > 1 && random.Next(3) == 0 ? ContainerRole.Init : ContainerRole.App,
                        guaranteed ? new ContainerResources(cpu, cpu, mem, mem, huge) : new ContainerResources(cpu / 2, cpu, mem / 2, mem));
                    pod.Containers.Add(c);
                    CpuSet cpusBefore = engine.Cpu.DefaultSet;
                    string memoryBefore = engine.Memory.State.ToString();
                    string id = $"{pod.Uid}/{c.Name}";
                    if (!engine.TryAdmitContainer(pod, c, id, out ContainerDecision d, out string? error))
                    {
                        Assert.Equal(cpusBefore, engine.Cpu.DefaultSet);
                        Assert.Equal(memoryBefore, engine.Memory.State.ToString());
                        refusedByMemory += error!.StartsWith("Memory manager", StringComparison.Ordinal) ? 1 : 0;
                        pod.Containers.Remove(c);
                        break;
                    }
                    live.Add((pod.Uid, c.Name, id));
                    Assert.Equal(engine.EffectiveMems(new ContainerKey(pod.Uid, c.Name)), d.Memory.Mems);
                    if (d.Memory.Mems != 0)
                    {
                        pinned++;
                        Assert.True(guaranteed, $"seed {seed}: a Burstable container got memory nodes");
                        Assert.Equal(d.Memory.Mems & topology.AllNumaMask, d.Memory.Mems);
                        if (policy == TopologyPolicy.SingleNumaNode)
                        {
                            Assert.Equal(1, BitOperations.PopCount(d.Memory.Mems));
                            // In pod scope the pod's hint is made when its first container arrives; the CPU
                            // manager may spill later containers outside it (docs/kubelet-rules.md §3.3), so only container scope
                            // promises the same node for both.
                            if (d.Cpu.Level == ResourceIsolationLevel.Container && scope == TopologyScope.Container)
                            {
                                Assert.Equal(d.Memory.Mems, topology.NumaMaskOf(d.Cpu.Cpus));
                            }
                        }
                    }
                    Assert.False(d.Settings.MemoryQos.IsEmpty);
                }
                if (random.Next(3) == 0 && live.Count > 0)
                {
                    var (uid, name, id) = live[random.Next(live.Count)];
                    engine.ReleaseContainer(new ContainerKey(uid, name), id);
                    live.Remove((uid, name, id));
                }
            }
            foreach (var (uid, name, id) in live)
            {
                engine.ReleaseContainer(new ContainerKey(uid, name), id);
            }
            Assert.Equal(initialCpus, engine.Cpu.DefaultSet);
            Assert.True(initialMemory == engine.Memory.State.ToString(), $"seed {seed}: memory not restored\n{engine.Memory.State}");
        }
        Assert.True(pinned > 300, $"only {pinned} pinned containers");
        Assert.True(refusedByMemory > 5, $"only {refusedByMemory} memory refusals");
    }
}
