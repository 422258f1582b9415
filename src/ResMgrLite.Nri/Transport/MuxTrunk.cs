using System.Buffers;
using System.IO.Pipelines;

namespace ResMgrLite.Nri.Transport;

/// <summary>
/// One NRI socket ("trunk") carrying logical connections 1 and 2 (spec §2). Incoming frame
/// payloads are appended to a per-connection pipe that the ttrpc layer reads as a byte stream;
/// outgoing ttrpc messages are framed by <see cref="MuxFrameWriter"/> under a write lock so the
/// frames of one message are never interleaved with another's.
/// </summary>
internal sealed class MuxTrunk : IAsyncDisposable
{
    /// <summary>
    /// A logical connection's queue pauses the trunk reader above this many unread bytes, so a
    /// peer that floods one connection cannot grow memory without bound. The ttrpc reader only ever
    /// holds back a partial message (≤ header + 4 MiB, larger ones are skipped), so resuming below
    /// that size cannot deadlock.
    /// </summary>
    internal const long ResumeThreshold = Ttrpc.TtrpcFrameReader.MaxDataLength + (64 * 1024);
    internal const long PauseThreshold = 2 * ResumeThreshold;

    private readonly Stream _stream;
    private readonly PipeReader _trunkInput;
    private readonly PipeWriter _trunkOutput;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Pipe _pluginService;
    private readonly Pipe _runtimeService;
    private readonly IProtocolLog _log;
    private int _disposed;

    public MuxTrunk(Stream stream, IProtocolLog log)
    {
        _stream = stream;
        _log = log;
        _trunkInput = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        _trunkOutput = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        var options = new PipeOptions(
            pauseWriterThreshold: PauseThreshold,
            resumeWriterThreshold: ResumeThreshold,
            useSynchronizationContext: false);
        _pluginService = new Pipe(options);
        _runtimeService = new Pipe(options);
    }

    /// <summary>Why the trunk stopped; null while running or after a clean EOF.</summary>
    public string? CloseReason { get; private set; }

    public PipeReader Input(uint connId) => connId switch
    {
        MuxConnectionId.PluginService => _pluginService.Reader,
        MuxConnectionId.RuntimeService => _runtimeService.Reader,
        _ => throw new ArgumentOutOfRangeException(nameof(connId), connId, "NRI uses logical connections 1 and 2 only"),
    };

    /// <summary>Sends one complete ttrpc message (header and data) on a logical connection.</summary>
    public async ValueTask SendAsync(uint connId, ReadOnlyMemory<byte> ttrpcMessage, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                throw new IOException("the NRI socket is closed");
            }

            MuxFrameWriter.WriteMessage(_trunkOutput, connId, ttrpcMessage.Span);
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
#pragma warning disable CA1031 // Whatever ends the trunk ends only this connection, never the process.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            CloseReason = ex.Message;
            _log.Write(ProtocolLogLevel.Error, $"closing NRI connection: {ex.Message}");
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
        while (true)
        {
            ReadResult result = await _trunkInput.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            try
            {
                while (MuxFrameReader.TryReadFrame(ref buffer, out uint connId, out ReadOnlySequence<byte> payload))
                {
                    await DeliverAsync(connId, payload, cancellationToken).ConfigureAwait(false);
                }

                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        throw new ProtocolViolationException($"EOF inside a mux frame ({buffer.Length} bytes of a frame received)");
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

    private async ValueTask DeliverAsync(uint connId, ReadOnlySequence<byte> payload, CancellationToken cancellationToken)
    {
        PipeWriter? target = connId switch
        {
            MuxConnectionId.PluginService => _pluginService.Writer,
            MuxConnectionId.RuntimeService => _runtimeService.Writer,
            _ => null,
        };

        if (target is null)
        {
            // Go reads and drops frames for connections it has not opened (spec §2.1).
            if (_log.IsEnabled(ProtocolLogLevel.Debug))
            {
                _log.Write(ProtocolLogLevel.Debug, $"dropping {payload.Length}-byte mux frame for unopened conn {connId}");
            }

            return;
        }

        if (payload.IsEmpty)
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
        finally
        {
            _writeLock.Release();
        }
    }
}
