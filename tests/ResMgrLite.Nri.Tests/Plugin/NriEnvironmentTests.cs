namespace ResMgrLite.Nri.Tests.Plugin;

public class NriEnvironmentTests
{
    private static Func<string, string?> Env(params (string Key, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Key == name).Value;

    [Fact]
    public void Reads_the_three_variables_the_runtime_sets()
    {
        Assert.True(NriEnvironment.TryGetPreLaunched(Env(("NRI_PLUGIN_SOCKET", "3"), ("NRI_PLUGIN_NAME", "resmgrlite"), ("NRI_PLUGIN_IDX", "90")), "/opt/nri/plugins/90-resmgrlite", out NriPreLaunchedPlugin? plugin));

        Assert.Equal(new NriPreLaunchedPlugin(3, "resmgrlite", "90"), plugin);
    }

    [Fact]
    public void Falls_back_to_the_executable_name_like_the_go_stub()
    {
        Assert.True(NriEnvironment.TryGetPreLaunched(Env(("NRI_PLUGIN_SOCKET", "3")), "/opt/nri/plugins/05-res-mgr", out NriPreLaunchedPlugin? plugin));

        Assert.Equal(new NriPreLaunchedPlugin(3, "res-mgr", "05"), plugin);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("three")]
    [InlineData("-1")]
    public void Without_a_usable_socket_variable_it_is_not_pre_launched(string? socket)
    {
        Func<string, string?> env = name => name == "NRI_PLUGIN_SOCKET" ? socket : "x";

        Assert.False(NriEnvironment.TryGetPreLaunched(env, "/usr/bin/resmgrlite", out NriPreLaunchedPlugin? plugin));
        Assert.Null(plugin);
    }
}
