using System.Text;
using System.Runtime.InteropServices;
using ResMgrLite.Host.Files;

namespace ResMgrLite;

/// <summary>
/// stdin, stdout and stderr as plain descriptors (UTF-8, stdout and stderr flushed on every write,
/// safe from several threads), without System.Console. Console initialises the terminal on its first
/// write (terminfo database, terminal settings, encodings by name) and that costs about 180 KB of the
/// static binary once nothing else uses Console (docs/benchmarks.md); the plugin and the commands
/// never need a terminal.
/// </summary>
internal static class StandardStreams
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private static TextWriter? s_out;
    private static TextWriter? s_error;

    internal static TextWriter Out => s_out ??= Writer(1);

    internal static TextWriter Error => s_error ??= Writer(2);

    internal static Stream OpenInput() => new DescriptorStream(0);

    internal static TextReader In => new StreamReader(OpenInput(), Utf8, detectEncodingFromByteOrderMarks: false);

    // Created on first use, so a descriptor the process was started without is only looked at when written.
    private static TextWriter Writer(int fd) =>
        TextWriter.Synchronized(new StreamWriter(new DescriptorStream(fd), Utf8, 4096) { AutoFlush = true });

    /// <summary>One of the three descriptors, never closed here, read and written with read(2) and write(2)
    /// at the descriptor's shared offset. (A FileStream over a regular file keeps its own position and
    /// writes with pwrite(2), so `echo a; resmgrlite --version; echo b` into one file lost lines.)
    /// A descriptor the process was started without, or a reader that went away, makes writes no-ops
    /// and reads end of input.</summary>
    private sealed unsafe class DescriptorStream(int fd) : Stream
    {
        private bool _gone;

        public override bool CanRead => fd == 0;
        public override bool CanSeek => false;
        public override bool CanWrite => fd != 0;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            if (_gone || buffer.IsEmpty)
            {
                return 0;
            }
            fixed (byte* start = buffer)
            {
                while (true)
                {
                    nint read = LibC.Read(fd, start, buffer.Length);
                    if (read >= 0)
                    {
                        return (int)read;
                    }
                    if (Marshal.GetLastPInvokeError() != LibC.Interrupted)
                    {
                        _gone = true;
                        return 0;
                    }
                }
            }
        }
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            fixed (byte* start = buffer)
            {
                int done = 0;
                while (!_gone && done < buffer.Length)
                {
                    nint written = LibC.Write(fd, start + done, buffer.Length - done);
                    if (written >= 0)
                    {
                        done += (int)written;
                    }
                    else if (Marshal.GetLastPInvokeError() != LibC.Interrupted)
                    {
                        // EPIPE or EBADF: the output has nowhere to go.
                        _gone = true;
                    }
                }
            }
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
