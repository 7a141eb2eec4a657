using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using ZohoCrm.Emulator;

/// <summary>
/// The ratios of issue 13 in one run: the module against the pwsh script an admin would write, the C# limit, a
/// sequential loop and Import-Csv, on the same emulators and input. Every measurement runs in a fresh child process
/// (RatioChild.ps1 in real pwsh, Limits.cs for C#, Program.cs's memory child); the variants of a measure are
/// interleaved round by round (the first variant rotates) and the table shows medians. A failing scenario prints its
/// error and the run goes on.
/// </summary>
static class Ratios
{
    const int LatencyMs = 50, InFlight = 10;
    // "ratios <rounds> quick" divides the sizes by 10: a check that every scenario runs, not a measurement.
    static int IngestRows = 100_000, MassUpdateIds = 100_000, ResultRows = 25_000, LargeRows = 1_000_000;

    sealed record Variant(string Label, Func<int, Sample> Run);
    sealed record Sample(double Ms, long Count);
    sealed class Measure(string label) { public string Label = label; public Dictionary<string, List<Sample>> Samples = new(); public List<string> Errors = new(); }

    static string root = "", script = "", manifest = "", idsFile = "", oneDll = "";
    static readonly EmulatorOptions Defaults = new();
    static HashSet<string> only = new();
    static bool Wanted(string measure) => only.Count == 0 || only.Contains(measure) || (measure == "import-process" && only.Contains("import"));

    public static async Task<int> RunAsync(string[] args)
    {
        int rounds = args.Length > 0 ? int.Parse(args[0]) : 3;
        if (args.Contains("quick")) { IngestRows /= 10; MassUpdateIds /= 10; ResultRows /= 10; LargeRows /= 10; }
        // Naming measures (ingest massupdate result import memory) runs only those; the others print as skipped.
        only = args.Skip(1).Where(a => a != "quick").ToHashSet();
        root = Bench.FindRoot();
        script = Path.Combine(root, "tests", "ZohoCrm.Bench", "RatioChild.ps1");
        manifest = Path.Combine(root, "out", "ZohoCrm", "ZohoCrm.psd1");
        string temp = Directory.CreateTempSubdirectory("zcrm-ratios-").FullName;
        idsFile = Path.Combine(temp, "ids.txt");
        oneDll = Path.Combine(temp, "BenchOne.dll");
        string runTag = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
        string load0 = File.ReadAllText("/proc/loadavg").Trim();

        // Ingest jobs are created but never run (no -Wait; a step of an hour), so they cost no CPU during the other
        // measurements. The other emulator runs jobs fast, has the leads mass update needs, and adds the latency.
        await using var ingestEmu = await EmulatorHost.StartAsync(new EmulatorOptions { BulkStepDelay = TimeSpan.FromHours(1), GeneratedLeadCount = 0, RefreshLimit = 100_000 });
        await using var emu = await EmulatorHost.StartAsync(new EmulatorOptions { BulkStepDelay = TimeSpan.FromMilliseconds(5), BulkRowsPerStep = 25_000, GeneratedLeadCount = MassUpdateIds, RefreshLimit = 100_000 });
        emu.State.AddFault(new FaultRule { Kind = FaultKind.Slow, Method = "POST", PathContains = "/actions/mass_update", Delay = TimeSpan.FromMilliseconds(LatencyMs) });
        string ingestUrl = ingestEmu.BaseUrl.ToString().TrimEnd('/'), url = emu.BaseUrl.ToString().TrimEnd('/');
        var known = emu.State.GetLeadIds().ToHashSet();
        var ids = Enumerable.Range(1, MassUpdateIds).Select(n => "7389640000100" + n.ToString("D5", CultureInfo.InvariantCulture)).ToArray();
        if (ids.Any(id => !known.Contains(id))) Console.WriteLine("!! some generated lead ids are not in the emulator");
        File.WriteAllLines(idsFile, ids);

        Console.WriteLine($"ZohoCrm ratios, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.MachineName}: {Environment.ProcessorCount} cores, {CpuModel()}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, load {load0}");
        Console.WriteLine($"{rounds} interleaved rounds per measure, medians; every measurement in a fresh process; times are of the timed part only (input built, module imported and connected before).");
        Console.WriteLine();

        string Tag(string what, int round) => $"{runTag}-{what}-{round}";
        var pwshOk = RunProcess("dotnet", ["tool", "restore"], 300);
        if (pwshOk.Exit != 0) Console.WriteLine($"!! dotnet tool restore failed: {pwshOk.Output}");

        var measures = new List<Measure>();
        measures.Add(Interleave("ingest", rounds,
            new("module", r => Pwsh("ingest-module", ingestUrl, Tag("im", r), ["-Rows", IngestRows.ToString()])),
            new("script", r => Pwsh("ingest-script", ingestUrl, Tag("is", r), ["-Rows", IngestRows.ToString()])),
            new("limit", r => Limit(["ingest", IngestRows.ToString()]))));
        measures.Add(Interleave("massupdate", rounds,
            new("module", r => Pwsh("massupdate-module", url, Tag("mm", r), ["-IdsFile", idsFile])),
            new("loop", r => Pwsh("massupdate-loop", url, Tag("ml", r), ["-IdsFile", idsFile])),
            new("limit", r => Limit(["massupdate", url, idsFile, InFlight.ToString(), Defaults.ClientId, Defaults.ClientSecret, Defaults.RefreshToken]))));
        measures.Add(Interleave("result", rounds,
            new("module", r => Pwsh("result-module", url, Tag("rm", r), ["-Rows", ResultRows.ToString()])),
            new("download", r => Pwsh("result-download", url, Tag("rd", r), ["-Rows", ResultRows.ToString()])),
            new("importcsv", r => Pwsh("result-importcsv", url, Tag("ri", r), ["-Rows", ResultRows.ToString()]))));
        var build = !Wanted("import") ? null : Try(() => Pwsh("build-one", url, "one", ["-Extra", oneDll]));
        measures.Add(Interleave("import", rounds * 2, // cheap and noisy: twice the rounds
            new("module", r => Pwsh("import-module", url, Tag("i", r), [])),
            new("one", r => Pwsh("import-one", url, Tag("o", r), ["-Extra", oneDll]))));
        if (build != null) measures[^1].Errors.Add("building the one-cmdlet module: " + build);
        // The same as whole processes (wall time seen by this parent): what a script's start pays, pwsh's own start included.
        measures.Add(Interleave("import-process", rounds * 2,
            new("bare", r => PwshWall("$null = 1")),
            new("module", r => PwshWall($"Import-Module '{manifest}'")),
            new("one", r => PwshWall($"Import-Module '{oneDll}'"))));
        if (build != null) measures[^1].Errors.Add("building the one-cmdlet module: " + build);
        var memory = Wanted("memory") ? MemoryRun(url) : new MemoryResult(null, null, null, null, ["skipped"]);

        Console.WriteLine();
        PrintTable(measures, memory);
        Console.WriteLine();
        Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
        CheckCounts(measures);
        foreach (var m in measures)
        {
            Console.WriteLine($"{m.Label} rounds (ms): " + string.Join("; ", m.Samples.Select(kv => $"{kv.Key} {string.Join(" ", kv.Value.Select(s => s.Ms.ToString("0", CultureInfo.InvariantCulture)))}")));
            foreach (var e in m.Errors) Console.WriteLine($"  !! {e}");
        }
        try { Directory.Delete(temp, true); } catch (IOException) { }
        return 0;
    }

