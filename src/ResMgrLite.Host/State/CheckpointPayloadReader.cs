using ResMgrLite.Engine;
using ResMgrLite.Engine.Cpu;
using ResMgrLite.Engine.Memory;
using ResMgrLite.Engine.Model;
using ResMgrLite.Engine.Resize;
using ResMgrLite.Engine.State;

namespace ResMgrLite.Host.State;

/// <summary>
/// Reads the state file's payload (docs/state.md, "Format") into the engine's snapshot, checking what
/// JSON cannot: cpulists, assignment kinds, roles, QoS classes, outcomes, budgets. Every field of format
/// 1 is required; the fields added by formats 2 and 3 (<c>cpuReuse</c>, <c>memoryQos</c>,
/// <c>memory.reuse</c>, <c>resizes</c>, a resize's <c>reason</c>) are optional, and an optional object
/// or list may also be null. Throws <see cref="FormatException"/> naming the place of the first problem.
/// </summary>
internal static class CheckpointPayloadReader
{
    // Required fields first: NextField checks the first N of each list at the object's end.
    private static readonly string[] PayloadFields = ["cpuPolicy", "reservedCpus", "defaultCpus", "containers", "pods", "podHints", "cpuReuse", "memory", "memoryQos", "resizes"];
    private static readonly string[] CpuContainerFields = ["podUid", "name", "id", "kind", "eligible", "role", "cpus"];
    private static readonly string[] CpuPodFields = ["podUid", "budget", "sidecarCpus", "sharedPool", "containers"];
    private static readonly string[] PodHintFields = ["podUid", "numaMask", "preferred"];
    private static readonly string[] CpuReuseFields = ["podUid", "cpus"];
    private static readonly string[] MemoryFields = ["containers", "pods", "reuse"];
    private static readonly string[] MemoryContainerFields = ["podUid", "name", "id", "kind", "role", "numaMask", "blocks", "resources"];
    private static readonly string[] MemoryPodFields = ["podUid", "numaMask", "totals", "sidecar", "appExclusive", "containers"];
    private static readonly string[] MemoryReuseFields = ["podUid", "amounts"];
    private static readonly string[] MemoryReuseAmountFields = ["numaMask", "amounts"];
    private static readonly string[] AmountsFields = ["memory", "hugepages-2Mi", "hugepages-1Gi"];
    private static readonly string[] MemoryQosFields = ["pods"];
    private static readonly string[] MemoryQosPodFields = ["podUid", "qos", "requestBytes"];
    private static readonly string[] ResizeFields = ["podUid", "desired", "inForce", "outcome", "reason"];
    private static readonly string[] BudgetFields = ["cpuRequestMilli", "cpuLimitMilli", "memoryRequestBytes", "memoryLimitBytes"];

    public static EngineSnapshot Read(ReadOnlySpan<byte> payload)
    {
        var r = new PayloadJsonReader(payload);
        r.ExpectObject("payload");
        string cpuPolicy = "";
        CpuSet reserved = default, defaults = default;
        List<ContainerCpuSnapshot> containers = [];
        List<PodCpuSnapshot> pods = [];
        List<PodHintSnapshot> hints = [];
        CpuReuseSnapshot? cpuReuse = null;
        MemorySnapshot? memory = null;
        MemoryQosSnapshot? memoryQos = null;
        List<PodResizeSnapshot> resizes = [];
        uint seen = 0;
        while (r.NextField(PayloadFields, 6, ref seen, "") is { } field)
        {
            switch (field)
            {
                case "cpuPolicy":
                    cpuPolicy = r.String(field);
                    break;
                case "reservedCpus":
                    reserved = Cpus(ref r, field);
                    break;
                case "defaultCpus":
                    defaults = Cpus(ref r, field);
                    break;
                case "containers":
                    r.ExpectList(field);
                    while (r.NextItem())
                    {
                        containers.Add(ReadCpuContainer(ref r, $"containers[{containers.Count}]"));
                    }
                    break;
                case "pods":
                    r.ExpectList(field);
                    while (r.NextItem())
                    {
                        pods.Add(ReadCpuPod(ref r, $"pods[{pods.Count}]"));
                    }
                    break;
                case "podHints":
                    r.ExpectList(field);
                    while (r.NextItem())
                    {
                        hints.Add(ReadPodHint(ref r, $"podHints[{hints.Count}]"));
                    }
                    break;
                case "cpuReuse":
                    cpuReuse = r.IsNull ? null : ReadCpuReuse(ref r, field);
                    break;
                case "memory":
                    memory = r.IsNull ? null : ReadMemory(ref r, field);
                    break;
                case "memoryQos":
                    memoryQos = r.IsNull ? null : ReadMemoryQos(ref r, field);
                    break;
                default:
                    if (!r.IsNull)
                    {
                        r.ExpectList(field);
                        while (r.NextItem())
                        {
                            resizes.Add(ReadResize(ref r, $"resizes[{resizes.Count}]"));
                        }
                    }
                    break;
            }
        }
        return new EngineSnapshot
        {
            CpuPolicy = cpuPolicy,
            ReservedCpus = reserved,
            DefaultCpus = defaults,
            Containers = containers,
            Pods = pods,
            PodHints = hints,
            CpuReuse = cpuReuse,
            Memory = memory,
            MemoryQos = memoryQos,
            Resizes = resizes,
        };
    }

