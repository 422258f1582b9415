using System.Text;
using ResMgrLite.Engine.Model;
using ResMgrLite.Simulate;

namespace ResMgrLite.Tests.Simulate;

public sealed class PodsFileReaderTests
{
    /// <summary>JSON written with single quotes, for readable test data.</summary>
    internal static string J(string text) => text.Replace('\'', '"');

    private static List<SimulatedPod> Parse(string json, bool podLevelResources = true, bool memoryRequestsMatter = true) =>
        PodsFileReader.Parse(Encoding.UTF8.GetBytes(json), "pods.json", podLevelResources, memoryRequestsMatter);

    private static string Error(string json) => Assert.Throws<SimulationInputException>(() => Parse(json)).Message;

    /// <summary>One pod named p (or with <paramref name="metadata"/>) around <paramref name="spec"/>, both single-quoted JSON members.</summary>
    internal static string Pod(string spec, string metadata = "'name':'p'") => J("{'items':[{'metadata':{" + metadata + "},'spec':{" + spec + "}}]}");

    internal static string Container(string name, string resources = "") =>
        "{'name':'" + name + "'" + (resources.Length > 0 ? ",'resources':" + resources : "") + "}";

    private const string Guaranteed2 = "{'requests':{'cpu':'2','memory':'1Gi'},'limits':{'cpu':'2','memory':'1Gi'}}";

    [Fact]
    public void Qos_class_follows_the_kubelet_rule_over_init_and_app_containers()
    {
        Assert.Equal(QosClass.Guaranteed, Parse(Pod("'containers':[" + Container("a", Guaranteed2) + "]")).Single().Qos);
        // Limits alone default the requests (a JSON number is a quantity too): still Guaranteed.
        Assert.Equal(QosClass.Guaranteed, Parse(Pod("'containers':[" + Container("a", "{'limits':{'cpu':2,'memory':'1Gi'}}") + "]")).Single().Qos);
        // An init container without limits makes the pod Burstable.
        Assert.Equal(QosClass.Burstable, Parse(Pod("'initContainers':[" + Container("i", "{'requests':{'cpu':'100m'}}") + "],'containers':[" + Container("a", Guaranteed2) + "]")).Single().Qos);
        Assert.Equal(QosClass.BestEffort, Parse(Pod("'containers':[" + Container("a") + "]")).Single().Qos);
    }

    [Fact]
    public void Containers_come_in_kubelet_start_order_with_roles_and_defaulted_requests()
    {
        SimulatedPod pod = Parse(Pod(
            "'initContainers':[" + Container("setup") + ",{'name':'proxy','restartPolicy':'Always','resources':{'limits':{'cpu':'500m','memory':'64Mi'}}}]," +
            "'containers':[" + Container("app", "{'requests':{'cpu':0.5,'memory':'100M','hugepages-2Mi':'4Mi','nvidia.com/gpu':'1','ephemeral-storage':'1Gi'}}") + "]")).Single();

        Assert.Equal(["setup", "proxy", "app"], pod.Containers.Select(c => c.Name));
        Assert.Equal([ContainerRole.Init, ContainerRole.Sidecar, ContainerRole.App], pod.Containers.Select(c => c.Role));
        Assert.Equal(new ContainerResources(500, 500, 64L << 20, 64L << 20), pod.Containers[1].Resources);
        Assert.Equal(new ContainerResources(500, 0, 100_000_000, 0, Hugepages2MiBytes: 4L << 20), pod.Containers[2].Resources);
        Assert.Equal("default", pod.Namespace);
        Assert.Equal("default/p", pod.Uid);
    }

