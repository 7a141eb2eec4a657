using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace ZohoCrm.Http
{
    /// <summary>Files that hold customer data (bulk write chunks, result downloads) are made readable by their user only.</summary>
    internal static class FileModes
    {
        private static readonly Type UnixFileMode = Type.GetType("System.IO.UnixFileMode");
        private static readonly MethodInfo SetUnixFileMode =
            UnixFileMode == null ? null : typeof(File).GetMethod("SetUnixFileMode", new[] { typeof(string), UnixFileMode });

        /// <summary>
        /// chmod 0600 on Linux/macOS. netstandard2.0 has no File.SetUnixFileMode; PowerShell 7.4+ runs on .NET 8, which
        /// has it, so it is called through reflection. On Windows (Windows PowerShell 5.1 included) nothing to do: the
        /// user's temp folder (%TEMP%, under the profile) is already the user's alone.
        /// </summary>
        internal static void MakeUserOnly(string path) => SetMode(path, 0x180); // UserRead | UserWrite

        /// <summary>chmod 0700 on a folder on Linux/macOS (a run folder: its files are customer rows); nothing on Windows.</summary>
        internal static void MakeUserOnlyFolder(string path) => SetMode(path, 0x1C0); // UserRead | UserWrite | UserExecute

        private static void SetMode(string path, int mode)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return;
            if (SetUnixFileMode == null) throw new PlatformNotSupportedException("File.SetUnixFileMode is missing on this runtime, so the file cannot be made user-only.");
            try { SetUnixFileMode.Invoke(null, new[] { path, Enum.ToObject(UnixFileMode, mode) }); }
            catch (TargetInvocationException ex) when (ex.InnerException != null) { throw ex.InnerException; }
        }

        /// <summary>A new empty file, user-only; if it already exists it is left as it is (its mode too).</summary>
        internal static void CreateUserOnly(string path, bool mustBeNew)
        {
            if (!mustBeNew && File.Exists(path)) return;
            using (new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None)) { }
            try { MakeUserOnly(path); }
            catch
            {
                try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                throw;
            }
        }
    }
}
