using ResMgrLite.CriTool.Sandbox;

namespace ResMgrLite.EndToEnd.Tests.Support;

/// <summary>
/// Theory data: every real containerd of tests/e2e/runtimes, by name ("2.1", "1.7"), so each
/// real-runtime test runs once per runtime and reports per runtime.
/// </summary>
public static class Runtimes
{
    public static TheoryData<string> Names
    {
        get
        {
            var names = new TheoryData<string>();
            foreach (var runtime in ContainerdRuntime.All)
            {
                names.Add(runtime.Name);
            }

            return names;
        }
    }
}
