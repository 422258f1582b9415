namespace ResMgrLite.Engine.Topology;

/// <summary>Pre-allocated huge pages of one size on one NUMA node.</summary>
/// <param name="PageSizeKiB">Page size in KiB, from the directory name <c>hugepages-&lt;N&gt;kB</c>.</param>
/// <param name="Total">Pages allocated (<c>nr_hugepages</c>).</param>
/// <param name="Free">Pages not in use (<c>free_hugepages</c>).</param>
internal readonly record struct HugePagePool(long PageSizeKiB, long Total, long Free)
{
    /// <summary>Bytes held by the pool: the memory manager's <c>total</c> for this size (§4.2).</summary>
    public long TotalBytes => Total * PageSizeKiB * 1024;

    /// <summary>
    /// The Kubernetes resource name of this page size, e.g. <c>hugepages-2Mi</c> or
    /// <c>hugepages-1Gi</c>: the binary-SI quantity of the page size (docs/kubelet-rules.md §1.3).
    /// </summary>
    public string ResourceName => "hugepages-" + BinarySiQuantity(PageSizeKiB * 1024);

    private static string BinarySiQuantity(long bytes)
    {
        // The largest binary suffix that divides the size exactly, as resource.Quantity prints it.
        ReadOnlySpan<string> suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
        int index = 0;
        while (index < suffixes.Length - 1 && bytes != 0 && bytes % 1024 == 0)
        {
            bytes /= 1024;
            index++;
        }
        return bytes.ToString(System.Globalization.CultureInfo.InvariantCulture) + suffixes[index];
    }
}
