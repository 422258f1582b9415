using System.Collections;
using ResMgrLite.Config;
using ResMgrLite.Config.Settings;
using ResMgrLite.Engine;
using ResMgrLite.Engine.MemoryQos;
using ResMgrLite.Engine.TopologyManagement;
using ResMgrLite.Host.Cgroups;
using ResMgrLite.Plugin;
using ResMgrLite.Simulate;

namespace ResMgrLite.Commands;

/// <summary>
/// <c>resmgrlite simulate --config FILE --topology (SYSFS_DIR | topology.json) --pods PODS.json [--json]</c>:
/// an offline dry run. The configuration is loaded and the engine started exactly as the plugin does
/// it (<see cref="ConfigLoader"/>, <see cref="EngineFactory"/>); the pods go through the engine one
/// container at a time; the result is printed per container, then the pools and Memory QoS values.
/// </summary>
internal static class SimulateCommand
{
    public const int Success = 0;
    public const int Failure = 1;

    internal static int Run(string configPath, string topologyPath, string podsPath, string procRoot, bool json, IDictionary environment, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        try
        {
            SimulationReport report = Simulate(configPath, topologyPath, podsPath, procRoot, environment);
            stdout.Write(json ? SimulationJson.Format(report) + "\n" : SimulationText.Format(report));
            return Success;
        }
        catch (SimulationInputException e)
        {
            stderr.WriteLine($"resmgrlite simulate: {e.Message}");
            return Failure;
        }
    }

    internal static SimulationReport Simulate(string configPath, string topologyPath, string podsPath, string procRoot, IDictionary environment)
    {
        MachineInput input = MachineInput.Load(topologyPath, procRoot);
        ConfigLoadResult loaded = ConfigLoader.LoadWithEnvironment(ConfigFileReader.Read(configPath), environment, MachineModel.ToFacts(input.Machine));
        if (!loaded.IsValid || loaded.Settings is not { } settings)
        {
            throw new SimulationInputException(
                $"the configuration is invalid for this machine, so the plugin would stay passive: {string.Join("; ", loaded.Problems)}; fix it (resmgrlite validate --config {configPath} lists every problem)");
        }

        // Memory QoS writes cgroup v2 files only: the plugin leaves it off elsewhere (ManagementStartup).
        long capacity = MachineModel.ToFacts(input.Machine).TotalMemoryBytes;
        string? qosOff = settings.MemoryQosEnabled && input.Cgroups != CgroupMode.Unified
            ? $"configured, but the machine is not cgroup v2 only ({input.Cgroups.ToString().ToLowerInvariant()}), so the plugin leaves it off"
            : null;
        MemoryQosOptions? memoryQos = settings.MemoryQosEnabled && qosOff is null ? EngineFactory.MemoryQosOptionsFor(settings, capacity) : null;
        EngineStartResult started = EngineFactory.Start(input.Machine, settings, memoryQos);
        if (started.Engine is not { } engine)
        {
            throw new SimulationInputException($"the resource managers cannot start with this configuration on this machine, so the plugin would stay passive: {string.Join("; ", started.Problems)}");
        }

        List<SimulatedPod> pods = PodsFileReader.Read(podsPath, settings.PodLevelResources,
            memoryRequestsMatter: settings.MemoryManagerPolicy == MemoryManagerPolicy.Static || memoryQos is not null);
        List<PodOutcome> outcomes = Simulation.Run(engine, input.Machine, pods);
        return new SimulationReport
        {
            Machine = new MachineSummary
            {
                Source = Directory.Exists(topologyPath) ? "sysfs" : "captured",
                Sockets = input.Machine.Sockets.Length,
                NumaNodes = input.Machine.NumaNodes.Length,
                Cpus = input.Machine.Cpus.Length,
                Cgroups = input.Cgroups.ToString().ToLowerInvariant(),
            },
            Managers = new ManagerSummary
            {
                TopologyManagerPolicy = TopologyManagerOptions.PolicyName(engine.TopologyManager.Policy),
                TopologyManagerScope = engine.TopologyManager.Scope == TopologyScope.Pod ? "pod" : "container",
                CpuManagerPolicy = engine.Cpu is null ? "none" : "static",
                MemoryManagerPolicy = engine.Memory is null ? "None" : "Static",
                MemoryQos = memoryQos is null ? "off" : memoryQos.ReservationPolicy.ToString(),
                MemoryQosOffReason = qosOff,
                PodLevelResourceManagers = settings.PodLevelResources && settings.PodLevelResourceManagers,
            },
            Pods = outcomes,
            SharedPool = engine.Cpu?.DefaultSet.ToString(),
            ReservedCpus = engine.Cpu?.Reserved.ToString(),
            MemoryQos = Simulation.Parents(engine),
        };
    }
}
