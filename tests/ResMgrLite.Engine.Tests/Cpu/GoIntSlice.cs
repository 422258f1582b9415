namespace ResMgrLite.Engine.Tests.Cpu;

/// <summary>
/// A Go <c>[]int</c> header, modelled explicitly for the reference allocator: a backing array that
/// other headers may share, and a length. <see cref="Append"/> follows Go's <c>append</c>: it
/// writes into the shared array while capacity allows, else copies into a new array whose
/// capacity doubles (from 0 to 1, then ×2 — Go's rule and size classes agree on that for int
/// slices shorter than 256, which is all a NUMA list can be).
/// </summary>
internal readonly struct GoIntSlice
{
    private readonly int[]? _array;

    private GoIntSlice(int[]? array, int length)
    {
        _array = array;
        Length = length;
    }

    /// <summary>The literal <c>[]int{}</c>: no elements, no capacity.</summary>
    public static GoIntSlice Empty => default;

    public int Length { get; }

    public int Capacity => _array?.Length ?? 0;

    public bool IsNil => _array == null;

    public int this[int index] => index < Length ? _array![index] : throw new IndexOutOfRangeException();

    public GoIntSlice Append(int value)
    {
        if (Length < Capacity)
        {
            _array![Length] = value;
            return new GoIntSlice(_array, Length + 1);
        }
        if (Capacity >= 256)
        {
            throw new InvalidOperationException("the model covers the doubling regime of Go's append only");
        }
        int[] grown = new int[Capacity == 0 ? 1 : Capacity * 2];
        _array?.AsSpan(0, Length).CopyTo(grown);
        grown[Length] = value;
        return new GoIntSlice(grown, Length + 1);
    }

    /// <summary>The elements as they read now (a copy; later writes to the array do not show).</summary>
    public int[] ToArray() => _array == null ? [] : _array.AsSpan(0, Length).ToArray();
}
