namespace ResMgrLite.Observability.Metrics;

/// <summary>
/// A 0/1 gauge with one series: 1 without labels while the condition holds, 0 with a
/// <c>reason</c>-like label naming why not. The reasons are fixed up front; switching never allocates.
/// </summary>
internal sealed class ConditionFamily : MetricFamily
{
    private const int Holds = -1;
    private readonly string[] _labelName;
    private readonly string[][] _reasons;
    private int _reason;

    public ConditionFamily(string name, string help, string labelName, string[] reasons, int initialReason)
        : base(name, help, MetricType.Gauge, null)
    {
        _labelName = [labelName];
        _reasons = new string[reasons.Length][];
        for (int i = 0; i < reasons.Length; i++)
        {
            _reasons[i] = [reasons[i]];
        }
        _reason = initialReason;
    }

    public bool IsTrue => Volatile.Read(ref _reason) == Holds;

    /// <summary>The index of the current reason, or -1 while the condition holds.</summary>
    public int Reason => Volatile.Read(ref _reason);

    public void SetTrue() => Volatile.Write(ref _reason, Holds);

    public void SetFalse(int reason)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(reason);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(reason, _reasons.Length);
        Volatile.Write(ref _reason, reason);
    }

    public override void WriteSamples(ExpositionWriter writer)
    {
        int reason = Volatile.Read(ref _reason);
        if (reason == Holds)
        {
            writer.WriteSample(this, "", [], [], 1);
        }
        else
        {
            writer.WriteSample(this, "", _labelName, _reasons[reason], 0);
        }
    }
}