    private static ContainerCpuSnapshot ReadCpuContainer(ref PayloadJsonReader r, string at)
    {
        r.ExpectObject(at);
        string podUid = "", name = "", id = "";
        CpuAssignmentKind kind = default;
        bool eligible = false;
        ContainerRole role = default;
        CpuSet cpus = default;
        uint seen = 0;
        while (r.NextField(CpuContainerFields, CpuContainerFields.Length, ref seen, at) is { } field)
        {
            string place = PayloadJsonReader.Place(at, field);
            switch (field)
            {
                case "podUid":
                    podUid = r.String(place);
                    break;
                case "name":
                    name = r.String(place);
                    break;
                case "id":
                    id = r.String(place);
                    break;
                case "kind":
                    kind = CheckpointNames.ParseKind(r.String(place), place);
                    break;
                case "eligible":
                    eligible = r.Boolean(place);
                    break;
                case "role":
                    role = CheckpointNames.ParseRole(r.String(place), place);
                    break;
                default:
                    cpus = Cpus(ref r, place);
                    break;
            }
        }
        return new ContainerCpuSnapshot(podUid, name, id, kind, eligible, role, cpus);
    }

    private static PodCpuSnapshot ReadCpuPod(ref PayloadJsonReader r, string at)
    {
        r.ExpectObject(at);
        string podUid = "";
        CpuSet budget = default, sidecar = default, shared = default;
        int members = 0;
        uint seen = 0;
        while (r.NextField(CpuPodFields, CpuPodFields.Length, ref seen, at) is { } field)
        {
            string place = PayloadJsonReader.Place(at, field);
            switch (field)
            {
                case "podUid":
                    podUid = r.String(place);
                    break;
                case "budget":
                    budget = Cpus(ref r, place);
                    break;
                case "sidecarCpus":
                    sidecar = Cpus(ref r, place);
                    break;
                case "sharedPool":
                    shared = Cpus(ref r, place);
                    break;
                default:
                    members = r.Int32(place);
                    break;
            }
        }
        return new PodCpuSnapshot(podUid, budget, sidecar, shared, members);
    }

    private static PodHintSnapshot ReadPodHint(ref PayloadJsonReader r, string at)
    {
        r.ExpectObject(at);
        string podUid = "";
        ulong mask = 0;
        bool preferred = false;
        uint seen = 0;
        while (r.NextField(PodHintFields, PodHintFields.Length, ref seen, at) is { } field)
        {
            string place = PayloadJsonReader.Place(at, field);
            switch (field)
            {
                case "podUid":
                    podUid = r.String(place);
                    break;
                case "numaMask":
                    mask = r.UInt64(place);
                    break;
                default:
                    preferred = r.Boolean(place);
                    break;
            }
        }
        return new PodHintSnapshot(podUid, mask, preferred);
    }

    private static CpuReuseSnapshot ReadCpuReuse(ref PayloadJsonReader r, string at)
    {
        r.ExpectObject(at);
        string podUid = "";
        CpuSet cpus = default;
        uint seen = 0;
        while (r.NextField(CpuReuseFields, CpuReuseFields.Length, ref seen, at) is { } field)
        {
            string place = PayloadJsonReader.Place(at, field);
            if (field == "podUid")
            {
                podUid = r.String(place);
            }
            else
            {
                cpus = Cpus(ref r, place);
            }
        }
        return new CpuReuseSnapshot(podUid, cpus);
    }

