using ResMgrLite.Config.Sources;
using ResMgrLite.Host.Files;

namespace ResMgrLite;

/// <summary>
/// Reads a configuration file for the configuration layer (which does not touch the host): bounded
/// to <see cref="ConfigDocument.MaxBytes"/>, never blocking on a FIFO, a link followed only to a
/// regular file; every failure becomes one positioned problem in words.
/// </summary>
internal static class ConfigFileReader
{
    public static ConfigDocument Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return ConfigDocument.FromFileContent(HostFile.ReadBytes(path, HostFileKind.Configuration), path);
        }
        catch (IOException e)
        {
            return ConfigDocument.Unreadable(path, ErrorText.Of(e, path));
        }
    }
}
