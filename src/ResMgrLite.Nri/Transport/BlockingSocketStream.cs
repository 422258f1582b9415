using System.Net.Sockets;

namespace ResMgrLite.Nri.Transport;

/// <summary>
/// The NRI socket as a stream of blocking <c>recv(2)</c> and <c>send(2)</c> calls. The trunk reads it
/// on a thread of its own (<see cref="MuxTrunk.Start"/>), so a read that waits for the runtime blocks
/// only that thread; writes are short (one message under the trunk's write lock) and the runtime
/// always reads.
/// </summary>
/// <remarks>
/// Why not <see cref="NetworkStream"/>: its asynchronous operations go through .NET's socket event
/// engine (an epoll thread, <c>SocketAsyncEventArgs</c>), whose connect telemetry keeps the activity
/// tracing and the reflection runtime in the image: about 150 KB of a binary whose size is the
/// product (docs/benchmarks.md, "Cuts of the fourth round"), and one thread and one <c>epoll_wait</c>
/// per message more than a blocking read. A plugin has one connection at a time, so one blocked
/// thread is all it costs. Disposing the socket from another thread ends a blocked read: .NET shuts
/// the socket down before closing it.
/// </remarks>
internal sealed class BlockingSocketStream : Stream
{
    private readonly Socket _socket;

    /// <param name="socket">A connected stream socket on a blocking descriptor (<see cref="UnixSocketDial.TryMakeBlocking"/>), owned from now on.</param>
    public BlockingSocketStream(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        if (socket.SocketType != SocketType.Stream || !socket.Connected)
        {
            throw new IOException("the socket is not a connected stream socket");
        }
        _socket = socket;
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return _socket.Receive(buffer, SocketFlags.None);
        }
        catch (SocketException error)
        {
            // As NetworkStream reports it, so every caller handles one kind of I/O failure.
            throw new IOException("receiving from the NRI socket failed", error);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>Blocks the calling thread until bytes arrive: called only on the trunk's own thread.</summary>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<int>(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        try
        {
            while (!buffer.IsEmpty)
            {
                buffer = buffer[_socket.Send(buffer, SocketFlags.None)..];
            }
        }
        catch (SocketException error)
        {
            throw new IOException("sending on the NRI socket failed", error);
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _socket.Dispose();
        }
        base.Dispose(disposing);
    }
}