    private static MemorySnapshot ReadMemory(ref PayloadJsonReader r, string at)
    {
        r.ExpectObject(at);
        List<ContainerMemorySnapshot> containers = [];
        List<PodMemorySnapshot> pods = [];
        MemoryReuseSnapshot? reuse = null;
        uint seen = 0;
        while (r.NextField(MemoryFields, 2, ref seen, at) is { } field)
        {
            string place = PayloadJsonReader.Place(at, field);
            switch (field)
            {
                case "containers":
                    r.ExpectList(place);
                    while (r.NextItem())
                    {
                        containers.Add(ReadMemoryContainer(ref r, $"{place}[{containers.Count}]"));
                    }
                    break;
                case "pods":
                    r.ExpectList(place);
                    while (r.NextItem())
                    {
                        pods.Add(ReadMemoryPod(ref r, $"{place}[{pods.Count}]"));
                    }
                    break;
                default:
                    reuse = r.IsNull ? null : ReadMemoryReuse(ref r, place);
                    break;
            }
        }
        return new MemorySnapshot { Containers = containers, Pods = pods, Reuse = reuse };
    }

    private static ContainerMemorySnapshot ReadMemoryContainer(ref PayloadJsonReader r, string at)
    {
        r.ExpectObject(at);
        string podUid = "", name = "", id = "";
        MemoryAssignmentKind kind = default;
        ContainerRole role = default;
        ulong mask = 0;
        MemoryAmounts blocks = default;
        int resources = 0;
        uint seen = 0;
        while (r.NextField(MemoryContainerFields, MemoryContainerFields.Length, ref seen, at) is { } field)
        {
            string place = PayloadJsonReader.Place(at, field);
            switch (field)
            {
                case "podUid":
                    podUid = r.String(place);
                    break;
                case "name":
                    name = r.String(place);
                    break;
                case "id":
                    id = r.String(place);
                    break;
                case "kind":
                    int number = r.Int32(place);
                    kind = number is >= 0 and <= (int)MemoryAssignmentKind.PodShared
                        ? (MemoryAssignmentKind)number
                        : throw new FormatException($"{place}: {number} is not a memory assignment kind (0 none, 1 exclusive, 2 pod init pool, 3 pod shared)");
                    break;
                case "role":
                    role = CheckpointNames.ParseRole(r.String(place), place);
                    break;
                case "numaMask":
                    mask = r.UInt64(place);
                    break;
                case "blocks":
                    blocks = ReadAmounts(ref r, place);
                    break;
                default:
                    resources = r.Int32(place);
                    break;
            }
        }
        return new ContainerMemorySnapshot(podUid, name, id, kind, role, mask, blocks, resources);
    }

    private static PodMemorySnapshot ReadMemoryPod(ref PayloadJsonReader r, string at)
    {
        r.ExpectObject(at);
        string podUid = "";
        ulong mask = 0;
        MemoryAmounts totals = default, sidecar = default, appExclusive = default;
        int members = 0;
        uint seen = 0;
        while (r.NextField(MemoryPodFields, MemoryPodFields.Length, ref seen, at) is { } field)
        {
            string place = PayloadJsonReader.Place(at, field);
            switch (field)
            {
                case "podUid":
                    podUid = r.String(place);
                    break;
                case "numaMask":
                    mask = r.UInt64(place);
                    break;
                case "totals":
                    totals = ReadAmounts(ref r, place);
                    break;
                case "sidecar":
                    sidecar = ReadAmounts(ref r, place);
                    break;
                case "appExclusive":
                    appExclusive = ReadAmounts(ref r, place);
                    break;
                default:
                    members = r.Int32(place);
                    break;
            }
        }
        return new PodMemorySnapshot(podUid, mask, totals, sidecar, appExclusive, members);
    }

    private static MemoryReuseSnapshot ReadMemoryReuse(ref PayloadJsonReader r, string at)
    {
        r.ExpectObject(at);
        string podUid = "";
        List<MemoryReuseAmount> amounts = [];
        uint seen = 0;
        while (r.NextField(MemoryReuseFields, MemoryReuseFields.Length, ref seen, at) is { } field)
        {
            string place = PayloadJsonReader.Place(at, field);
            if (field == "podUid")
            {
                podUid = r.String(place);
                continue;
            }
            r.ExpectList(place);
            while (r.NextItem())
            {
                string item = $"{place}[{amounts.Count}]";
                r.ExpectObject(item);
                ulong mask = 0;
                MemoryAmounts amount = default;
                uint itemSeen = 0;
                while (r.NextField(MemoryReuseAmountFields, MemoryReuseAmountFields.Length, ref itemSeen, item) is { } itemField)
                {
                    string itemPlace = PayloadJsonReader.Place(item, itemField);
                    if (itemField == "numaMask")
                    {
                        mask = r.UInt64(itemPlace);
                    }
                    else
                    {
                        amount = ReadAmounts(ref r, itemPlace);
                    }
                }
                amounts.Add(new MemoryReuseAmount(mask, amount));
            }
        }
        return new MemoryReuseSnapshot(podUid, amounts);
    }

