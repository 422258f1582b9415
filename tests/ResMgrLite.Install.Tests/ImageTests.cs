using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Install.Tests;

/// <summary>
/// The DaemonSet's image (out/resmgrlite_&lt;version&gt;_oci.tar): a valid OCI image layout whose
/// every blob matches its digest and size, whose one layer holds exactly the published binary, and
/// whose entrypoint is that binary.
/// </summary>
public sealed class ImageTests
{
    private static Dictionary<string, byte[]> Entries()
    {
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using FileStream file = File.OpenRead(Shipped.Image);
        using var reader = new TarReader(file);
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is null)
            {
                continue;
            }
            using var copy = new MemoryStream();
            entry.DataStream.CopyTo(copy);
            entries[entry.Name.TrimStart('.', '/')] = copy.ToArray();
        }
        return entries;
    }

    private static byte[] Blob(Dictionary<string, byte[]> entries, JsonElement descriptor)
    {
        string digest = descriptor.GetProperty("digest").GetString()!;
        Assert.StartsWith("sha256:", digest, StringComparison.Ordinal);
        byte[] blob = entries[$"blobs/sha256/{digest["sha256:".Length..]}"];
        Assert.Equal(digest["sha256:".Length..], Convert.ToHexStringLower(SHA256.HashData(blob)));
        Assert.Equal(descriptor.GetProperty("size").GetInt64(), blob.LongLength);
        return blob;
    }

    [Fact]
    public void The_image_holds_the_published_binary_as_its_entrypoint()
    {
        Dictionary<string, byte[]> entries = Entries();
        Assert.Equal("1.0.0", JsonDocument.Parse(entries["oci-layout"]).RootElement.GetProperty("imageLayoutVersion").GetString());
        JsonElement manifestDescriptor = JsonDocument.Parse(entries["index.json"]).RootElement.GetProperty("manifests").EnumerateArray().Single();
        Assert.Equal($"localhost/resmgrlite:{Shipped.Version}", manifestDescriptor.GetProperty("annotations").GetProperty("org.opencontainers.image.ref.name").GetString());

        JsonElement manifest = JsonDocument.Parse(Blob(entries, manifestDescriptor)).RootElement;
        JsonElement config = JsonDocument.Parse(Blob(entries, manifest.GetProperty("config"))).RootElement;
        Assert.Equal(["/usr/bin/resmgrlite"], config.GetProperty("config").GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("amd64", config.GetProperty("architecture").GetString());

        byte[] layer = Blob(entries, manifest.GetProperty("layers").EnumerateArray().Single());
        using var gzip = new GZipStream(new MemoryStream(layer), CompressionMode.Decompress);
        using var uncompressed = new MemoryStream();
        gzip.CopyTo(uncompressed);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(uncompressed.ToArray())),
            config.GetProperty("rootfs").GetProperty("diff_ids")[0].GetString());
        uncompressed.Position = 0;
        using var layerReader = new TarReader(uncompressed);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        while (layerReader.GetNextEntry() is { } entry)
        {
            if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile)
            {
                using var copy = new MemoryStream();
                entry.DataStream!.CopyTo(copy);
                files[entry.Name] = copy.ToArray();
                Assert.Equal((UnixFileMode)0b111_101_101, entry.Mode);
                Assert.Equal(0, entry.Uid);
            }
        }
        Assert.Equal(["usr/bin/resmgrlite"], files.Keys);
        Assert.Equal(File.ReadAllBytes(RepoPaths.PublishedBinary), files["usr/bin/resmgrlite"]);
    }
}
