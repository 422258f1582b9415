namespace ResMgrLite.Engine.Model;

/// <summary>A container as the resource managers see it.</summary>
internal sealed record ContainerSpec(string Name, ContainerRole Role, ContainerResources Resources);
