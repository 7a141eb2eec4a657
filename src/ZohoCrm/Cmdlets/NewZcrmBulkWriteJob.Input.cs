using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using ZohoCrm.Http;

namespace ZohoCrm.Cmdlets
{
    /// <summary>New-ZcrmBulkWriteJob's input: -Path wildcards, -LiteralPath, and piped objects that are files rather than rows.</summary>
    public sealed partial class NewZcrmBulkWriteJob
    {
        /// <summary>-Path: wildcards expand to the matching files (in the provider's order); a pattern matching nothing is an error.</summary>
        private IEnumerable<string> ResolvePath(string path)
        {
            if (!WildcardPattern.ContainsWildcardCharacters(path))
            {
                foreach (var p in ResolveLiteralPath(path, "Path")) yield return p;
                yield break;
            }
            System.Collections.ObjectModel.Collection<string> found;
            ProviderInfo provider;
            try { found = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider); }
            catch (ItemNotFoundException)
            { throw new ZohoValidationException("ZohoCrm.FileNotFound", $"-Path '{path}' matches no file.", "Path", ZohoErrorKind.ObjectNotFound); }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            { throw new ZohoValidationException("ZohoCrm.InvalidPath", $"-Path '{path}' is not a file system path: {ex.Message}", "Path"); }
            if (provider.Name != "FileSystem")
                throw new ZohoValidationException("ZohoCrm.InvalidPath", $"-Path '{path}' is not a file system path (it is in the {provider.Name} provider).", "Path");
            var files = found.Where(File.Exists).ToList();
            if (files.Count == 0)
                throw new ZohoValidationException("ZohoCrm.FileNotFound", $"-Path '{path}' matches no file.", "Path", ZohoErrorKind.ObjectNotFound);
            foreach (var f in files) yield return CheckFileKind(f, $"-Path '{path}' matches '{f}', which");
        }

        private IEnumerable<string> ResolveLiteralPath(string path, string parameter)
        {
            string full = FileSystemPath(path, parameter);
            if (Directory.Exists(full))
                throw new ZohoValidationException("ZohoCrm.NotAFile", $"-{parameter} '{path}' is a directory, not a CSV or ZIP file (for its files: Get-ChildItem '{path}' -Filter *.csv | New-ZcrmBulkWriteJob ...).", parameter);
            if (!File.Exists(full)) throw new ZohoValidationException("ZohoCrm.FileNotFound", $"-{parameter} '{path}' does not exist (resolved to {full}).", parameter, ZohoErrorKind.ObjectNotFound);
            yield return full;
        }

        /// <summary>Piped files must be a CSV or a ZIP: anything else would upload nonsense.</summary>
        private static string CheckFileKind(string full, string what)
        {
            string ext = System.IO.Path.GetExtension(full);
            if (!string.Equals(ext, ".csv", StringComparison.OrdinalIgnoreCase) && !string.Equals(ext, ".zip", StringComparison.OrdinalIgnoreCase))
                throw new ZohoValidationException("ZohoCrm.NotACsvFile", $"{what} is not a .csv or .zip file: nothing was uploaded.", "Path");
            return full;
        }

        private void AddFiles(IEnumerable<string> files)
        {
            foreach (var f in files)
                if (_seenFiles.Add(f)) _files.Add(f);
        }

        /// <summary>
        /// A piped object that is a file (Get-ChildItem, Get-Item, Resolve-Path): its path, or an error for a directory or a file that is
        /// not a CSV or ZIP; null for a row. Objects of the runtime's own types (System.*: a Process, a string) are neither: an error.
        /// </summary>
        [MethodImpl(Hot.Path)]
        private string PipedFile(object value)
        {
            if (value is FileInfo file) return CheckFileKind(file.FullName, $"The piped file '{file.FullName}'");
            if (value is PathInfo resolved && resolved.Provider?.Name == "FileSystem")
            {
                if (Directory.Exists(resolved.ProviderPath)) return PipedFile(new DirectoryInfo(resolved.ProviderPath));
                return CheckFileKind(resolved.ProviderPath, $"The piped path '{resolved.ProviderPath}'");
            }
            if (value is DirectoryInfo dir)
                throw new ZohoValidationException("ZohoCrm.NotAFile", $"The piped object '{dir.FullName}' is a directory, not a CSV or ZIP file or a row: nothing was uploaded (for its files: Get-ChildItem '{dir.FullName}' -Filter *.csv).", "InputObject");
            if (value is System.Collections.IDictionary || value is PSCustomObject || value is System.Data.DataRow) return null;
            // The runtime's own types (a string, a number, a Process) are not rows. Objects of other modules' types
            // (an AD user, a Microsoft Graph user) are property bags a user may well mean as rows: they stay rows.
            string ns = value.GetType().Namespace ?? "";
            if (ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal))
                throw new ZohoValidationException("ZohoCrm.NotARow", $"The piped {value.GetType().FullName} '{value}' is neither a row (a hashtable or an object such as Import-Csv writes) nor a CSV or ZIP file: nothing was uploaded.", "InputObject");
            return null;
        }
    }
}
