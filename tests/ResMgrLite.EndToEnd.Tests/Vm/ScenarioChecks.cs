namespace ResMgrLite.EndToEnd.Tests.Vm;

/// <summary>
/// Collects the VM scenario's checks per assertion group instead of stopping at the first
/// failure: one boot costs half a minute, so a run reports every broken expectation at once.
/// Checks of a disabled group are not evaluated.
/// </summary>
internal sealed class ScenarioChecks
{
    private readonly List<string> _failures = [];
    private readonly Dictionary<VmAssertionGroup, int> _passed = [];
    private readonly HashSet<VmAssertionGroup> _skipped = [];

    public bool IsEnabled(VmAssertionGroup group)
    {
        if (VmAssertionGroups.IsEnabled(group))
        {
            return true;
        }

        _skipped.Add(group);
        return false;
    }

    public void True(VmAssertionGroup group, bool condition, string what)
    {
        if (!IsEnabled(group))
        {
            return;
        }

        if (condition)
        {
            _passed[group] = _passed.GetValueOrDefault(group) + 1;
        }
        else
        {
            _failures.Add($"[{group}] {what}");
        }
    }

    public void Equal(VmAssertionGroup group, string? expected, string? actual, string what) =>
        True(group, string.Equals(expected, actual, StringComparison.Ordinal), $"{what}: expected '{expected ?? "<missing>"}', found '{actual ?? "<missing>"}'");

    public string Summary() =>
        $"passed: {string.Join(", ", _passed.OrderBy(p => p.Key).Select(p => $"{p.Key} ({p.Value})"))}\n"
        + $"not checked (group disabled): {(_skipped.Count == 0 ? "none" : string.Join(", ", _skipped.Order()))}\n"
        + $"failed: {_failures.Count}";

    /// <summary>Fails the test with every failed check, plus <paramref name="diagnostics"/>.</summary>
    public void AssertAllPassed(Func<string> diagnostics)
    {
        if (_failures.Count > 0)
        {
            Assert.Fail($"{_failures.Count} VM scenario check(s) failed:\n  {string.Join("\n  ", _failures)}\n{Summary()}\n{diagnostics()}");
        }
    }
}
