using Mono.Cecil;
using Mono.Cecil.Cil;
using Mono.Cecil.Rocks;

// Reads the .mstat file the Native-AOT compiler writes with IlcGenerateMstatFile=true: a metadata-only
// assembly whose global type has methods "Types", "Methods" and "Blobs" listing, as IL, every
// compiled type (ldtoken T; ldc.i4 size), frozen objects, RVA data, method (ldtoken M; ldc.i4 code; ldc.i4 gcinfo; ldc.i4 ehinfo)
// and data blob (ldstr name; ldc.i4 size). Prints the bytes per assembly, per namespace, the largest
// types/methods, and, with --match TEXT, every entry whose name contains TEXT.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: MstatReport FILE.mstat [--top N] [--match TEXT]...");
    return 2;
}
int top = 25;
var matches = new List<string>();
for (int i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--top" when i + 1 < args.Length:
            top = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
            break;
        case "--match" when i + 1 < args.Length:
            matches.Add(args[++i]);
            break;
        default:
            Console.Error.WriteLine($"MstatReport: unknown argument '{args[i]}'");
            return 2;
    }
}

using AssemblyDefinition mstat = AssemblyDefinition.ReadAssembly(args[0]);
var global = (TypeDefinition)mstat.MainModule.LookupToken(0x02000001);
if (Environment.GetEnvironmentVariable("MSTAT_DUMP") is { } dump)
{
    Console.WriteLine($"version {mstat.Name.Version}");
    foreach (MethodDefinition m in global.Methods)
    {
        Console.WriteLine($"{m.Name}: " + string.Join(" | ", m.Body.Instructions.Take(int.Parse(dump, System.Globalization.CultureInfo.InvariantCulture)).Select(i => $"{i.OpCode} {i.Operand}")));
    }
    return 0;
}
// Version 2 adds a node id after each type, method and field entry.
int extra = mstat.Name.Version.Major >= 2 ? 1 : 0;
var entries = new List<Entry>();
foreach (MethodDefinition list in global.Methods)
{
    list.Body.SimplifyMacros();
    IList<Instruction> il = list.Body.Instructions;
    switch (list.Name)
    {
        case "Types":
            for (int i = 0; i + 1 < il.Count; i += 2 + extra)
            {
                var type = (TypeReference)il[i].Operand;
                entries.Add(new Entry("type", Owner(type), Namespace(type), type.FullName, (int)il[i + 1].Operand));
            }
            break;
        case "Methods":
            for (int i = 0; i + 3 < il.Count; i += 4 + extra)
            {
                var method = (MethodReference)il[i].Operand;
                int size = (int)il[i + 1].Operand + (int)il[i + 2].Operand + (int)il[i + 3].Operand;
                entries.Add(new Entry("method", Owner(method.DeclaringType), Namespace(method.DeclaringType), method.FullName, size));
            }
            break;
        case "RvaFields":
            for (int i = 0; i + 1 < il.Count; i += 2 + extra)
            {
                var field = (FieldReference)il[i].Operand;
                entries.Add(new Entry("data", Owner(field.DeclaringType), Namespace(field.DeclaringType), field.FullName, (int)il[i + 1].Operand));
            }
            break;
        case "FrozenObjects":
            for (int i = 0; i + 3 < il.Count; i += 4)
            {
                var type = (TypeReference)il[i].Operand;
                entries.Add(new Entry("frozen", Owner(type), Namespace(type), "frozen " + type.FullName, (int)il[i + 1].Operand));
            }
            break;
        case "Blobs":
            for (int i = 0; i + 1 < il.Count; i += 2)
            {
                var name = (string)il[i].Operand;
                entries.Add(new Entry("blob", "(blobs)", "(blobs)", name, (int)il[i + 1].Operand));
            }
            break;
    }
}

long total = entries.Sum(e => (long)e.Size);
Console.WriteLine($"{args[0]}: {entries.Count} entries, {total:N0} bytes attributed (code + GC/EH info + type data + blobs)");
Section("by assembly", entries.GroupBy(e => e.Assembly));
Section("by namespace", entries.GroupBy(e => e.Assembly + " " + e.Namespace));
Section("largest blobs", entries.Where(e => e.Kind == "blob").GroupBy(e => e.Name));
Section("largest methods", entries.Where(e => e.Kind == "method").GroupBy(e => e.Name));
foreach (string match in matches)
{
    var hits = entries.Where(e => e.Name.Contains(match, StringComparison.Ordinal) || e.Assembly.Contains(match, StringComparison.Ordinal)).ToList();
    Console.WriteLine($"\n'{match}': {hits.Count} entries, {hits.Sum(e => (long)e.Size):N0} bytes");
    foreach (Entry hit in hits.OrderByDescending(e => e.Size).Take(top))
    {
        Console.WriteLine($"{hit.Size,10:N0}  {hit.Kind,-6} {hit.Name}");
    }
}
return 0;

void Section(string title, IEnumerable<IGrouping<string, Entry>> groups)
{
    Console.WriteLine($"\n{title}:");
    foreach (var group in groups.Select(g => (g.Key, Size: g.Sum(e => (long)e.Size))).OrderByDescending(g => g.Size).Take(top))
    {
        Console.WriteLine($"{group.Size,10:N0}  {group.Key}");
    }
}

// A generic instantiation is charged to its definition's assembly; what it was instantiated over is in its name.
static string Owner(TypeReference type)
{
    TypeReference element = type.GetElementType();
    while (element.DeclaringType is { } outer)
    {
        element = outer;
    }
    return element.Scope switch
    {
        AssemblyNameReference reference => reference.Name,
        ModuleDefinition module => module.Assembly.Name.Name,
        var other => other?.Name ?? "?",
    };
}

static string Namespace(TypeReference type)
{
    TypeReference element = type.GetElementType();
    while (element.DeclaringType is { } outer)
    {
        element = outer;
    }
    return element.Namespace;
}

internal sealed record Entry(string Kind, string Assembly, string Namespace, string Name, int Size);
