namespace ResMgrLite.Host.Files;

/// <summary>The S_IFMT values of st_mode.</summary>
internal enum FileType
{
    Unknown = 0,
    Fifo = 0x1000,
    CharacterDevice = 0x2000,
    Directory = 0x4000,
    BlockDevice = 0x6000,
    Regular = 0x8000,
    SymbolicLink = 0xA000,
    Socket = 0xC000,
}
