using CsCheck;
using ResMgrLite.Engine;
using ResMgrLite.Host.Sysfs;
using ResMgrLite.TestSupport.Sysfs;

namespace ResMgrLite.Host.Tests.Sysfs;

public class CpuMaskParserTests
{
    [Theory]
    [InlineData("1", "0")]
    [InlineData("0000000f\n", "0-3")]
    [InlineData("00000000,0000000f", "0-3")]
    [InlineData("00000001,00000000", "32")]
    [InlineData("80000000,00000000,00000001", "0,95")]
    [InlineData("00000000", "")]
    public void Parses_kernel_masks(string mask, string expected)
    {
        Assert.True(CpuMaskParser.TryParse(mask, out CpuSet set));
        Assert.Equal(CpuSet.Parse(expected), set);
    }

    [Theory]
    [InlineData("")]
    [InlineData("zz")]
    [InlineData(",1")]
    [InlineData("1,")]
    [InlineData("123456789")]
    [InlineData("0-3")]
    public void Rejects_malformed_masks(string mask) => Assert.False(CpuMaskParser.TryParse(mask, out _));

    [Fact]
    public void Rejects_cpus_beyond_4095()
    {
        string mask = "1" + string.Concat(Enumerable.Repeat(",00000000", 128));
        Assert.False(CpuMaskParser.TryParse(mask, out _));
    }

    [Fact]
    public void Round_trips_the_fixture_writer_format()
    {
        Gen.Int[0, 4095].Array[0, 64].Sample(cpus =>
        {
            CpuSet set = CpuSet.Of(cpus);
            Assert.True(CpuMaskParser.TryParse(SysfsTreeWriter.HexMask(set, 4096), out CpuSet parsed));
            Assert.Equal(set, parsed);
        });
    }
}
