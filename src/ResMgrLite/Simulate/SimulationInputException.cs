namespace ResMgrLite.Simulate;

/// <summary>An input of <c>resmgrlite simulate</c> cannot be used; the message names the file, the place and what to do.</summary>
internal sealed class SimulationInputException(string message) : Exception(message);
