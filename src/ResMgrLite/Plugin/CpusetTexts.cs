using ResMgrLite.Engine;

namespace ResMgrLite.Plugin;

/// <summary>Cpulist texts of CPU sets, formatted once per distinct set (most containers share a pool).</summary>
internal sealed class CpusetTexts
{
    private CpuSet _last;
    private string? _text;

    public string Of(in CpuSet cpus)
    {
        if (_text is null || cpus != _last)
        {
            (_last, _text) = (cpus, cpus.ToString());
        }
        return _text;
    }
}