    [Fact]
    public void A_pod_level_budget_sets_the_class_and_the_notes_give_the_annotations_the_plugin_needs()
    {
        SimulatedPod pod = Parse(Pod(
            "'resources':{'requests':{'cpu':'12','memory':'48Gi'},'limits':{'cpu':'12','memory':'48Gi'}}," +
            "'initContainers':[" + Container("fetch") + ",{'name':'loader','restartPolicy':'Always'}],'containers':[" + Container("train") + "]")).Single();

        Assert.Equal(QosClass.Guaranteed, pod.Qos);
        Assert.Equal(new ContainerResources(12_000, 12_000, 48L << 30, 48L << 30), pod.PodLevel);
        Assert.Contains(pod.Notes, n => n.Contains("add resmgrlite.io/pod-resources: \"cpu=12,memory=48Gi\"", StringComparison.Ordinal));
        Assert.Contains(pod.Notes, n => n.Contains("add resmgrlite.io/container-roles: \"fetch=init,loader=sidecar\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Annotations_that_match_the_spec_leave_no_notes_and_ones_that_differ_are_named()
    {
        string spec = "'resources':{'requests':{'cpu':'2','memory':'1Gi'},'limits':{'cpu':'4','memory':'1Gi'}}," +
            "'initContainers':[" + Container("fetch") + "],'containers':[" + Container("train") + "]";
        SimulatedPod matching = Parse(Pod(spec,
            "'name':'p','annotations':{'resmgrlite.io/pod-resources':'requests.cpu=2,limits.cpu=4,memory=1Gi','resmgrlite.io/container-roles':'fetch=init'}")).Single();
        Assert.Empty(matching.Notes);
        Assert.Equal(QosClass.Burstable, matching.Qos);

        SimulatedPod differing = Parse(Pod(spec,
            "'name':'p','annotations':{'resmgrlite.io/pod-resources':'cpu=2,memory=1Gi','resmgrlite.io/container-roles':'train=sidecar'}")).Single();
        Assert.Contains(differing.Notes, n => n.Contains("differs from spec.resources", StringComparison.Ordinal) && n.Contains("\"requests.cpu=2,limits.cpu=4,memory=1Gi\"", StringComparison.Ordinal));
        Assert.Contains(differing.Notes, n => n.Contains("make resmgrlite.io/container-roles: \"fetch=init\"", StringComparison.Ordinal));
    }

    [Fact]
    public void A_budget_only_in_the_annotation_is_used_as_the_plugin_would_with_a_note()
    {
        SimulatedPod pod = Parse(Pod("'containers':[" + Container("a") + "]", "'name':'p','annotations':{'resmgrlite.io/pod-resources':'cpu=4,memory=8Gi'}")).Single();
        Assert.Equal(new ContainerResources(4000, 4000, 8L << 30, 8L << 30), pod.PodLevel);
        Assert.Equal(QosClass.Guaranteed, pod.Qos);
        Assert.Contains(pod.Notes, n => n.Contains("the kubelet does not know it", StringComparison.Ordinal));
    }

    [Fact]
    public void Without_the_pod_level_resources_gate_spec_resources_is_ignored()
    {
        SimulatedPod pod = Parse(Pod("'resources':{'limits':{'cpu':'4','memory':'8Gi'}},'containers':[" + Container("a") + "]"), podLevelResources: false).Single();
        Assert.Null(pod.PodLevel);
        Assert.Equal(QosClass.BestEffort, pod.Qos);
        Assert.Contains(pod.Notes, n => n.Contains("PodLevelResources feature gate is off", StringComparison.Ordinal));
    }

    [Fact]
    public void Burstable_memory_requests_get_the_memory_request_annotation_advice_only_when_memory_matters()
    {
        string web = Container("web", "{'requests':{'memory':'256Mi'},'limits':{'memory':'1Gi'}}");
        string json = Pod("'containers':[" + web + "," + Container("side") + "]");
        Assert.Contains(Parse(json).Single().Notes, n => n.Contains("add resmgrlite.io/memory-request: \"web=256Mi\"", StringComparison.Ordinal));
        Assert.Empty(Parse(json, memoryRequestsMatter: false).Single().Notes);
        Assert.Empty(Parse(Pod("'containers':[" + web + "]", "'name':'p','annotations':{'resmgrlite.io/memory-request':'web=256Mi'}")).Single().Notes);
    }

    [Fact]
    public void Opt_out_is_read_as_the_plugin_reads_it()
    {
        Assert.True(Parse(Pod("'containers':[" + Container("a") + "]", "'name':'p','annotations':{'resmgrlite.io/opt-out':' TRUE '}")).Single().OptedOut);
        Assert.False(Parse(Pod("'containers':[" + Container("a") + "]")).Single().OptedOut);
    }

    [Fact]
    public void One_pod_instead_of_a_list_is_accepted()
    {
        SimulatedPod pod = Assert.Single(Parse(J("{'kind':'Pod','metadata':{'name':'solo','namespace':'x','uid':'u1'},'spec':{'containers':[" + Container("a") + "]}}")));
        Assert.Equal("x/solo", pod.ToString());
        Assert.Equal("u1", pod.Uid);
    }

    [Theory]
    [InlineData("{'items':[", "pods.json: not valid JSON at line 1, column 11")]
    [InlineData("", "pods.json: not valid JSON at line 1, column 1")]
    [InlineData("{'items':[{'metadata':{'name':'p'},'spec':{'containers':{}}}]}", "pods.json: line 1, column 58, at $.items[0].spec.containers: the value has the wrong type")]
    [InlineData("{'kind':'List'}", "pods.json: no \"items\"")]
    [InlineData("{'items':[null]}", "pods.json: items[0] is null")]
    [InlineData("{'items':[{'spec':{}}]}", "pods.json: items[0]: \"metadata\" is missing")]
    [InlineData("{'items':[{'metadata':{},'spec':{}}]}", "pods.json: items[0]: metadata.name is missing or empty: name the pod")]
    [InlineData("{'items':[{'metadata':{'name':'p'},'spec':{'containers':[]}}]}", "pods.json: items[0] (pod default/p): spec.containers is missing or empty")]
    [InlineData("{'items':[{'metadata':{'name':'p'},'spec':{'containers':[{}]}}]}", "pods.json: items[0] (pod default/p): spec.containers[0].name is missing or empty")]
    public void Malformed_files_are_refused_with_the_place_and_what_to_do(string json, string expected)
    {
        Assert.StartsWith(expected, Error(J(json)), StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_values_name_the_pod_container_and_field()
    {
        Assert.Equal("pods.json: items[0] (pod default/p): container a: resources.requests.cpu: '2 cores' is not a Kubernetes quantity (e.g. 500m, 2, 256Mi, 1Gi)",
            Error(Pod("'containers':[" + Container("a", "{'requests':{'cpu':'2 cores'}}") + "]")));
        Assert.StartsWith("pods.json: items[0] (pod default/p): container a: resources.limits.cpus: not a resource Kubernetes knows",
            Error(Pod("'containers':[" + Container("a", "{'limits':{'cpus':'2'}}") + "]")), StringComparison.Ordinal);
        Assert.StartsWith("pods.json: items[0] (pod default/p): container a: resources: requests.memory is above limits.memory",
            Error(Pod("'containers':[" + Container("a", "{'requests':{'memory':'2Gi'},'limits':{'memory':'1Gi'}}") + "]")), StringComparison.Ordinal);
        Assert.StartsWith("pods.json: items[0] (pod default/p): container a: the name is used twice",
            Error(Pod("'initContainers':[" + Container("a") + "],'containers':[" + Container("a") + "]")), StringComparison.Ordinal);
        Assert.StartsWith("pods.json: items[0] (pod default/p): container i: restartPolicy \"OnFailure\"",
            Error(Pod("'initContainers':[{'name':'i','restartPolicy':'OnFailure'}],'containers':[" + Container("a") + "]")), StringComparison.Ordinal);
        Assert.StartsWith("pods.json: items[0] (pod default/p): spec.resources.requests.hugepages-2Mi: not a resource pod-level resources take",
            Error(Pod("'resources':{'requests':{'hugepages-2Mi':'2Mi'}},'containers':[" + Container("a") + "]")), StringComparison.Ordinal);
        Assert.Contains("on a node the plugin would refuse every container of this pod",
            Error(Pod("'containers':[" + Container("a") + "]", "'name':'p','annotations':{'resmgrlite.io/pod-resources':'gpu=1'}")), StringComparison.Ordinal);
        string twice = "{'metadata':{'name':'p'},'spec':{'containers':[" + Container("a") + "]}}";
        Assert.StartsWith("pods.json: items[1] (pod default/p): metadata.uid \"default/p\" is used by an earlier pod",
            Error(J("{'items':[" + twice + "," + twice + "]}")), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_file_is_named_with_the_reason()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"resmgrlite-no-such-{Guid.NewGuid():N}.json");
        Assert.Equal($"{missing}: does not exist: name the pods file (JSON, format in docs/simulate.md)",
            Assert.Throws<SimulationInputException>(() => PodsFileReader.Read(missing, true, true)).Message);
        string directory = Directory.CreateTempSubdirectory("resmgrlite-pods-").FullName;
        try
        {
            Assert.StartsWith($"{directory}: is a directory", Assert.Throws<SimulationInputException>(() => PodsFileReader.Read(directory, true, true)).Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory);
        }
    }
}
