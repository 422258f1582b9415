// containerd, runc and cgroups exist only on Linux; so does everything this tool drives.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
