using CsCheck;
using ResMgrLite.Engine;
using ResMgrLite.Engine.Topology;
using ResMgrLite.TestSupport.Sysfs;

namespace ResMgrLite.Engine.Tests.Topology;

/// <summary>Random machine shapes: the model agrees with the kubelet rules and with itself.</summary>
public class TopologyFixturePropertyTests
{
    private static readonly Gen<SysfsMachine> Machines =
        from sockets in Gen.Int[1, 3]
        from nodesPerSocket in Gen.Int[1, 2]
        from coresPerNode in Gen.Int[1, 4]
        from threads in Gen.Int[1, 2]
        from l3Split in Gen.Int[0, 2]
        from numbering in Gen.Enum<SiblingNumbering>()
        from numa in Gen.Bool
        from offlineSeed in Gen.Int[0, 1000]
        select Shape(sockets, nodesPerSocket, coresPerNode, threads, l3Split, numbering, numa, offlineSeed);

    private static SysfsMachine Shape(
        int sockets, int nodesPerSocket, int coresPerNode, int threads, int l3Split, SiblingNumbering numbering, bool numa, int offlineSeed)
    {
        int coresPerSocket = nodesPerSocket * coresPerNode;
        int total = sockets * coresPerSocket * threads;
        var builder = new SysfsMachineBuilder()
            .Sockets(sockets).CoresPerSocket(coresPerSocket).ThreadsPerCore(threads)
            .NumaNodesPerSocket(nodesPerSocket).Numbering(numbering);
        // l3Split: 0 = one per socket, 1 = one per core, 2 = one per node.
        if (l3Split == 1)
        {
            builder.CoresPerL3(1);
        }
        else if (l3Split == 2)
        {
            builder.CoresPerL3(coresPerNode);
        }
        if (!numa)
        {
            builder.NoNumaDirectories();
        }
        // Take one CPU other than 0 offline now and then, never all of them.
        if (total > 1 && offlineSeed % 3 == 0)
        {
            builder.Offline(CpuSet.Of(1 + offlineSeed % (total - 1)));
        }
        return builder.Build();
    }

    [Fact]
    public void Model_matches_the_kubelet_view_and_is_consistent()
    {
        Machines.Sample(machine =>
        {
            MachineTopology topology = machine.ToTopology();

            Assert.Equal(machine.ExpectedCpuInfos().ToArray(), topology.Cpus.ToArray());
            Assert.Equal(machine.Online, topology.OnlineCpus);

            CpuSet coreUnion = CpuSet.Empty;
            foreach (CoreInfo core in topology.Cores)
            {
                Assert.False(core.Threads.Overlaps(coreUnion));
                coreUnion = coreUnion.Union(core.Threads);
                Assert.Equal(core.Threads.Min(), core.Id);
                foreach (int cpu in core.Threads)
                {
                    CpuInfo info = topology.GetCpu(cpu);
                    Assert.Equal((core.Id, core.SocketId, core.NumaNodeId, core.UncoreCacheId),
                        (info.CoreId, info.SocketId, info.NumaNodeId, info.UncoreCacheId));
                    Assert.Same(core, topology.GetCoreOf(cpu));
                }
            }
            Assert.Equal(topology.OnlineCpus, coreUnion);

            CpuSet nodeUnion = CpuSet.Empty;
            foreach (NumaNodeInfo node in topology.NumaNodes)
            {
                Assert.False(node.Cpus.Overlaps(nodeUnion));
                nodeUnion = nodeUnion.Union(node.Cpus);
            }
            Assert.Equal(topology.OnlineCpus, nodeUnion);

            CpuSet uncoreUnion = CpuSet.Empty;
            foreach (UncoreCacheInfo group in topology.UncoreCaches)
            {
                Assert.False(group.Cpus.Overlaps(uncoreUnion));
                uncoreUnion = uncoreUnion.Union(group.Cpus);
            }
            Assert.Equal(topology.OnlineCpus, uncoreUnion);

            foreach (SocketInfo socket in topology.Sockets)
            {
                foreach (int cpu in socket.Cpus)
                {
                    Assert.Equal(socket.Id, topology.GetCpu(cpu).SocketId);
                    Assert.Contains(topology.GetCpu(cpu).NumaNodeId, socket.NumaNodeIds.ToArray());
                }
            }
        }, iter: 150);
    }
}
