using System.Diagnostics;
using System.Security;

/// <summary>Helpers shared by the memory run (Program.cs) and the ratios run (Ratios.cs).</summary>
static class Bench
{
    public static Measurement RunChild(string url, int rows, string mode = "module")
    {
        var childArgs = new List<string> { "--child", url, rows.ToString(), mode };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") childArgs.Insert(0, typeof(Bench).Assembly.Location);
        var psi = new ProcessStartInfo(Environment.ProcessPath!, childArgs) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith("RESULT "));
        if (p.ExitCode != 0 || line == null) throw new Exception($"child for {rows} rows failed ({p.ExitCode}): {output}\n{error}");
        var f = line.Split(' ');
        return new Measurement(double.Parse(f[1]), double.Parse(f[2]), int.Parse(f[3]), long.Parse(f[4]), double.Parse(f[5]), double.Parse(f[6]));
    }

    public static double CurrentRssMiB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:")) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        return 0;
    }

    public static double PeakMiB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:")) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
        return Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
    }

    public static SecureString Secure(string s) { var x = new SecureString(); foreach (var c in s) x.AppendChar(c); x.MakeReadOnly(); return x; }

    public static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "ZohoCrm.sln"))) return d.FullName;
        throw new InvalidOperationException("not inside the repository");
    }
}

record Measurement(double Seconds, double PeakMiB, int Jobs, long Results, double ManagedPeakMiB, double LiveAfterGcMiB);
