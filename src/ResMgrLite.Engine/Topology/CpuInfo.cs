namespace ResMgrLite.Engine.Topology;

public readonly record struct CpuInfo(int Cpu, int CoreId, int SocketId, int NumaNodeId, int UncoreCacheId);
