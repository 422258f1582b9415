namespace ResMgrLite.Nri.Tests.Support;

internal static class Hex
{
    /// <summary>Parses "0a 1c 6e ..." (whitespace ignored).</summary>
    public static byte[] Parse(string text) => Convert.FromHexString(string.Concat(text.Where(c => !char.IsWhiteSpace(c))));

    public static byte[] Ascii(string text) => System.Text.Encoding.ASCII.GetBytes(text);

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
