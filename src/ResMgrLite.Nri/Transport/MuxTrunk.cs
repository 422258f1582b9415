using System.Buffers;
using System.IO.Pipelines;

namespace ResMgrLite.Nri.Transport;

/// <summary>
/// One NRI socket ("trunk") carrying logical connections 1 and 2 (docs/nri-rules.md §2). Incoming frame
/// payloads are appended to a per-connection pipe as they arrive, which the layer above reads as a
/// byte stream; outgoing messages are framed by <see cref="MuxFrameWriter"/> under a write lock so
/// the frames of one message are never interleaved with another's.
/// </summary>
internal sealed class MuxTrunk : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly PipeReader _trunkInput;
    private readonly PipeWriter _trunkOutput;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Pipe _pluginService;
    private readonly Pipe _runtimeService;
    private readonly IProtocolLog _log;
    private int _disposed;

    /// <param name="stream">The connected socket; the trunk closes it.</param>
    /// <param name="log">Where the reason for closing goes.</param>
    /// <param name="connectionBufferLimit">
    /// Unread bytes a logical connection may hold before the trunk stops reading the socket. The
    /// layer above never holds back more than one partial message, so this must be at least its
    /// largest message; the trunk pauses one block above this and resumes below it, so a peer that
    /// floods one connection cannot grow memory without bound, and the chunks of a split
    /// Synchronize are not read ahead of the one being decoded (each may be 4 MiB).
    /// </param>
    /// <param name="pool">Where every pipe's memory comes from; <see cref="MappedBlockPool.Instance"/> unless a test counts its own.</param>
    public MuxTrunk(Stream stream, IProtocolLog log, long connectionBufferLimit, MappedBlockPool? pool = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(connectionBufferLimit, 1);
        _stream = stream;
        _log = log;
        ResumeThreshold = connectionBufferLimit;
        PauseThreshold = connectionBufferLimit + MappedBlockPool.BlockSize;
        pool ??= MappedBlockPool.Instance;
        _trunkInput = PipeReader.Create(stream, new StreamPipeReaderOptions(pool, bufferSize: MappedBlockPool.BlockSize, leaveOpen: true));
        _trunkOutput = PipeWriter.Create(stream, new StreamPipeWriterOptions(pool, minimumBufferSize: MappedBlockPool.BlockSize, leaveOpen: true));
        var options = new PipeOptions(
            pool,
            pauseWriterThreshold: PauseThreshold,
            resumeWriterThreshold: ResumeThreshold,
            minimumSegmentSize: MappedBlockPool.BlockSize,
            useSynchronizationContext: false);
        _pluginService = new Pipe(options);
        _runtimeService = new Pipe(options);
        PluginService = new MuxConnection(this, MuxConnectionId.PluginService, _pluginService.Reader);
        RuntimeService = new MuxConnection(this, MuxConnectionId.RuntimeService, _runtimeService.Reader);
    }

    /// <summary>A logical connection's queue pauses the trunk reader above this many unread bytes.</summary>
    public long PauseThreshold { get; }

    /// <summary>… and lets it go on below this many.</summary>
    public long ResumeThreshold { get; }

    /// <summary>Conn 1: the runtime calls, the plugin serves <c>nri.pkg.api.v1alpha1.Plugin</c>.</summary>
    public IMessageDuplexPipe PluginService { get; }

    /// <summary>Conn 2: the plugin calls <c>nri.pkg.api.v1alpha1.Runtime</c>.</summary>
    public IMessageDuplexPipe RuntimeService { get; }

    /// <summary>Why the trunk stopped; null while running or after a clean EOF.</summary>
    public string? CloseReason { get; private set; }

    /// <summary>Sends one complete message on a logical connection.</summary>
    public async ValueTask SendAsync(uint connId, ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                throw new IOException("the NRI socket is closed");
            }

            MuxFrameWriter.WriteMessage(_trunkOutput, connId, message.Span);
            FlushResult flushed = await _trunkOutput.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flushed.IsCompleted || flushed.IsCanceled)
            {
                throw new IOException("the NRI socket is closed");
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// <see cref="RunAsync"/> on a thread of its own: reads of a <see cref="BlockingSocketStream"/>
    /// block until the runtime sends, so the trunk must not run on the caller's thread (which goes on
    /// to the ttrpc loops) or on a thread-pool thread. Whatever continues after an asynchronous wait
    /// (a paused logical connection) runs on the thread pool, as any continuation.
    /// </summary>
    public Task Start(CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => RunAsync(cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    /// <summary>
    /// Reads frames until EOF, a protocol violation or cancellation, then completes both logical
    /// connections so their ttrpc loops end. Never throws: the reason is logged and kept in
    /// <see cref="CloseReason"/>.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ReadFramesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            CloseReason = "cancelled";
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException && CloseReason is not null)
        {
            // Abort closed the socket under a blocked read: the reason it gave stands, nothing failed.
        }
#pragma warning disable CA1031 // Whatever ends the trunk ends only this connection, never the process.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            CloseReason = ConnectionErrorText.Of(ex);
            _log.Write(ProtocolLogLevel.Error, $"closing NRI connection: {CloseReason}");
        }
        finally
        {
            // The reason is logged here once; the ttrpc loops just see their streams end.
            await _pluginService.Writer.CompleteAsync().ConfigureAwait(false);
            await _runtimeService.Writer.CompleteAsync().ConfigureAwait(false);
            await _trunkInput.CompleteAsync().ConfigureAwait(false);
        }
    }

    private async Task ReadFramesAsync(CancellationToken cancellationToken)
    {
        // The frame being passed on: its connection and how many of its payload bytes are still to come.
        uint frameConnId = 0;
        long frameRemaining = 0;
        while (true)
        {
            ReadResult result = await _trunkInput.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            try
            {
                while (true)
                {
                    if (frameRemaining > 0)
                    {
                        if (buffer.IsEmpty)
                        {
                            break;
                        }

                        long take = Math.Min(buffer.Length, frameRemaining);
                        await DeliverAsync(frameConnId, buffer.Slice(0, take), cancellationToken).ConfigureAwait(false);
                        buffer = buffer.Slice(take);
                        frameRemaining -= take;
                        continue;
                    }

                    if (!MuxFrameReader.TryReadHeader(ref buffer, out frameConnId, out int length))
                    {
                        break;
                    }

                    // Empty frames carry nothing (Go never sends them); frames for connections that
                    // were never opened are read and dropped, as Go does (docs/nri-rules.md §2.1).
                    frameRemaining = length;
                    if (length > 0 && Target(frameConnId) is null && _log.IsEnabled(ProtocolLogLevel.Debug))
                    {
                        _log.Write(ProtocolLogLevel.Debug, $"dropping {length}-byte mux frame for unopened conn {frameConnId}");
                    }
                }

                if (result.IsCompleted)
                {
                    if (frameRemaining > 0 || !buffer.IsEmpty)
                    {
                        throw new ProtocolViolationException(frameRemaining > 0
                            ? $"EOF inside a mux frame ({frameRemaining} payload bytes of conn {frameConnId} missing)"
                            : $"EOF inside a mux frame header ({buffer.Length} of {MuxFrameReader.HeaderLength} bytes received)");
                    }

                    _log.Write(ProtocolLogLevel.Info, "NRI socket closed by the runtime (EOF)");
                    return;
                }
            }
            finally
            {
                // What was not parsed is examined but not consumed (Kestrel pattern).
                _trunkInput.AdvanceTo(buffer.Start, buffer.End);
            }
        }
    }

    private PipeWriter? Target(uint connId) => connId switch
    {
        MuxConnectionId.PluginService => _pluginService.Writer,
        MuxConnectionId.RuntimeService => _runtimeService.Writer,
        _ => null,
    };

    private async ValueTask DeliverAsync(uint connId, ReadOnlySequence<byte> payload, CancellationToken cancellationToken)
    {
        if (Target(connId) is not { } target)
        {
            return;
        }

        foreach (ReadOnlyMemory<byte> segment in payload)
        {
            target.Write(segment.Span);
        }

        // Waits here when the connection's queue is over PauseThreshold: back-pressure on the trunk.
        FlushResult flushed = await target.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (flushed.IsCompleted)
        {
            throw new ProtocolViolationException($"logical connection {connId} was closed by its reader");
        }
    }

    /// <summary>Closes the socket; the read loop ends and everything pending fails.</summary>
    public void Abort(string reason)
    {
        CloseReason ??= reason;
        try
        {
            _stream.Dispose();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // Already closed: nothing more to release.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Abort("disposed");
        // Wait for a send in progress; the lock itself is left to the GC so late senders get an
        // IOException from the closed-check below instead of ObjectDisposedException.
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            await _trunkOutput.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // Bytes a failed send left behind cannot go out on the closed socket: they are dropped.
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
