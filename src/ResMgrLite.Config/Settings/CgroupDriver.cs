namespace ResMgrLite.Config.Settings;

public enum CgroupDriver
{
    Cgroupfs,
    Systemd,
}
