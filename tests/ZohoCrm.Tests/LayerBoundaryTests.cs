using System.Management.Automation;
using System.Reflection;
using System.Reflection.Emit;
using System.Text.RegularExpressions;
using ZohoCrm.Cmdlets;

namespace ZohoCrm.Tests;

/// <summary>
/// PowerShell's types (System.Management.Automation) are the cmdlets' business and the module initializer's: the
/// HTTP client, the connection and the domain take and return plain .NET types, so they can be tested without a
/// runspace (conventions.md, habit 12).
/// </summary>
public class LayerBoundaryTests
{
    private static readonly string[] PowerShellNamespaces = { "ZohoCrm.Cmdlets", "ZohoCrm.Module" };
    private static readonly string[] PowerShellFolders = { "Cmdlets", "Module" };
    private static readonly Assembly Module = typeof(Connection).Assembly;
    private static readonly Assembly PowerShell = typeof(PSObject).Assembly;

    [Fact]
    public void No_type_outside_the_cmdlets_and_the_module_initializer_uses_a_PowerShell_type()
    {
        var offenders = new List<string>();
        foreach (var type in Module.GetTypes())
        {
            if (PowerShellNamespaces.Contains(type.Namespace)) continue;
            foreach (var (where, used) in TypesUsedBy(type))
                if (Expand(used).Any(t => t.Assembly == PowerShell)) offenders.Add($"{type.FullName} {where}: {used}");
        }
        Assert.True(offenders.Count == 0, "PowerShell types outside Cmdlets/ and Module/:\n" + string.Join("\n", offenders.Distinct()));
    }

    [Fact]
    public void Every_type_that_uses_PowerShell_is_found_by_the_check()
    {
        // The check itself: it sees a PSObject in a signature, in a local and in a call, and an ErrorCategory argument.
        Assert.Contains(TypesUsedBy(typeof(PowerShellValues)), u => u.Used == typeof(PSObject));
        Assert.Contains(TypesUsedBy(typeof(NoteObjectShape)), u => u.Used == typeof(PSNoteProperty));
        Assert.Contains(TypesUsedBy(typeof(ErrorRecords)), u => u.Used == typeof(ErrorCategory));
        Assert.Contains(TypesUsedBy(typeof(ErrorRecords)), u => u.Used == typeof(ErrorRecord));
    }

    [Fact]
    public void No_source_file_outside_Cmdlets_and_Module_names_System_Management_Automation()
    {
        string src = Path.Combine(RepoRoot(), "src", "ZohoCrm");
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(src, file).Replace('\\', '/');
            if (relative.StartsWith("obj/") || relative.StartsWith("bin/")) continue;
            string code = Regex.Replace(File.ReadAllText(file), @"//[^\n]*|/\*.*?\*/", "", RegexOptions.Singleline);
            if (Regex.IsMatch(code, @"\bglobal\s+using\b[^;]*System\.Management\.Automation")) offenders.Add(relative + " (global using)");
            if (PowerShellFolders.Any(f => relative.StartsWith(f + "/"))) continue;
            if (code.Contains("System.Management.Automation")) offenders.Add(relative);
        }
        Assert.True(offenders.Count == 0, "System.Management.Automation outside Cmdlets/ and Module/: " + string.Join(", ", offenders));
    }

    [Fact]
    public void Every_kind_of_error_has_the_PowerShell_category_of_its_name()
    {
        foreach (ZohoErrorKind kind in Enum.GetValues(typeof(ZohoErrorKind)))
            Assert.Equal(kind.ToString(), ErrorRecords.CategoryOf(kind).ToString());
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "ZohoCrm.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("ZohoCrm.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A type with its element type and generic arguments, recursively.</summary>
    private static IEnumerable<Type> Expand(Type? t)
    {
        if (t == null) yield break;
        yield return t;
        if (t.HasElementType) foreach (var e in Expand(t.GetElementType())) yield return e;
        if (t.IsGenericType && !t.IsGenericTypeDefinition)
            foreach (var a in t.GetGenericArguments()) foreach (var e in Expand(a)) yield return e;
    }

    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Every type <paramref name="type"/> names: base, interfaces, attributes, members' signatures, locals, and the types, fields and methods its IL refers to.</summary>
    private static IEnumerable<(string Where, Type Used)> TypesUsedBy(Type type)
    {
        if (type.BaseType != null) yield return ("base", type.BaseType);
        foreach (var i in type.GetInterfaces()) yield return ("interface", i);
        foreach (var a in type.GetCustomAttributesData()) yield return ("attribute", a.AttributeType);
        foreach (var f in type.GetFields(All)) yield return ("field " + f.Name, f.FieldType);
        foreach (var p in type.GetProperties(All))
        {
            yield return ("property " + p.Name, p.PropertyType);
            foreach (var a in p.GetCustomAttributesData()) yield return ("attribute of " + p.Name, a.AttributeType);
        }
        foreach (var m in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (m is MethodInfo mi) yield return ("return of " + m.Name, mi.ReturnType);
            foreach (var p in m.GetParameters()) yield return ($"parameter {p.Name} of {m.Name}", p.ParameterType);
            var body = m.GetMethodBody();
            if (body == null) continue;
            foreach (var l in body.LocalVariables) yield return ("local in " + m.Name, l.LocalType);
            foreach (var used in ReferencedByIL(m, body.GetILAsByteArray() ?? Array.Empty<byte>())) yield return ("IL of " + m.Name, used);
        }
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue =
        typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    private static IEnumerable<Type> ReferencedByIL(MethodBase method, byte[] il)
    {
        var typeArgs = method.DeclaringType!.IsGenericType ? method.DeclaringType.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int pos = 0;
        while (pos < il.Length)
        {
            short value = il[pos++];
            if (value == 0xFE) value = (short)(0xFE00 | il[pos++]);
            var op = OpCodesByValue[value];
            int operand = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, pos),
                _ => 4,
            };
            if (op.OperandType is OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType)
            {
                var member = method.Module.ResolveMember(BitConverter.ToInt32(il, pos), typeArgs, methodArgs);
                switch (member)
                {
                    case Type t: yield return t; break;
                    case FieldInfo f: yield return f.DeclaringType!; yield return f.FieldType; break;
                    case MethodBase mb:
                        yield return mb.DeclaringType!;
                        if (mb is MethodInfo r) yield return r.ReturnType;
                        foreach (var p in mb.GetParameters()) yield return p.ParameterType;
                        break;
                }
            }
            pos += operand;
        }
    }
}

