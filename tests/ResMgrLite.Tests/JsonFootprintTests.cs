using System.Reflection;
using System.Text.Json;
using System.Xml.Linq;
using ResMgrLite.TestSupport;

namespace ResMgrLite.Tests;

/// <summary>
/// src/ResMgrLite/Json.Substitutions.xml empties JsonDocument.ValidateNoDuplicateProperties in the
/// Native-AOT image (with it go the Marvin seed, RandomNumberGenerator and the OpenSSL shim, about
/// 100 KB). That only removes code that never runs: the check is off unless
/// JsonDocumentOptions.AllowDuplicateProperties is false. These tests fail when a System.Text.Json
/// update renames the method or changes the default, or when project code opts into the check.
/// </summary>
public class JsonFootprintTests
{
    private const string Signature = "System.Void ValidateNoDuplicateProperties(System.Text.Json.JsonDocument)";

    [Fact]
    public void The_stubbed_method_exists_with_that_signature()
    {
        XElement stub = XDocument.Load(Path.Combine(RepoPaths.Root, "src", "ResMgrLite", "Json.Substitutions.xml"))
            .Descendants("method").Single();
        Assert.Equal(Signature, stub.Attribute("signature")!.Value);
        Assert.Equal("stub", stub.Attribute("body")!.Value);
        MethodInfo[] methods = typeof(JsonDocument).GetMethods(BindingFlags.Static | BindingFlags.NonPublic);
        Assert.Contains(methods, method =>
            $"{method.ReturnType.FullName} {method.Name}({string.Join(",", method.GetParameters().Select(p => p.ParameterType.FullName))})" == Signature);
        string project = File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "ResMgrLite", "ResMgrLite.csproj"));
        Assert.Contains("--substitution:$(MSBuildThisFileDirectory)Json.Substitutions.xml", project, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_properties_are_only_checked_when_asked_for()
    {
        const string json = """{"a":1,"a":2}""";
        Assert.True(new JsonDocumentOptions().AllowDuplicateProperties);
        using (JsonDocument document = JsonDocument.Parse(json))
        {
            Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        }
        // The opt-in is what the stub disables in the image; the project must never ask for it.
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(json, new JsonDocumentOptions { AllowDuplicateProperties = false }));
    }

    [Fact]
    public void No_project_source_opts_into_the_duplicate_property_check()
    {
        string[] offenders = Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(path => File.ReadAllText(path).Contains("AllowDuplicateProperties", StringComparison.Ordinal))
            .ToArray();
        Assert.Empty(offenders);
    }
}
