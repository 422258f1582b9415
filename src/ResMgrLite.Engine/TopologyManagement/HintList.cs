namespace ResMgrLite.Engine.TopologyManagement;

/// <summary>
/// One provider's hints for one resource (docs/kubelet-rules.md §2.1): either "no preference"
/// (the kubelet's nil list) or a list of hints, where an empty list means "cannot be satisfied".
/// Backed by a preallocated array so providers fill it without allocating.
/// </summary>
internal sealed class HintList
{
    private readonly TopologyHint[] _hints;

    public HintList(int capacity, string resource)
    {
        _hints = new TopologyHint[capacity];
        Resource = resource;
    }

    /// <summary>Resource name for messages ("cpu", "memory", "hugepages-2Mi").</summary>
    public string Resource { get; }

    /// <summary>True for the kubelet's nil list: treated as one hint {any, preferred}.</summary>
    public bool NoPreference { get; private set; } = true;

    public int Count { get; private set; }

    public ReadOnlySpan<TopologyHint> Hints => _hints.AsSpan(0, Count);

    /// <summary>Marks "no preference" (nil list).</summary>
    public void SetNoPreference()
    {
        NoPreference = true;
        Count = 0;
    }

    /// <summary>Starts a real list (possibly left empty = unsatisfiable).</summary>
    public void StartList()
    {
        NoPreference = false;
        Count = 0;
    }

    public void Add(TopologyHint hint) => _hints[Count++] = hint;

    public ref TopologyHint this[int index] => ref _hints[index];

    public override string ToString()
    {
        if (NoPreference)
        {
            return $"{Resource}: no preference";
        }
        if (Count == 0)
        {
            return $"{Resource}: cannot be satisfied on any NUMA node";
        }
        var hints = new string[Count];
        for (int i = 0; i < hints.Length; i++)
        {
            hints[i] = _hints[i].ToString();
        }
        return $"{Resource}: " + string.Join(", ", hints);
    }
}
