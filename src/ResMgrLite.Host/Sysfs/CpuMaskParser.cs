using System.Globalization;
using ResMgrLite.Engine;

namespace ResMgrLite.Host.Sysfs;

/// <summary>
/// Parses the kernel's hex CPU mask format (<c>shared_cpu_map</c>, <c>cpumap</c>):
/// comma-separated 32-bit hex words, most significant word first, e.g. <c>00000000,0000000f</c>.
/// </summary>
internal static class CpuMaskParser
{
    private const int BitsPerWord = 32;

    public static bool TryParse(ReadOnlySpan<char> text, out CpuSet set)
    {
        set = CpuSet.Empty;
        text = text.Trim();
        if (text.IsEmpty)
        {
            return false;
        }
        // Walk the words from the right: the last word holds CPUs 0-31.
        int wordIndex = 0;
        int end = text.Length;
        while (end >= 0)
        {
            int comma = text[..end].LastIndexOf(',');
            ReadOnlySpan<char> word = text[(comma + 1)..end];
            if (word.IsEmpty || word.Length > 8 ||
                !uint.TryParse(word, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint bits))
            {
                return false;
            }
            for (int bit = 0; bits != 0; bit++, bits >>= 1)
            {
                if ((bits & 1) != 0)
                {
                    int cpu = wordIndex * BitsPerWord + bit;
                    if (cpu >= CpuSet.MaxCpus)
                    {
                        return false;
                    }
                    set = set.With(cpu);
                }
            }
            wordIndex++;
            if (comma < 0)
            {
                break;
            }
            end = comma;
        }
        return true;
    }
}
