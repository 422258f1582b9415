using System.Net.Sockets;
using ResMgrLite.Nri.Ttrpc;

namespace ResMgrLite.Nri.Tests.Plugin;

/// <summary>Socket and connection failures reach the log in the project's words, never the socket layer's own text.</summary>
public sealed class ConnectionErrorTextTests
{
    [Theory]
    [InlineData(SocketError.ConnectionReset, "the runtime reset the connection")]
    [InlineData(SocketError.NotConnected, "the runtime closed the connection")]
    [InlineData(SocketError.Shutdown, "the runtime closed the connection")]
    [InlineData(SocketError.ConnectionRefused, "nothing is listening on the socket")]
    [InlineData(SocketError.AccessDenied, "permission denied")]
    [InlineData(SocketError.NotSocket, "the descriptor is not an open socket")]
    public void Socket_errors_are_described_by_their_code_also_when_wrapped_by_the_stream(SocketError code, string words)
    {
        var socket = new SocketException((int)code);

        Assert.Equal(words, ConnectionErrorText.Of(socket));
        Assert.Equal(words, ConnectionErrorText.Of(new IOException("Unable to read data from the transport connection", socket)));
    }

    [Fact]
    public void The_protocol_layers_own_messages_pass_through_and_a_defect_names_its_type()
    {
        Assert.Equal("the NRI socket is closed", ConnectionErrorText.Of(new IOException("the NRI socket is closed")));
        Assert.Equal("frame too large", ConnectionErrorText.Of(new ProtocolViolationException("frame too large")));
        Assert.Equal("refused", ConnectionErrorText.Of(new TtrpcStatusException(TtrpcStatusCode.Unknown, "refused")));
        Assert.Equal("the connection was already closed", ConnectionErrorText.Of(new ObjectDisposedException("System.Net.Sockets.Socket")));
        Assert.Equal("unexpected InvalidOperationException: broken", ConnectionErrorText.Of(new InvalidOperationException("broken")));
    }

    [Fact]
    public void A_pre_launched_fd_that_is_not_open_is_refused_in_words()
    {
        // Far above any descriptor a test process holds.
        var plugin = new NriPreLaunchedPlugin(900_000, "resmgrlite", "90");

        IOException refused = Assert.Throws<IOException>(() => plugin.OpenSocket().Dispose());

        Assert.Equal("fd 900000 is not a usable socket: the descriptor is not an open socket", refused.Message);
    }
}
