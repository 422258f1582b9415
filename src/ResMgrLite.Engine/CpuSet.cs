using System.Numerics;
using System.Runtime.CompilerServices;

namespace ResMgrLite.Engine;

/// <summary>
/// A set of logical CPU ids 0..4095 stored inline as a 4096-bit bitmap.
/// </summary>
/// <remarks>
/// Why a fixed inline bitmap: the admission path must not allocate (brief: engine purity), and
/// 4096 is the largest CPU count Linux distributions build for (CONFIG_NR_CPUS). 512 bytes is
/// cheap to copy compared with a heap set, and every operation is a loop over 64 words.
/// The value is immutable through its public surface: every operation returns a new set.
/// Pass it with <c>in</c> on hot paths to avoid the copy.
/// </remarks>
internal struct CpuSet : IEquatable<CpuSet>
{
    /// <summary>Exclusive upper bound of CPU ids.</summary>
    public const int MaxCpus = 4096;

    private const int WordCount = MaxCpus / 64;

    [InlineArray(WordCount)]
    private struct Words
    {
        private ulong _element0;
    }

    private Words _words;

    /// <summary>The empty set.</summary>
    public static CpuSet Empty => default;

    /// <summary>A set holding one CPU.</summary>
    public static CpuSet Of(int cpu)
    {
        CpuSet set = default;
        set.Add(cpu);
        return set;
    }

    /// <summary>A set holding the given CPUs.</summary>
    public static CpuSet Of(params ReadOnlySpan<int> cpus)
    {
        CpuSet set = default;
        foreach (int cpu in cpus)
        {
            set.Add(cpu);
        }
        return set;
    }

    /// <summary>All CPUs from <paramref name="first"/> to <paramref name="lastInclusive"/>.</summary>
    public static CpuSet Range(int first, int lastInclusive)
    {
        CheckCpu(first);
        CheckCpu(lastInclusive);
        if (lastInclusive < first)
        {
            throw new ArgumentException($"range {first}-{lastInclusive} is reversed", nameof(lastInclusive));
        }
        CpuSet set = default;
        set.AddRange(first, lastInclusive);
        return set;
    }

    /// <summary>Number of CPUs in the set.</summary>
    public readonly int Count
    {
        get
        {
            int count = 0;
            ReadOnlySpan<ulong> words = _words;
            for (int i = 0; i < words.Length; i++)
            {
                count += BitOperations.PopCount(words[i]);
            }
            return count;
        }
    }