    /// <summary>Runs the variants round by round; round r starts with variant r mod n, so none is always first or last.</summary>
    static Measure Interleave(string label, int rounds, params Variant[] variants)
    {
        var m = new Measure(label);
        foreach (var v in variants) m.Samples[v.Label] = new List<Sample>();
        if (!Wanted(label)) { m.Errors.Add("skipped"); return m; }
        for (int r = 0; r < rounds; r++)
            for (int k = 0; k < variants.Length; k++)
            {
                var v = variants[(r + k) % variants.Length];
                var watch = Stopwatch.StartNew();
                try
                {
                    var s = v.Run(r);
                    m.Samples[v.Label].Add(s);
                    Console.WriteLine($"  {label} round {r + 1} {v.Label}: {s.Ms:0} ms (count {s.Count}; process {watch.Elapsed.TotalSeconds:0.0} s)");
                }
                catch (Exception e)
                {
                    m.Errors.Add($"{v.Label} round {r + 1}: {e.Message}");
                    Console.WriteLine($"  {label} round {r + 1} {v.Label}: FAILED {e.Message}");
                }
            }
        return m;
    }

    /// <summary>Says when a measurement did not do the whole work (jobs created, ids updated, result rows read).</summary>
    static void CheckCounts(List<Measure> measures)
    {
        var expected = new Dictionary<(string, string), long>
        {
            [("ingest", "module")] = (IngestRows + 24_999) / 25_000, [("ingest", "script")] = (IngestRows + 24_999) / 25_000,
            [("massupdate", "module")] = MassUpdateIds, [("massupdate", "loop")] = MassUpdateIds, [("massupdate", "limit")] = MassUpdateIds,
            [("result", "module")] = ResultRows, [("import-process", "bare")] = 1, [("result", "importcsv")] = ResultRows,
        };
        foreach (var m in measures)
            foreach (var (variant, samples) in m.Samples)
                if (expected.TryGetValue((m.Label, variant), out long want))
                    foreach (var s in samples.Where(s => s.Count != want))
                        Console.WriteLine($"!! {m.Label} {variant}: count {s.Count}, expected {want} (jobs / updated ids / result rows)");
    }

