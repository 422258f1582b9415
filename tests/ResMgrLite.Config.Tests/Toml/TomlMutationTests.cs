using CsCheck;
using ResMgrLite.Config.Toml;

namespace ResMgrLite.Config.Tests.Toml;

/// <summary>
/// Randomised robustness: take the valid toml-test inputs, damage them (flip, insert, delete,
/// duplicate or truncate bytes) and require that the parser either succeeds or throws
/// TomlException — never another exception, never a hang.
/// </summary>
public sealed class TomlMutationTests
{
    private static readonly byte[][] Seeds = TomlTestSuite.CaseNames("valid").Select(TomlTestSuite.ReadInput).ToArray();

    // Bytes that matter to the grammar, plus a few that are always wrong.
    private static readonly byte[] Interesting = "[]{}=\"'.,#\\\n\r\t _-+:0xe"u8.ToArray().Concat(new byte[] { 0x00, 0x7F, 0xC3, 0xFF }).ToArray();

    private static readonly Gen<byte[]> MutatedInput =
        from seed in Gen.Int[0, Seeds.Length - 1].Select(i => Seeds[i])
        from edits in Gen.Int[1, 4]
        from operations in Gen.Select(Gen.Int[0, 4], Gen.Int[0, int.MaxValue], Gen.Int[0, Interesting.Length - 1], Gen.Byte).Array[edits]
        select Mutate(seed, operations);

    [Fact]
    public void Mutated_valid_inputs_parse_or_fail_with_TomlException()
    {
        MutatedInput.Sample(
            input =>
            {
                var task = Task.Run(() => Record.Exception(() => TomlDocument.Parse(input)));
                Assert.True(task.Wait(TimeSpan.FromSeconds(5)), "parser did not finish within 5 s");
                Assert.True(task.Result is null or TomlException, task.Result?.ToString());
            },
            iter: 20_000);
    }

    [Fact]
    public void Every_prefix_of_a_valid_input_parses_or_fails_with_TomlException()
    {
        foreach (byte[] seed in Seeds)
        {
            for (int length = 0; length < seed.Length; length++)
            {
                var exception = Record.Exception(() => TomlDocument.Parse(seed.AsSpan(0, length)));
                Assert.True(exception is null or TomlException, exception?.ToString());
            }
        }
    }

    private static byte[] Mutate(byte[] seed, (int Kind, int Where, int Pick, byte Random)[] operations)
    {
        var bytes = new List<byte>(seed);
        foreach (var (kind, where, pick, random) in operations)
        {
            int at = bytes.Count == 0 ? 0 : where % bytes.Count;
            byte value = pick % 2 == 0 ? Interesting[pick] : random;
            switch (kind)
            {
                case 0 when bytes.Count > 0: bytes[at] = value; break;
                case 1: bytes.Insert(at, value); break;
                case 2 when bytes.Count > 0: bytes.RemoveAt(at); break;
                case 3 when bytes.Count > 0: bytes.InsertRange(at, bytes.GetRange(at, Math.Min(8, bytes.Count - at))); break;
                case 4: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }

        return [.. bytes];
    }
}
