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
//   dotnet run -c Release --project tests/ZohoCrm.Bench -- ratios [rounds] [quick] [measure ...]  (Ratios.cs: module vs baselines, default 3 rounds)
if (args.Length >= 1 && args[0] == "ratios") return await Ratios.RunAsync(args.Skip(1).ToArray());
if (args.Length >= 1 && args[0] == "--limit") return await Limits.RunAsync(args.Skip(1).ToArray());
if (args.Length >= 1 && args[0] == "--child") return Child(args[1], int.Parse(args[2]), args.Length > 3 ? args[3] : "module");

var sizes = args.Length > 0 ? args.Select(int.Parse).ToArray() : new[] { 25_000, 250_000, 1_000_000 };
var options = new EmulatorOptions { BulkStepDelay = TimeSpan.FromMilliseconds(5), BulkRowsPerStep = 25_000, GeneratedLeadCount = 0, RefreshLimit = 1000 };
await using var emulator = await EmulatorHost.StartAsync(options);
string url = emulator.BaseUrl.ToString().TrimEnd('/');
Console.WriteLine($"Emulator on {url}; each scenario runs in its own process: rows | New-ZcrmBulkWriteJob -Wait | Get-ZcrmBulkWriteResult");
Console.WriteLine();

var baseline = Bench.RunChild(url, 0);
Console.WriteLine("peak = the process's peak resident set (VmHWM); managed = peak managed heap; live = managed heap still live after a full GC at the end.");
Console.WriteLine("input only = the same rows generated and counted by PowerShell without the module: what the engine itself costs.");
Console.WriteLine();
Console.WriteLine($"{"rows",10} {"jobs",5} {"seconds",8} {"rows/s",8} {"peak MiB",9} {"x 1st",6} {"input-only",11} {"x 1st",6} {"managed",8} {"live",6}");
Console.WriteLine($"{"baseline",10} {"",5} {baseline.Seconds,8:0.0} {"",8} {baseline.PeakMiB,9:0.0} {"",6} {"",11} {"",6} {baseline.ManagedPeakMiB,8:0.0} {baseline.LiveAfterGcMiB,6:0.0}");
Measurement? first = null, firstInput = null;
foreach (int rows in sizes)
{
    var input = Bench.RunChild(url, rows, "input");
    var m = Bench.RunChild(url, rows);
    first ??= m; firstInput ??= input;
    Console.WriteLine($"{rows,10} {m.Jobs,5} {m.Seconds,8:0.0} {rows / m.Seconds,8:0} {m.PeakMiB,9:0.0} {m.PeakMiB / first.PeakMiB,6:0.00} {input.PeakMiB,11:0.0} {input.PeakMiB / firstInput.PeakMiB,6:0.00} {m.ManagedPeakMiB,8:0.0} {m.LiveAfterGcMiB,6:0.0}");
    if (m.Results != rows) Console.WriteLine($"  !! {m.Results} result rows for {rows} input rows");
}
return 0;

static int Child(string url, int rows, string mode)
{
    using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
    runspace.Open();
    string manifest = Path.Combine(Bench.FindRoot(), "out", "ZohoCrm", "ZohoCrm.psd1");
    var o = new EmulatorOptions();
    runspace.SessionStateProxy.SetVariable("emu", url);
    runspace.SessionStateProxy.SetVariable("cid", o.ClientId);
    runspace.SessionStateProxy.SetVariable("cs", Bench.Secure(o.ClientSecret));
    runspace.SessionStateProxy.SetVariable("rt", Bench.Secure(o.RefreshToken));
    runspace.SessionStateProxy.SetVariable("rows", rows);
    var watch = Stopwatch.StartNew();
    long maxManaged = 0;
    var trace = new List<string>();
    using var sampler = new Timer(_ =>
    {
        long m = GC.GetTotalMemory(false);
        if (m > maxManaged) maxManaged = m;
        if (Environment.GetEnvironmentVariable("ZCRM_BENCH_TRACE") == "1")
            lock (trace) trace.Add($"{watch.Elapsed.TotalSeconds,6:0.0}s rss {Bench.CurrentRssMiB(),7:0.0} managed {m / 1048576.0,7:0.0} committed {GC.GetGCMemoryInfo().TotalCommittedBytes / 1048576.0,7:0.0} gen2 {GC.CollectionCount(2)}");
    }, null, 0, 500);
    using var ps = PowerShell.Create();
    ps.Runspace = runspace;
    ps.AddScript($"Import-Module '{manifest}'; Connect-Zcrm -ApiDomain $emu -ClientId $cid -ClientSecret $cs -RefreshToken $rt; $jobs = 0; $n = 0\n" +
                 // A for loop streams the rows (1..N would build the whole range first). Emails are unique per run: the
                 // emulator keeps the records of every run, and Email is a unique field.
                 "$source = { for ($i = 1; $i -le $rows; $i++) { [pscustomobject]@{ Last_Name = \"Bench $i\"; Email = \"bench$rows-$i@example.com\"; Company = 'Benchmark Inc'; No_of_Employees = $i; Description = 'A row with a few columns, like a real lead list' } } }\n" +
                 (mode == "input"
                     ? "& $source | ForEach-Object { $n++ }\n"
                     : mode == "upload"
                     ? "& $source | New-ZcrmBulkWriteJob -Module Leads -Wait | ForEach-Object { $jobs++ }; $n = $rows\n"
                     : mode == "whatif"
                     ? "& $source | New-ZcrmBulkWriteJob -Module Leads -WhatIf; $n = $rows\n"
                     : "if ($rows -gt 0) { & $source | New-ZcrmBulkWriteJob -Module Leads -Wait | ForEach-Object { $jobs++; $_ } | Get-ZcrmBulkWriteResult | ForEach-Object { $n++ } }\n") +
                 "\"$jobs $n\"");
    var result = ps.Invoke();
    if (ps.Streams.Error.Count > 0) { Console.Error.WriteLine(string.Join("\n", ps.Streams.Error)); return 1; }
    var counts = result.Last().ToString().Split(' ');
    lock (trace) foreach (var t in trace) Console.Error.WriteLine(t);
    Console.Error.WriteLine($"managed heap: peak {maxManaged / 1048576.0:0.0} MiB, live after a full GC {GC.GetTotalMemory(true) / 1048576.0:0.0} MiB");
    Console.WriteLine($"RESULT {watch.Elapsed.TotalSeconds:0.00} {Bench.PeakMiB():0.0} {counts[0]} {counts[1]} {maxManaged / 1048576.0:0.0} {GC.GetTotalMemory(true) / 1048576.0:0.0}");
    return 0;
}

