namespace ResMgrLite.Engine;

/// <summary>
/// A list of ids kept in ascending order, each once: the few sockets, nodes, cores and caches of a
/// machine. A sorted <see cref="List{T}"/> instead of SortedSet/SortedDictionary, whose red-black tree
/// is compiled once per element type into the static binary (docs/benchmarks.md, "Binary").
/// </summary>
internal static class SortedIds
{
    /// <summary>Inserts <paramref name="id"/> at its place unless present; returns its index.</summary>
    public static int Add(List<int> ids, int id)
    {
        int at = ids.BinarySearch(id);
        if (at < 0)
        {
            at = ~at;
            ids.Insert(at, id);
        }
        return at;
    }
}
