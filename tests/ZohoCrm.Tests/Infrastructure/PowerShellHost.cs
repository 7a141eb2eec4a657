using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;

namespace ZohoCrm.Tests.Infrastructure;

/// <summary>Where the built module is: out/ZohoCrm under the repository root.</summary>
public static class Paths
{
    public static string RepoRoot { get; } = FindRoot();
    public static string ModuleManifest => Path.Combine(RepoRoot, "out", "ZohoCrm", "ZohoCrm.psd1");
    public static string SeedsDir => Path.Combine(AppContext.BaseDirectory, "Seeds");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ZohoCrm.sln"))) return dir.FullName;
        throw new InvalidOperationException("ZohoCrm.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>Everything one script invocation produced, stream by stream.</summary>
public sealed class PsResult
{
    public List<PSObject> Output { get; } = new();
    public List<ErrorRecord> Errors { get; } = new();
    public List<string> Verbose { get; } = new();
    public List<string> Debug { get; } = new();
    public List<string> Warnings { get; } = new();
    public List<string> Information { get; } = new();
    public List<ProgressRecord> Progress { get; } = new();
    /// <summary>The terminating error, if the script stopped on one.</summary>
    public ErrorRecord? Terminating { get; set; }
    public Exception? TerminatingException { get; set; }

    public IEnumerable<ErrorRecord> AllErrors => Terminating == null ? Errors : Errors.Append(Terminating);

    /// <summary>
    /// The output objects of a ZohoCrm type (e.g. "MassUpdateResult"), read dynamically: the tests do not load
    /// ZohoCrm.dll themselves, the engine loads it from out/ZohoCrm as for any user.
    /// </summary>
    public dynamic[] Of(string zohoType) =>
        Output.Where(o => o.BaseObject.GetType().FullName == "ZohoCrm." + zohoType).Select(o => (dynamic)o.BaseObject).ToArray();

    /// <summary>All text a user or a transcript could see: every stream, error messages, exception texts, object ToString().</summary>
    public IEnumerable<string> AllText()
    {
        foreach (var o in Output) { yield return o.ToString(); foreach (var p in o.Properties) { string? s = null; try { s = p.Value?.ToString(); } catch { } if (s != null) yield return s; } }
        foreach (var e in AllErrors)
        {
            yield return e.ToString();
            yield return e.Exception.ToString();
            yield return e.ErrorDetails?.Message ?? "";
            yield return e.TargetObject?.ToString() ?? "";
            yield return e.CategoryInfo.ToString();
        }
        if (TerminatingException != null) yield return TerminatingException.ToString();
        foreach (var s in Verbose.Concat(Debug).Concat(Warnings).Concat(Information)) yield return s;
        foreach (var p in Progress) yield return p.Activity + " " + p.StatusDescription + " " + p.CurrentOperation;
    }

    public void AssertNoErrors()
    {
        var all = AllErrors.ToList();
        Xunit.Assert.True(all.Count == 0, "Unexpected errors: " + string.Join(Environment.NewLine, all.Select(e => e.FullyQualifiedErrorId + ": " + e)));
    }
}

/// <summary>
/// A runspace of the real PowerShell 7.6 engine, hosted in this process, with the built module imported from
/// out/ZohoCrm, exactly as a user would import it.
/// </summary>
public sealed class PsSession : IDisposable
{
    private readonly Runspace _runspace;

    public PsSession()
    {
        var iss = InitialSessionState.CreateDefault2();
        _runspace = RunspaceFactory.CreateRunspace(iss);
        _runspace.Open();
        var import = Invoke("Import-Module $args[0] -ErrorAction Stop", args: new object[] { Paths.ModuleManifest });
        if (import.Terminating != null) throw new InvalidOperationException("Import-Module failed: " + import.Terminating);
    }

    public Runspace Runspace => _runspace;

    public void Set(string name, object? value) => _runspace.SessionStateProxy.SetVariable(name, value);

    /// <summary>Runs a script; variables are set first; a terminating error is captured, not thrown.</summary>
    public PsResult Invoke(string script, IDictionary<string, object?>? variables = null, IEnumerable<object>? input = null, object[]? args = null)
    {
        if (variables != null) foreach (var kv in variables) Set(kv.Key, kv.Value);
        using var ps = PowerShell.Create();
        ps.Runspace = _runspace;
        // A statement-terminating error (ThrowTerminatingError) only ends its statement in a script; try/catch
        // sees it and not the non-terminating ones (WriteError), so the two stay apart as in a user's script.
        _runspace.SessionStateProxy.SetVariable("__zcrmTerminating", null);
        ps.AddScript("try {\n" + script + "\n} catch { $global:__zcrmTerminating = $_ }");
        if (args != null) foreach (var a in args) ps.AddArgument(a);
        var result = new PsResult();
        try
        {
            var output = input == null ? ps.Invoke() : ps.Invoke(input);
            result.Output.AddRange(output.Where(o => o != null));
        }
        catch (RuntimeException ex)
        {
            result.TerminatingException = ex;
            result.Terminating = ex.ErrorRecord;
        }
        var caughtValue = _runspace.SessionStateProxy.GetVariable("__zcrmTerminating");
        if (result.Terminating == null && (caughtValue is PSObject wrapped ? wrapped.BaseObject : caughtValue) is ErrorRecord caught)
        {
            result.Terminating = caught;
            result.TerminatingException = caught.Exception;
        }
        result.Errors.AddRange(ps.Streams.Error);
        result.Verbose.AddRange(ps.Streams.Verbose.Select(v => v.Message));
        result.Debug.AddRange(ps.Streams.Debug.Select(v => v.Message));
        result.Warnings.AddRange(ps.Streams.Warning.Select(v => v.Message));
        result.Information.AddRange(ps.Streams.Information.Select(v => v.ToString() ?? ""));
        result.Progress.AddRange(ps.Streams.Progress);
        return result;
    }

    public static SecureString Secure(string s)
    {
        var secure = new SecureString();
        foreach (var c in s) secure.AppendChar(c);
        secure.MakeReadOnly();
        return secure;
    }

    public void Dispose() => _runspace.Dispose();
}
