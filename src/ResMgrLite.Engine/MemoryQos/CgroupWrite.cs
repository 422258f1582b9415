namespace ResMgrLite.Engine.MemoryQos;

/// <summary>
/// One planned cgroup v2 file write: the cgroup's path relative to the cgroup mount (no leading
/// slash, "/" separated), the file name and the value. Plans are ordered; the host's cgroup writer
/// applies them in order and rolls back on failure.
/// </summary>
internal readonly record struct CgroupWrite(string Cgroup, string File, string Value)
{
    public override string ToString() => $"{Cgroup}/{File} = {Value}";
}
