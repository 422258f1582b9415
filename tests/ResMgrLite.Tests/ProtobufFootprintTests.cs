using System.Reflection;
using System.Xml.Linq;
using Google.Protobuf;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Tests;

/// <summary>
/// Google.Protobuf's JSON writer and the message descriptors behind it stay out of the Native-AOT
/// image (about 0.9 MB, docs/benchmarks.md) through the stubs in src/ResMgrLite/Protobuf.Substitutions.xml.
/// These tests fail when a Google.Protobuf update renames a stubbed method (the stub would silently
/// stop applying) or when a stub could throw.
/// </summary>
public class ProtobufFootprintTests
{
    private static IEnumerable<XElement> Stubs()
    {
        var document = XDocument.Load(Path.Combine(RepoPaths.Root, "src", "ResMgrLite", "Protobuf.Substitutions.xml"));
        return document.Descendants("method");
    }

    [Fact]
    public void Every_stubbed_method_exists_with_that_signature_and_returns_nothing()
    {
        Assert.NotEmpty(Stubs());
        MethodInfo[] methods = typeof(JsonFormatter).GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic);
        foreach (XElement stub in Stubs())
        {
            string signature = stub.Attribute("signature")!.Value;
            // "body=stub" of a void method is an empty body; "remove" would throw when called.
            Assert.Equal("stub", stub.Attribute("body")!.Value);
            Assert.StartsWith("System.Void ", signature, StringComparison.Ordinal);
            Assert.Contains(methods, method => Signature(method) == signature);
        }
    }

    [Fact]
    public void The_stubs_are_passed_to_the_native_compiler()
    {
        string project = File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "ResMgrLite", "ResMgrLite.csproj"));
        Assert.Contains("--substitution:$(MSBuildThisFileDirectory)Protobuf.Substitutions.xml", project, StringComparison.Ordinal);
    }

    // The ILLink signature format: "ReturnType Name(ParamType,ParamType)" with full type names.
    private static string Signature(MethodInfo method) =>
        $"{method.ReturnType.FullName} {method.Name}({string.Join(",", method.GetParameters().Select(p => p.ParameterType.FullName))})";
}
