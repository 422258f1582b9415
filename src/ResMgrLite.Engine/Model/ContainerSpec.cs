namespace ResMgrLite.Engine.Model;

/// <summary>A container as the resource managers see it.</summary>
public sealed record ContainerSpec(string Name, ContainerRole Role, ContainerResources Resources);
