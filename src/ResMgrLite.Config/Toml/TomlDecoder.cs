namespace ResMgrLite.Config.Toml;

/// <summary>
/// The toml-test "decoder" contract: TOML on stdin, tagged JSON on stdout and exit 0; for
/// invalid TOML a message on stderr and exit 1. Backs <c>resmgrlite debug toml-decode</c>.
/// </summary>
internal static class TomlDecoder
{
    public const int ExitSuccess = 0;
    public const int ExitInvalid = 1;

    public static int Run(Stream input, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        TomlTable document;
        try
        {
            document = TomlDocument.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), "stdin");
        }
        catch (TomlException exception)
        {
            error.WriteLine(exception.Message);
            return ExitInvalid;
        }

        output.WriteLine(TomlTaggedJson.ToJson(document));
        output.Flush();
        return ExitSuccess;
    }
}
