using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using ZohoCrm.Http;

namespace ZohoCrm.BulkWrite
{
    /// <summary>
    /// The temp files that hold customer rows (bulk write chunk ZIPs, downloaded results): created user-only (0600) on
    /// Linux/macOS (on Windows the user's temp folder is already the user's alone), named after the owning process
    /// (id and start time) so a later run can sweep the files of a process that died (kill -9) and never touch a
    /// live process's: zcrm-&lt;kind&gt;-&lt;pid&gt;-&lt;start, Unix seconds&gt;-&lt;guid&gt;.zip.
    /// </summary>
    internal static class TempFiles
    {
        /// <summary>The kinds of temp file the module makes: bulk write chunks and result downloads.</summary>
        public static readonly string[] Kinds = { "bulk", "result" };

        /// <summary>Start times this close (seconds) are the same process: the OS reports them with some rounding.</summary>
        private const long StartSlackSeconds = 2;

        private static readonly Lazy<(int Pid, long Start)> Self = new Lazy<(int, long)>(() =>
        {
            using (var p = Process.GetCurrentProcess()) return (p.Id, StartSeconds(p) ?? 0);
        });

        public static string NewName(string kind) => NewName(kind, Self.Value.Pid, Self.Value.Start);

        internal static string NewName(string kind, int pid, long startSeconds) =>
            $"zcrm-{kind}-{pid.ToString(CultureInfo.InvariantCulture)}-{startSeconds.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}.zip";

        /// <summary>The owner a temp file's name records, or false for any other name (an older module's, a user's file).</summary>
        internal static bool TryParseOwner(string fileName, out int pid, out long startSeconds)
        {
            pid = 0; startSeconds = 0;
            foreach (var kind in Kinds)
            {
                string prefix = "zcrm-" + kind + "-";
                if (!fileName.StartsWith(prefix, StringComparison.Ordinal) || !fileName.EndsWith(".zip", StringComparison.Ordinal)) continue;
                var parts = fileName.Substring(prefix.Length, fileName.Length - prefix.Length - 4).Split('-');
                return parts.Length == 3 && parts[2].Length == 32
                       && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out pid)
                       && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out startSeconds);
            }
            return false;
        }

        /// <summary>
        /// Whether a file of this name was left by a process that no longer exists. <paramref name="startOf"/> gives a
        /// running process's start time (Unix seconds), null if no process has that id, or throws if it cannot be read
        /// (then the owner is taken as alive). A process with the id but another start time is a new one: the owner died.
        /// </summary>
        internal static bool IsStale(string fileName, Func<int, long?> startOf)
        {
            if (!TryParseOwner(fileName, out int pid, out long start)) return false;
            long? running;
            try { running = startOf(pid); }
            catch (Exception) { return false; }
            return running == null || Math.Abs(running.Value - start) > StartSlackSeconds;
        }

        /// <summary>Deletes the module's temp files in <paramref name="folder"/> (default: the temp folder) whose owner process is gone.</summary>
        public static int SweepStale(string folder = null)
        {
            folder = folder ?? Path.GetTempPath();
            int deleted = 0;
            foreach (var kind in Kinds)
            {
                string[] files;
                try { files = Directory.GetFiles(folder, "zcrm-" + kind + "-*.zip"); }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException) { continue; }
                foreach (var path in files)
                {
                    if (!IsStale(Path.GetFileName(path), RunningStart)) continue;
                    ChunkWriter.TryDelete(path);
                    if (!File.Exists(path)) deleted++;
                }
            }
            return deleted;
        }

        /// <summary>A running process's start time in Unix seconds; null if no process has this id.</summary>
        internal static long? RunningStart(int pid)
        {
            Process p;
            try { p = Process.GetProcessById(pid); }
            catch (ArgumentException) { return null; }
            using (p)
            {
                if (p.HasExited) return null;
                return StartSeconds(p) ?? throw new InvalidOperationException("start time unknown");
            }
        }

        private static long? StartSeconds(Process p)
        {
            try { return new DateTimeOffset(p.StartTime.ToUniversalTime()).ToUnixTimeSeconds(); }
            catch (Exception ex) when (ex is InvalidOperationException || ex is System.ComponentModel.Win32Exception || ex is NotSupportedException) { return null; }
        }

        /// <summary>A new empty file in the temp folder, user-only where the OS has modes; its full path.</summary>
        public static string Create(string kind)
        {
            string path = Path.Combine(Path.GetTempPath(), NewName(kind));
            FileModes.CreateUserOnly(path, mustBeNew: true);
            return path;
        }
    }
}
