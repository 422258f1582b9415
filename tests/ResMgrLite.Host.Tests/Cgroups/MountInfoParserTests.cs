using ResMgrLite.Host.Cgroups;

namespace ResMgrLite.Host.Tests.Cgroups;

public class MountInfoParserTests
{
    [Fact]
    public void Reads_mount_point_type_and_super_options_after_optional_fields()
    {
        Assert.True(MountInfoParser.TryParseLine(
            "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 shared:2 - ext3 /dev/root rw,errors=continue", out MountInfoEntry entry));
        Assert.Equal(new MountInfoEntry("/mnt2", "ext3", "rw,errors=continue"), entry);
    }

    [Fact]
    public void Reads_lines_without_optional_fields()
    {
        Assert.True(MountInfoParser.TryParseLine("41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw", out MountInfoEntry entry));
        Assert.Equal(new MountInfoEntry("/sys/fs/cgroup/unified", "cgroup2", "rw"), entry);
    }

    [Fact]
    public void Decodes_octal_escapes_in_mount_points()
    {
        Assert.True(MountInfoParser.TryParseLine(@"50 22 0:40 / /mnt/with\040space\134x rw - tmpfs tmpfs rw", out MountInfoEntry entry));
        Assert.Equal(@"/mnt/with space\x", entry.MountPoint);
    }

    [Theory]
    [InlineData("")]
    [InlineData("36 35 98:0 /mnt1 /mnt2 rw,noatime ext3 /dev/root rw")]
    [InlineData("36 35 98:0 /mnt1 /mnt2 rw - ext3")]
    public void Rejects_lines_without_separator_or_type(string line) =>
        Assert.False(MountInfoParser.TryParseLine(line, out _));

    [Fact]
    public void Reports_the_line_number_of_a_bad_line()
    {
        var error = Assert.Throws<FormatException>(() => MountInfoParser.Parse("22 1 8:1 / / rw - ext4 /dev/vda rw\ngarbage\n", "/p/mountinfo"));
        Assert.Contains("/p/mountinfo line 2", error.Message, StringComparison.Ordinal);
    }
}
