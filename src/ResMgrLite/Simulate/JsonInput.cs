using System.Text.Json;
using ResMgrLite.Host.Files;

namespace ResMgrLite.Simulate;

/// <summary>A JSON document named on the command line: read bounded through <see cref="HostFile"/>, syntax and shape errors in words with line and column.</summary>
internal static class JsonInput
{
    /// <param name="what">What the file should be, for messages (e.g. "the pods file (JSON, docs/simulate.md)").</param>
    public static byte[] ReadFile(string path, string what)
    {
        try
        {
            return HostFile.ReadBytes(path, HostFileKind.InputDocument);
        }
        catch (IOException e)
        {
            throw new SimulationInputException($"{path}: {ErrorText.Of(e, path)}: name {what}");
        }
    }

    /// <summary>Reads one document's fields: null when the file holds JSON null.</summary>
    public delegate T? DocumentReader<T>(ref JsonFields json)
        where T : class;

    /// <param name="shape">What the values are, for a value of the wrong type.</param>
    public static T Deserialize<T>(ReadOnlySpan<byte> utf8, string source, DocumentReader<T> read, string shape)
        where T : class
    {
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }
        // Syntax first, so a broken file and a wrong field are told apart.
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            throw new SimulationInputException($"{source}: not valid JSON at line {e.LineNumber + 1}, column {e.BytePositionInLine + 1}: fix the syntax there (an empty file, a missing comma, quote or bracket, or a comment)");
        }
        var json = new JsonFields(utf8, source, shape);
        return read(ref json) ?? throw new SimulationInputException($"{source}: the file holds null instead of an object");
    }
}
