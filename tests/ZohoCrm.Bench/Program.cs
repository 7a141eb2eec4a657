using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Security;
using ZohoCrm.Emulator;

// Peak memory of bulk write for growing inputs. The parent hosts the emulator (its records are not measured) and
// runs each scenario in a fresh child process, which reports its own peak resident set (VmHWM). Ratios are against
// the smallest input and against a baseline child that only imports the module and connects, measured in the same run.
//
//   dotnet run -c Release --project tests/ZohoCrm.Bench [-- rows1 rows2 ...]      (default: 25000 250000 1000000)
if (args.Length >= 1 && args[0] == "--child") return Child(args[1], int.Parse(args[2]));

var sizes = args.Length > 0 ? args.Select(int.Parse).ToArray() : new[] { 25_000, 250_000, 1_000_000 };
var options = new EmulatorOptions { BulkStepDelay = TimeSpan.FromMilliseconds(5), BulkRowsPerStep = 25_000, GeneratedLeadCount = 0, RefreshLimit = 1000 };
await using var emulator = await EmulatorHost.StartAsync(options);
string url = emulator.BaseUrl.ToString().TrimEnd('/');
Console.WriteLine($"Emulator on {url}; each scenario runs in its own process: rows | New-ZcrmBulkWriteJob -Wait | Get-ZcrmBulkWriteResult");
Console.WriteLine();

var baseline = RunChild(url, 0);
Console.WriteLine($"{"rows",10} {"jobs",5} {"seconds",8} {"rows/s",9} {"peak MiB",9} {"x smallest",10} {"x baseline",10}");
Console.WriteLine($"{"baseline",10} {"",5} {baseline.Seconds,8:0.0} {"",9} {baseline.PeakMiB,9:0.0} {"",10} {1.0,10:0.00}");
Measurement? first = null;
foreach (int rows in sizes)
{
    var m = RunChild(url, rows);
    first ??= m;
    Console.WriteLine($"{rows,10} {m.Jobs,5} {m.Seconds,8:0.0} {rows / m.Seconds,9:0} {m.PeakMiB,9:0.0} {m.PeakMiB / first.PeakMiB,10:0.00} {m.PeakMiB / baseline.PeakMiB,10:0.00}");
    if (m.Results != rows) Console.WriteLine($"  !! {m.Results} result rows for {rows} input rows");
}
return 0;

static Measurement RunChild(string url, int rows)
{
    var psi = new ProcessStartInfo(Environment.ProcessPath!, new[] { typeof(Measurement).Assembly.Location, "--child", url, rows.ToString() })
    { RedirectStandardOutput = true, RedirectStandardError = true };
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) != "dotnet")
        psi = new ProcessStartInfo(Environment.ProcessPath!, new[] { "--child", url, rows.ToString() }) { RedirectStandardOutput = true, RedirectStandardError = true };
    using var p = Process.Start(psi)!;
    string output = p.StandardOutput.ReadToEnd();
    string error = p.StandardError.ReadToEnd();
    p.WaitForExit();
    var line = output.Split('\n').LastOrDefault(l => l.StartsWith("RESULT "));
    if (p.ExitCode != 0 || line == null) throw new Exception($"child for {rows} rows failed ({p.ExitCode}): {output}\n{error}");
    var f = line.Split(' ');
    return new Measurement(double.Parse(f[1]), double.Parse(f[2]), int.Parse(f[3]), long.Parse(f[4]));
}

static int Child(string url, int rows)
{
    using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
    runspace.Open();
    string manifest = Path.Combine(FindRoot(), "out", "ZohoCrm", "ZohoCrm.psd1");
    var o = new EmulatorOptions();
    runspace.SessionStateProxy.SetVariable("emu", url);
    runspace.SessionStateProxy.SetVariable("cid", o.ClientId);
    runspace.SessionStateProxy.SetVariable("cs", Secure(o.ClientSecret));
    runspace.SessionStateProxy.SetVariable("rt", Secure(o.RefreshToken));
    runspace.SessionStateProxy.SetVariable("rows", rows);
    var watch = Stopwatch.StartNew();
    using var ps = PowerShell.Create();
    ps.Runspace = runspace;
    ps.AddScript($"Import-Module '{manifest}'; Connect-Zcrm -ApiDomain $emu -ClientId $cid -ClientSecret $cs -RefreshToken $rt; $jobs = 0; $n = 0\n" +
                 "if ($rows -gt 0) {\n" +
                 "  1..$rows | ForEach-Object { [pscustomobject]@{ Last_Name = \"Bench $_\"; Email = \"bench$_@example.com\"; Company = 'Benchmark Inc'; No_of_Employees = $_; Description = 'A row with a few columns, like a real lead list' } } |\n" +
                 "    New-ZcrmBulkWriteJob -Module Leads -Wait | ForEach-Object { $jobs++; $_ } | Get-ZcrmBulkWriteResult | ForEach-Object { $n++ }\n" +
                 "}\n\"$jobs $n\"");
    var result = ps.Invoke();
    if (ps.Streams.Error.Count > 0) { Console.Error.WriteLine(string.Join("\n", ps.Streams.Error)); return 1; }
    var counts = result.Last().ToString().Split(' ');
    Console.WriteLine($"RESULT {watch.Elapsed.TotalSeconds:0.00} {PeakMiB():0.0} {counts[0]} {counts[1]}");
    return 0;
}

static double PeakMiB()
{
    foreach (var line in File.ReadLines("/proc/self/status"))
        if (line.StartsWith("VmHWM:")) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
    return Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
}

static SecureString Secure(string s) { var x = new SecureString(); foreach (var c in s) x.AppendChar(c); x.MakeReadOnly(); return x; }

static string FindRoot()
{
    for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        if (File.Exists(Path.Combine(d.FullName, "ZohoCrm.sln"))) return d.FullName;
    throw new InvalidOperationException("not inside the repository");
}

record Measurement(double Seconds, double PeakMiB, int Jobs, long Results);