    /// <summary>True when the set holds no CPU.</summary>
    public readonly bool IsEmpty
    {
        get
        {
            ReadOnlySpan<ulong> words = _words;
            for (int i = 0; i < words.Length; i++)
            {
                if (words[i] != 0)
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <summary>True when <paramref name="cpu"/> is in the set; false for ids out of range.</summary>
    public readonly bool Contains(int cpu) =>
        (uint)cpu < MaxCpus && (_words[cpu >> 6] & (1UL << (cpu & 63))) != 0;

    /// <summary>This set plus <paramref name="cpu"/>.</summary>
    public readonly CpuSet With(int cpu)
    {
        CpuSet copy = this;
        copy.Add(cpu);
        return copy;
    }

    /// <summary>This set without <paramref name="cpu"/>.</summary>
    public readonly CpuSet Without(int cpu)
    {
        CheckCpu(cpu);
        CpuSet copy = this;
        copy._words[cpu >> 6] &= ~(1UL << (cpu & 63));
        return copy;
    }

    /// <summary>CPUs in either set.</summary>
    public readonly CpuSet Union(in CpuSet other)
    {
        CpuSet result = default;
        ReadOnlySpan<ulong> a = _words, b = other._words;
        Span<ulong> r = result._words;
        for (int i = 0; i < r.Length; i++)
        {
            r[i] = a[i] | b[i];
        }
        return result;
    }

    /// <summary>CPUs in both sets.</summary>
    public readonly CpuSet Intersect(in CpuSet other)
    {
        CpuSet result = default;
        ReadOnlySpan<ulong> a = _words, b = other._words;
        Span<ulong> r = result._words;
        for (int i = 0; i < r.Length; i++)
        {
            r[i] = a[i] & b[i];
        }
        return result;
    }

    /// <summary>CPUs in this set and not in <paramref name="other"/> (set difference).</summary>
    public readonly CpuSet Except(in CpuSet other)
    {
        CpuSet result = default;
        ReadOnlySpan<ulong> a = _words, b = other._words;
        Span<ulong> r = result._words;
        for (int i = 0; i < r.Length; i++)
        {
            r[i] = a[i] & ~b[i];
        }
        return result;
    }

    /// <summary>True when every CPU of this set is in <paramref name="other"/>.</summary>
    public readonly bool IsSubsetOf(in CpuSet other)
    {
        ReadOnlySpan<ulong> a = _words, b = other._words;
        for (int i = 0; i < a.Length; i++)
        {
            if ((a[i] & ~b[i]) != 0)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>True when the sets share at least one CPU.</summary>
    public readonly bool Overlaps(in CpuSet other)
    {
        ReadOnlySpan<ulong> a = _words, b = other._words;
        for (int i = 0; i < a.Length; i++)
        {
            if ((a[i] & b[i]) != 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Number of CPUs the two sets share, without building the intersection.</summary>
    public readonly int CountIntersect(in CpuSet other)
    {
        int count = 0;
        ReadOnlySpan<ulong> a = _words, b = other._words;
        for (int i = 0; i < a.Length; i++)
        {
            count += BitOperations.PopCount(a[i] & b[i]);
        }
        return count;
    }

    /// <summary>The smallest CPU id; throws on an empty set.</summary>
    public readonly int Min()
    {
        ReadOnlySpan<ulong> words = _words;
        for (int i = 0; i < words.Length; i++)
        {
            if (words[i] != 0)
            {
                return (i << 6) + BitOperations.TrailingZeroCount(words[i]);
            }
        }
        throw new InvalidOperationException("the CPU set is empty");
    }

    /// <summary>The largest CPU id; throws on an empty set.</summary>
    public readonly int Max()
    {
        ReadOnlySpan<ulong> words = _words;
        for (int i = words.Length - 1; i >= 0; i--)
        {
            if (words[i] != 0)
            {
                return (i << 6) + 63 - BitOperations.LeadingZeroCount(words[i]);
            }
        }
        throw new InvalidOperationException("the CPU set is empty");
    }

    /// <summary>The <paramref name="count"/> smallest CPU ids (all of them when fewer).</summary>
    public readonly CpuSet TakeFirst(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        CpuSet result = default;
        ReadOnlySpan<ulong> words = _words;
        Span<ulong> r = result._words;
        for (int i = 0; i < words.Length && count > 0; i++)
        {
            ulong word = words[i];
            int bits = BitOperations.PopCount(word);
            if (bits <= count)
            {
                r[i] = word;
                count -= bits;
                continue;
            }
            ulong kept = 0;
            while (count > 0)
            {
                ulong lowest = word & (~word + 1);
                kept |= lowest;
                word ^= lowest;
                count--;
            }
            r[i] = kept;
        }
        return result;
    }

    /// <summary>Ordered enumeration (ascending CPU ids) without allocation.</summary>
    public readonly Enumerator GetEnumerator() => new(this);

    /// <summary>Copies the CPU ids, ascending, into <paramref name="destination"/>; returns how many.</summary>
    public readonly int CopyTo(Span<int> destination)
    {
        int n = 0;
        foreach (int cpu in this)
        {
            destination[n++] = cpu;
        }
        return n;
    }

    /// <summary>Parses a Linux cpulist (see <see cref="CpuListParser"/>); throws <see cref="CpuListFormatException"/>.</summary>
    public static CpuSet Parse(ReadOnlySpan<char> text)
    {
        if (!CpuListParser.TryParse(text, out CpuSet set, out CpuListError error))
        {
            throw new CpuListFormatException(error, text.ToString());
        }
        return set;
    }

    /// <summary>Parses a Linux cpulist; false on malformed input.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out CpuSet set) =>
        CpuListParser.TryParse(text, out set, out _);

    /// <summary>Parses a Linux cpulist; on failure <paramref name="error"/> says where and why.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out CpuSet set, out CpuListError error) =>
        CpuListParser.TryParse(text, out set, out error);

    /// <summary>Formats as a Linux cpulist (<c>0-3,8,10-11</c>); empty string for the empty set.</summary>
    public readonly override string ToString()
    {
        Span<char> buffer = stackalloc char[MaxFormattedLength];
        TryFormat(buffer, out int written);
        return new string(buffer[..written]);
    }

    /// <summary>The longest cpulist any set can format to ("0,2,4,...,4094": 2048 items).</summary>
    public const int MaxFormattedLength = 2048 * 5;

    /// <summary>Formats as a Linux cpulist into <paramref name="destination"/> without allocation.</summary>
    public readonly bool TryFormat(Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        int position = 0;
        int runStart = -1, previous = -2;
        foreach (int cpu in this)
        {
            if (cpu == previous + 1)
            {
                previous = cpu;
                continue;
            }
            if (runStart >= 0 && !AppendRun(destination, ref position, runStart, previous))
            {
                return false;
            }
            runStart = previous = cpu;
        }
        if (runStart >= 0 && !AppendRun(destination, ref position, runStart, previous))
        {
            return false;
        }
        charsWritten = position;
        return true;
    }

    private static bool AppendRun(Span<char> destination, ref int position, int first, int last)
    {
        if (position > 0)
        {
            if (position >= destination.Length)
            {
                return false;
            }
            destination[position++] = ',';
        }
        if (!first.TryFormat(destination[position..], out int written, default, System.Globalization.CultureInfo.InvariantCulture))
        {
            return false;
        }
        position += written;
        if (last == first)
        {
            return true;
        }
        if (position >= destination.Length)
        {
            return false;
        }
        destination[position++] = '-';
        if (!last.TryFormat(destination[position..], out written, default, System.Globalization.CultureInfo.InvariantCulture))
        {
            return false;
        }
        position += written;
        return true;
    }

    public readonly bool Equals(CpuSet other) =>
        ((ReadOnlySpan<ulong>)_words).SequenceEqual(other._words);

    public readonly override bool Equals(object? obj) => obj is CpuSet other && Equals(other);

    public readonly override int GetHashCode()
    {
        HashCode hash = default;
        ReadOnlySpan<ulong> words = _words;
        for (int i = 0; i < words.Length; i++)
        {
            hash.Add(words[i]);
        }
        return hash.ToHashCode();
    }

    public static bool operator ==(CpuSet left, CpuSet right) => left.Equals(right);

    public static bool operator !=(CpuSet left, CpuSet right) => !left.Equals(right);

    internal void Add(int cpu)
    {
        CheckCpu(cpu);
        _words[cpu >> 6] |= 1UL << (cpu & 63);
    }

    internal void AddRange(int first, int lastInclusive)
    {
        for (int cpu = first; cpu <= lastInclusive;)
        {
            int word = cpu >> 6, bit = cpu & 63;
            int bitsHere = Math.Min(64 - bit, lastInclusive - cpu + 1);
            ulong mask = bitsHere == 64 ? ulong.MaxValue : ((1UL << bitsHere) - 1) << bit;
            _words[word] |= mask;
            cpu += bitsHere;
        }
    }

    internal readonly ulong Word(int index) => _words[index];

    private static void CheckCpu(int cpu)
    {
        if ((uint)cpu >= MaxCpus)
        {
            ThrowCpuOutOfRange(cpu);
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowCpuOutOfRange(int cpu) =>
        throw new ArgumentOutOfRangeException(nameof(cpu), cpu, $"CPU ids must be 0..{MaxCpus - 1}");

    /// <summary>Allocation-free ascending enumerator.</summary>
    internal struct Enumerator
    {
        private readonly CpuSet _set;
        private int _word;
        private ulong _remaining;
        private int _current;

        internal Enumerator(in CpuSet set)
        {
            _set = set;
            _word = 0;
            _remaining = set._words[0];
            _current = -1;
        }

        public readonly int Current => _current;

        public bool MoveNext()
        {
            while (_remaining == 0)
            {
                if (++_word >= WordCount)
                {
                    return false;
                }
                _remaining = _set.Word(_word);
            }
            int bit = BitOperations.TrailingZeroCount(_remaining);
            _remaining &= _remaining - 1;
            _current = (_word << 6) + bit;
            return true;
        }
    }
}
