using System;
using System.IO;
using System.Text;
using ZohoCrm.Http;

namespace ZohoCrm.Runs
{
    /// <summary>
    /// A run folder (-RunPath): the manifest (run.json) that records each step of a run as it happens, the files the
    /// run keeps (customer rows: user-only), and a lock (run.lock, held open while a command works on the run) so two
    /// processes never submit the same run. The OS drops the lock when the process dies, kill -9 included.
    /// </summary>
    internal sealed class RunFolder : IDisposable
    {
        public const string ManifestName = "run.json";
        private const string LockName = "run.lock";
        private readonly FileStream _lock;

        private RunFolder(string path, FileStream lockFile)
        {
            Path = path;
            _lock = lockFile;
        }

        public string Path { get; }
        public string ManifestPath => System.IO.Path.Combine(Path, ManifestName);

        /// <summary>A new run in <paramref name="path"/>: the folder is made (user-only) if it does not exist; one that holds a run is refused.</summary>
        public static RunFolder Create(string path, string parameter)
        {
            try
            {
                if (File.Exists(path))
                    throw new ZohoValidationException("ZohoCrm.RunPathNotAFolder", $"-{parameter} '{path}' is a file; give a folder (new or empty) for the run.", parameter);
                if (File.Exists(System.IO.Path.Combine(path, ManifestName)))
                    throw new ZohoValidationException("ZohoCrm.RunExists",
                        $"-{parameter} '{path}' already holds a run. Finish it with its resume command (Resume-ZcrmBulkWriteRun or Resume-ZcrmMassUpdateRun -RunPath '{path}'), or give a new folder; nothing was sent.", parameter);
                bool made = !Directory.Exists(path);
                Directory.CreateDirectory(path);
                if (made) FileModes.MakeUserOnlyFolder(path);
                return new RunFolder(path, Lock(path, parameter));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is PlatformNotSupportedException)
            {
                throw new ZohoValidationException("ZohoCrm.RunPathFailed", $"-{parameter} '{path}' could not be made a run folder ({ex.Message}); nothing was sent.", parameter);
            }
        }

        /// <summary>An existing run, locked for this command.</summary>
        public static RunFolder Open(string path, string parameter)
        {
            if (!File.Exists(System.IO.Path.Combine(path, ManifestName)))
                throw new ZohoValidationException("ZohoCrm.RunNotFound", $"-{parameter} '{path}' holds no run (no {ManifestName}).", parameter, ZohoErrorKind.ObjectNotFound);
            try { return new RunFolder(path, Lock(path, parameter)); }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new ZohoValidationException("ZohoCrm.RunPathFailed", $"-{parameter} '{path}' could not be opened ({ex.Message}).", parameter);
            }
        }

        private static FileStream Lock(string path, string parameter)
        {
            string lockPath = System.IO.Path.Combine(path, LockName);
            FileStream lockFile;
            try { lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (File.Exists(lockPath))
            {
                throw new ZohoValidationException("ZohoCrm.RunInUse",
                    $"The run in '{path}' is in use by another command or process (it holds {LockName}). Wait for it to end, or stop it, then resume the run.", parameter, ZohoErrorKind.ResourceBusy);
            }
            // Every file of a run folder is the user's alone, the lock too.
            try { FileModes.MakeUserOnly(lockPath); }
            catch { lockFile.Dispose(); throw; }
            return lockFile;
        }

        /// <summary>A new empty file of the run, user-only; its full path.</summary>
        public string NewFile(string name)
        {
            string path = System.IO.Path.Combine(Path, name);
            if (File.Exists(path)) File.Delete(path); // left by a step that did not finish: it is made again
            FileModes.CreateUserOnly(path, mustBeNew: true);
            return path;
        }

        public string FilePath(string name) => System.IO.Path.Combine(Path, name);

        /// <summary>The manifest's text, or an error naming the run if it cannot be read.</summary>
        public string ReadManifest()
        {
            try { return File.ReadAllText(ManifestPath, Encoding.UTF8); }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new ZohoValidationException("ZohoCrm.InvalidRun", $"The run manifest '{ManifestPath}' could not be read: {ex.Message}", "RunPath");
            }
        }

        /// <summary>Writes the manifest atomically: to a temp file flushed to the device, then renamed over the old one.</summary>
        public void WriteManifest(byte[] json) => AtomicFile.Write(ManifestPath, json);

        public void Dispose() => _lock.Dispose();
    }

    /// <summary>Write-temp-then-rename: a reader (or a crash) sees the old file or the new one, never half of one.</summary>
    internal static class AtomicFile
    {
        public static void Write(string path, byte[] bytes)
        {
            string temp = path + ".tmp";
            using (var f = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                f.Write(bytes, 0, bytes.Length);
                f.Flush(flushToDisk: true);
            }
            FileModes.MakeUserOnly(temp);
            if (File.Exists(path)) File.Replace(temp, path, null);
            else File.Move(temp, path);
        }
    }
}
