namespace ResMgrLite.Nri.Tests.Plugin;

public class NriConnectionOptionsTests
{
    [Theory]
    [InlineData("resmgrlite", "50", true)]
    [InlineData("a.b_c+d-e", "00", true)]
    [InlineData("", "50", false)]
    [InlineData("bad name", "50", false)]
    [InlineData("bad/name", "50", false)]
    [InlineData("ok", "5", false)]
    [InlineData("ok", "500", false)]
    [InlineData("ok", "5a", false)]
    public void ValidatesTheIdentityTheRuntimeChecks(string name, string index, bool valid)
    {
        var options = new NriConnectionOptions { PluginName = name, PluginIndex = index, SocketPath = "/run/nri.sock" };

        if (valid)
        {
            options.Validate();
        }
        else
        {
            Assert.Throws<ArgumentException>(options.Validate);
        }
    }
}
