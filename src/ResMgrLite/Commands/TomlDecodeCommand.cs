using ResMgrLite.Config.Toml;

namespace ResMgrLite.Commands;

/// <summary>
/// <c>resmgrlite debug toml-decode</c> (hidden): the standard toml-test decoder interface, so the
/// upstream toml-test runner can check the shipped binary's parser.
/// </summary>
internal static class TomlDecodeCommand
{
    internal static int Run(Stream stdin, TextWriter stdout, TextWriter stderr) => TomlDecoder.Run(stdin, stdout, stderr);
}