    static string? Try(Func<Sample> run) { try { run(); return null; } catch (Exception e) { Console.WriteLine($"  FAILED {e.Message}"); return e.Message; } }

    static Sample Pwsh(string scenario, string url, string tag, string[] extra)
    {
        var a = new List<string> { "pwsh", "-NoProfile", "-NonInteractive", "-File", script, "-Scenario", scenario, "-Url", url, "-Manifest", manifest, "-Tag", tag,
            "-ClientId", Defaults.ClientId, "-ClientSecret", Defaults.ClientSecret, "-RefreshToken", Defaults.RefreshToken, "-OrgId", Defaults.OrgId };
        a.AddRange(extra);
        return Parse(scenario, RunProcess("dotnet", a, 900));
    }

    /// <summary>A whole `pwsh -NoProfile -Command` process, timed from outside.</summary>
    static Sample PwshWall(string command)
    {
        var watch = Stopwatch.StartNew();
        var p = RunProcess("dotnet", ["pwsh", "-NoProfile", "-NonInteractive", "-Command", command + "; 'RESULT {\"ms\":0,\"count\":1}'"], 300);
        double ms = watch.Elapsed.TotalMilliseconds;
        var s = Parse("pwsh -Command " + command, p);
        return s with { Ms = ms };
    }

    static Sample Limit(string[] args)
    {
        var a = new List<string>();
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") a.Add(typeof(Ratios).Assembly.Location);
        a.Add("--limit");
        a.AddRange(args);
        return Parse("limit " + args[0], RunProcess(Environment.ProcessPath!, a, 900));
    }

