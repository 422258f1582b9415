namespace ResMgrLite.Engine.Model;

/// <summary>Identifies a container by pod UID and container name, as the kubelet's state does.</summary>
internal readonly record struct ContainerKey(string PodUid, string Name);
