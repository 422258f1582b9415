namespace ResMgrLite.Nri.Tests.Support;

/// <summary>The exact byte conversations of docs/nri-rules.md §3.6 and §8.</summary>
internal static class SpecFixtures
{
    /// <summary>§8.1: RegisterPlugin("demo", "10"), no timeout, 76 bytes.</summary>
    public static readonly byte[] RegisterPluginDemo = Hex.Concat(
        Hex.Parse("00 00 00 02  00 00 00 44"),           // mux: conn 2 (Runtime service), payload 68
        Hex.Parse("00 00 00 3a  00 00 00 01  01  00"),   // ttrpc: len 58, stream 1, Request, flags 0
        Hex.Parse("0a 1c"), Hex.Ascii("nri.pkg.api.v1alpha1.Runtime"), // field 1 service (28 bytes)
        Hex.Parse("12 0e"), Hex.Ascii("RegisterPlugin"),               // field 2 method (14 bytes)
        Hex.Parse("1a 0a"),                                            // field 3 payload (10 bytes)
        Hex.Parse("0a 04"), Hex.Ascii("demo"),                         //   plugin_name
        Hex.Parse("12 02"), Hex.Ascii("10"));                          //   plugin_idx

    /// <summary>§8.1 with timeout_nano = 5e9 (Go stub), 82 bytes.</summary>
    public static readonly byte[] RegisterPluginDemoWithTimeout = Hex.Concat(
        Hex.Parse("00 00 00 02  00 00 00 4a"),           // mux: conn 2, payload 74
        Hex.Parse("00 00 00 40  00 00 00 01  01  00"),   // ttrpc: len 64, stream 1, Request
        Hex.Parse("0a 1c"), Hex.Ascii("nri.pkg.api.v1alpha1.Runtime"),
        Hex.Parse("12 0e"), Hex.Ascii("RegisterPlugin"),
        Hex.Parse("1a 0a 0a 04"), Hex.Ascii("demo"), Hex.Parse("12 02"), Hex.Ascii("10"),
        Hex.Parse("20 80 e4 97 d0 12"));                 // field 4 timeout_nano varint 5 000 000 000

    /// <summary>§8.2: the runtime's empty success reply on conn 2 stream 1.</summary>
    public static readonly byte[] RegisterReply = Hex.Concat(
        Hex.Parse("00 00 00 02  00 00 00 0a"),           // mux conn 2, len 10
        Hex.Parse("00 00 00 00  00 00 00 01  02  00"));  // ttrpc len 0, stream 1, Response

    /// <summary>§8.3: Configure as the v0.6.1 adaptation sends it.</summary>
    public static readonly byte[] Configure = Hex.Concat(
        Hex.Parse("00 00 00 01 00 00 00 52"),            // mux conn 1, len 82
        Hex.Parse("00 00 00 48 00 00 00 01 01 00"),      // ttrpc len 72, stream 1, Request
        Hex.Parse("0a 1b"), Hex.Ascii("nri.pkg.api.v1alpha1.Plugin"),
        Hex.Parse("12 09"), Hex.Ascii("Configure"),
        Hex.Parse("1a 18 12 0a"), Hex.Ascii("containerd"), Hex.Parse("1a 0a"), Hex.Ascii("1.7.24~ds1"),
        Hex.Parse("20 a8 f6 d2 b9 07"));                 // timeout_nano 1 999 944 488

    /// <summary>§8.4: ConfigureResponse{events = 0x689}.</summary>
    public static readonly byte[] ConfigureReply0x689 = Hex.Concat(
        Hex.Parse("00 00 00 01 00 00 00 0f"),            // mux conn 1, len 15
        Hex.Parse("00 00 00 05 00 00 00 01 02 00"),      // ttrpc len 5, stream 1, Response
        Hex.Parse("12 03 10 89 0d"));                    // payload { events (field 2) = 1673 }

    /// <summary>§8.5: "unknown method" reply on stream 3.</summary>
    public static readonly byte[] UnknownMethodFooStream3 = Hex.Concat(
        Hex.Parse("00 00 00 01 00 00 00 1a"),            // mux conn 1, len 26
        Hex.Parse("00 00 00 10 00 00 00 03 02 00"),      // ttrpc len 16, stream 3, Response
        Hex.Parse("0a 0e 08 0c 12 0a"), Hex.Ascii("method Foo")); // status{code 12, message}

    /// <summary>§3.6: the Go server's ttrpc message (no mux header) for method "Nope" on stream 1.</summary>
    public static readonly byte[] UnknownMethodNopeTtrpc = Hex.Concat(
        Hex.Parse("00 00 00 11 00 00 00 01 02 00"),
        Hex.Parse("0a 0f 08 0c 12 0b"), Hex.Ascii("method Nope"));
}