    static Sample Parse(string what, (int Exit, string Output) p)
    {
        var line = p.Output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        if (p.Exit != 0 || line == null)
        {
            var error = p.Output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("ERROR ", StringComparison.Ordinal)) ?? p.Output.Trim();
            throw new Exception($"{what} (exit {p.Exit}): {Shorten(error, 600)}");
        }
        using var doc = JsonDocument.Parse(line["RESULT ".Length..]);
        return new Sample(doc.RootElement.GetProperty("ms").GetDouble(), doc.RootElement.GetProperty("count").GetInt64());
    }

    static (int Exit, string Output) RunProcess(string file, IEnumerable<string> args, int timeoutSeconds)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeoutSeconds} s");
        }
        return (p.ExitCode, stdout.Result + (stderr.Result.Length > 0 ? "\nstderr: " + stderr.Result : ""));
    }

    sealed record MemoryResult(Measurement? Small, Measurement? Large, Measurement? SmallInput, Measurement? LargeInput, List<string> Errors);

    /// <summary>Today's memory mode (Program.cs's child, one round: peak memory is not what the noisy CPU disturbs).</summary>
    static MemoryResult MemoryRun(string url)
    {
        var errors = new List<string>();
        Measurement? Run(int rows, string mode)
        {
            try
            {
                var m = Bench.RunChild(url, rows, mode);
                Console.WriteLine($"  memory {rows} {mode}: peak {m.PeakMiB:0.0} MiB ({m.Seconds:0.0} s, {m.Results} results)");
                return m;
            }
            catch (Exception e) { errors.Add($"{rows} {mode}: {Shorten(e.Message, 600)}"); Console.WriteLine($"  memory {rows} {mode}: FAILED"); return null; }
        }
        var smallInput = Run(ResultRows, "input");
        var small = Run(ResultRows, "module");
        var largeInput = Run(LargeRows, "input");
        var large = Run(LargeRows, "module");
        return new MemoryResult(small, large, smallInput, largeInput, errors);
    }

    static double? Median(Measure m, string variant)
    {
        var xs = m.Samples.TryGetValue(variant, out var l) ? l.Select(s => s.Ms).OrderBy(x => x).ToArray() : [];
        if (xs.Length == 0) return null;
        return xs.Length % 2 == 1 ? xs[xs.Length / 2] : (xs[xs.Length / 2 - 1] + xs[xs.Length / 2]) / 2;
    }

    static string Ms(double? x) => x is { } v ? v.ToString("#,0", CultureInfo.InvariantCulture) + " ms" : "n/a";
    static string Ratio(double? a, double? b) => a is { } x && b is { } y && y > 0 ? (x / y).ToString("0.00", CultureInfo.InvariantCulture) : "n/a";

    static void PrintTable(List<Measure> ms, MemoryResult mem)
    {
        Measure Get(string label) => ms.First(m => m.Label == label);
        Console.WriteLine("| measure | module | baseline(s) | ratio (module / baseline) |");
        Console.WriteLine("|---|---|---|---|");

        var ingest = Get("ingest");
        double? im = Median(ingest, "module"), iscr = Median(ingest, "script"), ilim = Median(ingest, "limit");
        Console.WriteLine($"| bulk write ingest, {IngestRows:N0} piped `[pscustomobject]` rows (8 columns) -> upload + create, no wait | {Ms(im)} | pwsh script (`Export-Csv` + `Compress-Archive` + `Invoke-RestMethod -Form` + create, per 25,000 rows): {Ms(iscr)}; C# CSV+Deflate ZIP in memory, no HTTP: {Ms(ilim)} | {Ratio(im, iscr)} x the script, {Ratio(im, ilim)} x the limit |");

        var mu = Get("massupdate");
        double? mm = Median(mu, "module"), ml = Median(mu, "loop"), mlim = Median(mu, "limit");
        Console.WriteLine($"| mass update, {MassUpdateIds:N0} piped ids, server adds {LatencyMs} ms a call | {Ms(mm)} | sequential `Invoke-RestMethod` loop of 500-id calls: {Ms(ml)}; C# `HttpClient`, {InFlight} calls in flight: {Ms(mlim)} | {Ratio(mm, ml)} x the loop, {Ratio(mm, mlim)} x the optimum |");

        var res = Get("result");
        double? rm = Median(res, "module"), rd = Median(res, "download"), ri = Median(res, "importcsv");
        double? parse = rm is { } a && rd is { } b ? a - b : null;
        Console.WriteLine($"| {ResultRows:N0}-row bulk write result -> objects | whole cmdlet {Ms(rm)}; download alone (job details + ZIP with `Invoke-RestMethod`/`Invoke-WebRequest`) {Ms(rd)}; parse part (difference of medians) {Ms(parse)} | `Import-Csv` on the unzipped file: {Ms(ri)} | parse part {Ratio(parse, ri)} x Import-Csv (whole cmdlet {Ratio(rm, ri)} x) |");

        string Peak(Measurement? m) => m == null ? "n/a" : m.PeakMiB.ToString("0", CultureInfo.InvariantCulture);
        Console.WriteLine($"| peak memory, {LargeRows:N0} vs {ResultRows:N0} rows (`-Wait` + `Get-ZcrmBulkWriteResult`, one round) | {Peak(mem.Large)} vs {Peak(mem.Small)} MiB | the same rows through PowerShell without the module: {Peak(mem.LargeInput)} / {Peak(mem.SmallInput)} MiB | {Ratio(mem.Large?.PeakMiB, mem.Small?.PeakMiB)} (without the module {Ratio(mem.LargeInput?.PeakMiB, mem.SmallInput?.PeakMiB)}) |");

        var imp = Get("import");
        double? ipm = Median(imp, "module"), ipo = Median(imp, "one");
        var ip = Get("import-process");
        double? pb = Median(ip, "bare"), pm = Median(ip, "module"), po = Median(ip, "one");
        double? overM = pm is { } x1 && pb is { } y1 ? x1 - y1 : null, overO = po is { } x2 && pb is { } y2 ? x2 - y2 : null;
        Console.WriteLine($"| Import-Module, whole `pwsh -NoProfile -Command` process (wall) | {Ms(pm)}, +{Ms(overM)} over bare pwsh ({Ms(pb)}) | one-cmdlet binary module: {Ms(po)}, +{Ms(overO)} | {Ratio(overM, overO)} (of the excesses; whole processes {Ratio(pm, po)}) |");
        Console.WriteLine($"| Import-Module in a fresh pwsh (timed inside the script) | {Ms(ipm)} | a one-cmdlet binary module (compiled by `Add-Type` in this run): {Ms(ipo)} | {Ratio(ipm, ipo)} |");
        foreach (var e in mem.Errors) Console.WriteLine($"  !! memory {e}");
    }

    static string CpuModel()
    {
        try { return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "cpu unknown"; }
        catch (IOException) { return "cpu unknown"; }
    }

    static string Shorten(string s, int max) => s.Length <= max ? s : s[..max] + "...";
}
