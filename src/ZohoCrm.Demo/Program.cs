using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;
using System.Text.RegularExpressions;
using ZohoCrm.Emulator;

// Runs Demo.ps1 against an in-process Zoho emulator on a random loopback port, with the module imported from
// out/ZohoCrm exactly as a user would, and prints each step's output as a table.
string root = FindRoot();
string manifest = Path.Combine(root, "out", "ZohoCrm", "ZohoCrm.psd1");
if (!File.Exists(manifest)) { Console.Error.WriteLine($"Build the module first: dotnet build ZohoCrm.sln ({manifest} is missing)"); return 1; }

var options = new EmulatorOptions { JobStepDelay = TimeSpan.FromMilliseconds(300), BulkStepDelay = TimeSpan.FromMilliseconds(200) };
await using var emulator = await EmulatorHost.StartAsync(options);
Console.WriteLine($"Zoho emulator listening on {emulator.BaseUrl} (loopback only; nothing leaves this machine)");

using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
runspace.Open();
runspace.SessionStateProxy.SetVariable("emu", emulator.BaseUrl.ToString().TrimEnd('/'));
runspace.SessionStateProxy.SetVariable("clientId", options.ClientId);
runspace.SessionStateProxy.SetVariable("clientSecret", Secure(options.ClientSecret));
runspace.SessionStateProxy.SetVariable("refreshToken", Secure(options.RefreshToken));
Invoke("Import-Module $args[0] -ErrorAction Stop", manifest);

string script = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Demo.ps1"));
int failures = 0;
foreach (Match step in Regex.Matches(script, @"#region (?<title>[^\r\n]+)\r?\n(?<body>.*?)#endregion", RegexOptions.Singleline))
{
    Console.WriteLine();
    Console.WriteLine("== " + step.Groups["title"].Value);
    foreach (var line in step.Groups["body"].Value.Trim().Split('\n')) Console.WriteLine("PS> " + line.TrimEnd());
    failures += Invoke(step.Groups["body"].Value);
}
Console.WriteLine();
Console.WriteLine(failures == 0 ? "Demo finished." : $"Demo finished with {failures} error(s).");
return failures == 0 ? 0 : 1;

int Invoke(string text, params object[] args)
{
    using var ps = PowerShell.Create();
    ps.Runspace = runspace;
    ps.AddScript(text);
    foreach (var a in args) ps.AddArgument(a);
    var output = ps.Invoke();
    Print(output.Where(o => o != null).ToList());
    foreach (var e in ps.Streams.Error) Console.WriteLine($"ERROR {e.FullyQualifiedErrorId}: {e}");
    return ps.Streams.Error.Count;
}

static void Print(List<PSObject> objects)
{
    foreach (var group in objects.GroupBy(o => o.BaseObject.GetType()))
    {
        var rows = group.ToList();
        if (group.Key == typeof(string)) { rows.ForEach(r => Console.WriteLine(r)); continue; }
        string[] columns = DefaultColumns(group.Key.Name) ?? rows[0].Properties.Select(p => p.Name).Take(6).ToArray();
        var cells = rows.Select(r => columns.Select(c => Format(r.Properties[c]?.Value)).ToArray()).ToList();
        var widths = columns.Select((c, i) => Math.Min(48, Math.Max(c.Length, cells.Max(row => row[i].Length)))).ToArray();
        Console.WriteLine(string.Join("  ", columns.Select((c, i) => c.PadRight(widths[i]))));
        Console.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in cells)
            Console.WriteLine(string.Join("  ", row.Select((v, i) => (v.Length > widths[i] ? v[..(widths[i] - 1)] + "…" : v).PadRight(widths[i]))));
    }
}

static string[]? DefaultColumns(string type) => type switch
{
    "MassUpdateResult" => new[] { "Id", "Status", "Code", "Message", "ModifiedBy" },
    "MassUpdateJob" => new[] { "Module", "JobId", "Status", "TotalCount", "UpdatedCount", "NotUpdatedCount", "FailedCount" },
    "Connection" => new[] { "DataCenter", "ApiDomain", "ApiVersion", "AuthType", "ExpiresOn" },
    "BulkWriteJob" => new[] { "JobId", "Module", "Operation", "Status", "FirstRow", "LastRow", "AddedCount", "SkippedCount" },
    "PSCustomObject" => new[] { "RowNumber", "Last_Name", "Email", "Status", "RecordId", "Errors" },
    _ => null,
};

static string Format(object? value) => value switch
{
    null => "",
    PSObject p => Format(p.BaseObject),
    DateTimeOffset d => d.ToString("yyyy-MM-dd HH:mm:ss"),
    _ => value.ToString() ?? "",
};

static SecureString Secure(string s)
{
    var secure = new SecureString();
    foreach (var c in s) secure.AppendChar(c);
    secure.MakeReadOnly();
    return secure;
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "ZohoCrm.sln"))) return dir.FullName;
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir != null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "ZohoCrm.sln"))) return dir.FullName;
    throw new InvalidOperationException("Run the demo from inside the ZohoCrm repository.");
}