    /// <summary>Bytes per resource, in the kubelet's resource names (docs/kubelet-rules.md §4.3).</summary>
    private static MemoryAmounts ReadAmounts(ref PayloadJsonReader r, string at)
    {
        r.ExpectObject(at);
        long memory = 0, huge2M = 0, huge1G = 0;
        uint seen = 0;
        while (r.NextField(AmountsFields, AmountsFields.Length, ref seen, at) is { } field)
        {
            string place = PayloadJsonReader.Place(at, field);
            switch (field)
            {
                case "memory":
                    memory = r.Int64(place);
                    break;
                case "hugepages-2Mi":
                    huge2M = r.Int64(place);
                    break;
                default:
                    huge1G = r.Int64(place);
                    break;
            }
        }
        return new MemoryAmounts(memory, huge2M, huge1G);
    }

    private static MemoryQosSnapshot ReadMemoryQos(ref PayloadJsonReader r, string at)
    {
        r.ExpectObject(at);
        List<PodMemoryQosSnapshot> pods = [];
        uint seen = 0;
        while (r.NextField(MemoryQosFields, MemoryQosFields.Length, ref seen, at) is { } field)
        {
            string place = PayloadJsonReader.Place(at, field);
            r.ExpectList(place);
            while (r.NextItem())
            {
                string item = $"{place}[{pods.Count}]";
                r.ExpectObject(item);
                string podUid = "";
                QosClass qos = default;
                long request = 0;
                uint itemSeen = 0;
                while (r.NextField(MemoryQosPodFields, MemoryQosPodFields.Length, ref itemSeen, item) is { } itemField)
                {
                    string itemPlace = PayloadJsonReader.Place(item, itemField);
                    switch (itemField)
                    {
                        case "podUid":
                            podUid = r.String(itemPlace);
                            break;
                        case "qos":
                            qos = CheckpointNames.ParseQos(r.String(itemPlace), itemPlace);
                            break;
                        default:
                            request = r.Int64(itemPlace);
                            break;
                    }
                }
                pods.Add(new PodMemoryQosSnapshot(podUid, qos, request));
            }
        }
        return new MemoryQosSnapshot { Pods = pods };
    }

    private static PodResizeSnapshot ReadResize(ref PayloadJsonReader r, string at)
    {
        r.ExpectObject(at);
        string podUid = "", reason = "";
        ContainerResources desired = default, inForce = default;
        ResizeOutcome outcome = default;
        uint seen = 0;
        while (r.NextField(ResizeFields, 4, ref seen, at) is { } field)
        {
            string place = PayloadJsonReader.Place(at, field);
            switch (field)
            {
                case "podUid":
                    podUid = r.String(place);
                    break;
                case "desired":
                    desired = ReadBudget(ref r, place);
                    break;
                case "inForce":
                    inForce = ReadBudget(ref r, place);
                    break;
                case "outcome":
                    outcome = CheckpointNames.ParseOutcome(r.String(place), place);
                    break;
                default:
                    reason = r.String(place);
                    break;
            }
        }
        return new PodResizeSnapshot(podUid, desired, inForce, outcome, reason);
    }

    /// <summary>A pod budget: CPU in millicores, memory in bytes, 0 = not set; never negative.</summary>
    private static ContainerResources ReadBudget(ref PayloadJsonReader r, string at)
    {
        r.ExpectObject(at);
        long cpuRequest = 0, cpuLimit = 0, memoryRequest = 0, memoryLimit = 0;
        uint seen = 0;
        while (r.NextField(BudgetFields, BudgetFields.Length, ref seen, at) is { } field)
        {
            string place = PayloadJsonReader.Place(at, field);
            long value = r.Int64(place);
            if (value < 0)
            {
                throw new FormatException($"{place}: a negative amount (CPU millicores and memory bytes are 0 or more)");
            }
            switch (field)
            {
                case "cpuRequestMilli":
                    cpuRequest = value;
                    break;
                case "cpuLimitMilli":
                    cpuLimit = value;
                    break;
                case "memoryRequestBytes":
                    memoryRequest = value;
                    break;
                default:
                    memoryLimit = value;
                    break;
            }
        }
        return new ContainerResources(cpuRequest, cpuLimit, memoryRequest, memoryLimit);
    }

    private static CpuSet Cpus(ref PayloadJsonReader r, string place)
    {
        string text = r.String(place);
        return CpuSet.TryParse(text, out CpuSet set, out CpuListError error)
            ? set
            : throw new FormatException($"{place}: \"{text}\" is not a CPU list ({error})");
    }
}
