using System.Diagnostics;
using System.Runtime.InteropServices;
using ZohoCrm.BulkWrite;

namespace ZohoCrm.Tests;

/// <summary>
/// The temp files that hold customer rows: named after their owner process (id and start time), so a sweep deletes
/// only the files of processes that no longer run; created user-only on Linux/macOS.
/// </summary>
public class TempFilesTests
{
    [Fact]
    public void A_name_records_the_owner_process_and_parses_back()
    {
        string name = TempFiles.NewName("bulk", 4242, 1764640000);
        Assert.Matches("^zcrm-bulk-4242-1764640000-[0-9a-f]{32}\\.zip$", name);
        Assert.True(TempFiles.TryParseOwner(name, out int pid, out long start));
        Assert.Equal((4242, 1764640000L), (pid, start));
        Assert.True(TempFiles.TryParseOwner(TempFiles.NewName("result", 7, 8), out pid, out start));
        Assert.Equal((7, 8L), (pid, start));
    }

    [Theory]
    [InlineData("zcrm-bulk-0123456789abcdef0123456789abcdef.zip")] // an older module's name: no owner, never swept
    [InlineData("zcrm-bulk-12-34.zip")]
    [InlineData("zcrm-bulk-x-34-0123456789abcdef0123456789abcdef.zip")]
    [InlineData("zcrm-bulk--12-34-0123456789abcdef0123456789abcdef.zip")]
    [InlineData("zcrm-other-12-34-0123456789abcdef0123456789abcdef.zip")]
    [InlineData("zcrm-bulk-12-34-0123456789abcdef0123456789abcdef.csv")]
    [InlineData("leads.zip")]
    public void Other_names_have_no_owner_and_are_never_stale(string name)
    {
        Assert.False(TempFiles.TryParseOwner(name, out _, out _));
        Assert.False(TempFiles.IsStale(name, _ => null));
    }

    [Fact]
    public void Only_a_file_whose_owner_is_gone_or_was_replaced_is_stale()
    {
        string name = TempFiles.NewName("bulk", 100, 1000);
        Assert.True(TempFiles.IsStale(name, _ => null), "no process has the id");
        Assert.True(TempFiles.IsStale(name, _ => 5000), "the id is another, newer process's");
        Assert.False(TempFiles.IsStale(name, _ => 1000), "the owner runs");
        Assert.False(TempFiles.IsStale(name, _ => 1002), "start times within the OS's rounding are the same process");
        Assert.False(TempFiles.IsStale(name, _ => throw new InvalidOperationException("denied")), "an owner that cannot be checked is taken as alive");
    }

    [Fact]
    public void The_current_process_is_running_and_an_exited_one_is_not()
    {
        using var self = Process.GetCurrentProcess();
        Assert.NotNull(TempFiles.RunningStart(self.Id));
        Assert.False(TempFiles.IsStale(TempFiles.NewName("bulk"), TempFiles.RunningStart));
        using var exited = Process.Start(new ProcessStartInfo(OperatingSystem.IsWindows() ? "cmd.exe" : "true", OperatingSystem.IsWindows() ? "/c exit" : "") { UseShellExecute = false })!;
        exited.WaitForExit();
        int pid = exited.Id;
        exited.Dispose();
        Assert.Null(TempFiles.RunningStart(pid));
    }

    [Fact]
    public void The_sweep_deletes_dead_owners_files_and_keeps_live_ones_and_others()
    {
        string folder = Directory.CreateTempSubdirectory("zcrm-sweep-").FullName;
        try
        {
            using var self = Process.GetCurrentProcess();
            string dead = Path.Combine(folder, TempFiles.NewName("bulk", int.MaxValue - 1, 1));
            string deadResult = Path.Combine(folder, TempFiles.NewName("result", int.MaxValue - 1, 1));
            string live = Path.Combine(folder, TempFiles.NewName("bulk"));
            string old = Path.Combine(folder, "zcrm-bulk-0123456789abcdef0123456789abcdef.zip");
            foreach (var f in new[] { dead, deadResult, live, old }) File.WriteAllText(f, "x");
            Assert.Equal(2, TempFiles.SweepStale(folder));
            Assert.False(File.Exists(dead));
            Assert.False(File.Exists(deadResult));
            Assert.True(File.Exists(live));
            Assert.True(File.Exists(old));
        }
        finally { Directory.Delete(folder, true); }
    }

    [Fact]
    public void A_new_temp_file_is_user_only()
    {
        string path = TempFiles.Create("bulk");
        try
        {
            Assert.StartsWith(Path.GetTempPath(), path);
            Assert.Equal(0, new FileInfo(path).Length);
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        finally { ChunkWriter.TryDelete(path); }
    }
}
