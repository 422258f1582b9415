namespace ResMgrLite.Config.Reload;

/// <summary>A change that was not applied, and why; meant to be logged as one line.</summary>
internal sealed record RefusedChange(ConfigChange Change, string Reason)
{
    public override string ToString() =>
        $"configuration change refused: {Change.Key} \"{Change.OldValue}\" -> \"{Change.NewValue}\": {Reason}";
}
