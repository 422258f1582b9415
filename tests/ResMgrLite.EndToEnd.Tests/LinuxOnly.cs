// The end-to-end tests drive containerd, runc and cgroups: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
