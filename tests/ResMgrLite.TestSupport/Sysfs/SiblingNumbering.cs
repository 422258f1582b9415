namespace ResMgrLite.TestSupport.Sysfs;

/// <summary>How logical CPU ids are handed out to the threads of the cores.</summary>
internal enum SiblingNumbering
{
    /// <summary>
    /// Intel-style: all first threads of every core (socket by socket) get the low ids, then all
    /// second threads, so siblings are i and i + (number of cores).
    /// </summary>
    FarApart,

    /// <summary>Siblings get consecutive ids (2c, 2c+1), as in many VMs and some AMD firmware.</summary>
    Adjacent,
}
