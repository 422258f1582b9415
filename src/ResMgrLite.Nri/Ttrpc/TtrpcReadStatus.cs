namespace ResMgrLite.Nri.Ttrpc;

internal enum TtrpcReadStatus
{
    /// <summary>Header or body not complete yet; nothing was consumed.</summary>
    Incomplete,

    /// <summary>A whole message was read and consumed.</summary>
    Message,

    /// <summary>
    /// The header declared more than the ttrpc maximum. Only the header was consumed; the caller
    /// skips <see cref="TtrpcMessageHeader.DataLength"/> bytes and answers RESOURCE_EXHAUSTED, as the
    /// Go receiver does (docs/nri-rules.md §3.1).
    /// </summary>
    Oversized,

    /// <summary>
    /// Within the ttrpc maximum but more than the connection holds unread. Only the header was
    /// consumed; the caller takes the data out as it arrives (streamed or assembled).
    /// </summary>
    TooLargeToHold,
}