/// <summary>
/// Namespaces follow folders: an internal type is in ZohoCrm.&lt;its folder&gt;; a public type users see or catch
/// (Connection, BulkWriteJob, the exceptions...) keeps its ZohoCrm.* name, except the cmdlets and the module
/// initializer, which are in their folder's namespace too. Connection/ is the one folder whose internals stay in
/// ZohoCrm: a namespace ZohoCrm.Connection would clash with the class ZohoCrm.Connection.
/// </summary>
public class NamespaceTests
{
    private static readonly string[] FoldersWithPublicTypesInTheirNamespace = { "Cmdlets", "Module" };

    [Fact]
    public void Each_type_is_in_the_namespace_its_folder_and_visibility_call_for()
    {
        var module = typeof(Connection).Assembly;
        string src = Path.Combine(LayerBoundaryTests.RepoRoot(), "src", "ZohoCrm");
        var offenders = new List<string>();
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(src, file).Replace('\\', '/');
            if (relative.StartsWith("obj/") || relative.StartsWith("bin/") || !relative.Contains('/')) continue;
            string folder = relative.Substring(0, relative.IndexOf('/'));
            string code = File.ReadAllText(file);
            foreach (Match ns in Regex.Matches(code, @"^namespace ([\w.]+)", RegexOptions.Multiline))
            {
                int end = code.IndexOf("\nnamespace ", ns.Index + 1) is var i && i > 0 ? i : code.Length;
                foreach (Match decl in Regex.Matches(code.Substring(ns.Index, end - ns.Index), @"^    (?:public|internal)[\w ]* (?:class|enum|interface|struct) (\w+)", RegexOptions.Multiline))
                {
                    string name = ns.Groups[1].Value + "." + decl.Groups[1].Value;
                    // A generic type's runtime name has its arity (OrderedCalls`2).
                    var type = module.GetType(name) ?? module.GetTypes().FirstOrDefault(t => t.FullName != null && t.FullName.StartsWith(name + "`", StringComparison.Ordinal));
                    if (type == null) { offenders.Add($"{relative}: {decl.Groups[1].Value} not found"); continue; }
                    string expected = type.IsPublic && !FoldersWithPublicTypesInTheirNamespace.Contains(folder) || folder == "Connection" ? "ZohoCrm" : "ZohoCrm." + folder;
                    if (type.Namespace != expected) offenders.Add($"{relative}: {type.FullName} should be in {expected}");
                }
            }
        }
        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
    }

}
