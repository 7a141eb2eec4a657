using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using ZohoCrm.Backup;
using ZohoCrm.BulkWrite;
using ZohoCrm.Http;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// Writes rows into a Zoho CRM module with bulk write jobs: from a CSV (or a ZIP holding one), from pipeline
    /// objects, or from a file already uploaded. Input over Zoho's limits (25,000 rows, 25 MB zipped) is split into
    /// several jobs; each job knows the rows of the input it holds (FirstRow..LastRow).
    /// </summary>
    [Cmdlet(VerbsCommon.New, "ZcrmBulkWriteJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = InputSet)]
    [OutputType(typeof(BulkWriteJob))]
    public sealed class NewZcrmBulkWriteJob : ZcrmApiCmdlet, IDisposable
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string InputSet = "InputObject";
        private const string FileSet = "FileId";
        private const int ProgressId = 0x5b01;

        private ChunkWriter _chunks;
        private RowBuilder _rows;
        private List<FieldMappingSpec> _mappings;
        private long _rowNumber;
        /// <summary>The files to write (-Path, -LiteralPath or piped files), resolved, in order; each gets its own job(s).</summary>
        private readonly List<string> _files = new List<string>();
        private readonly HashSet<string> _seenFiles = new HashSet<string>(StringComparer.Ordinal);

        [Parameter(Mandatory = true, Position = 0)]
        [ValidateModuleName]
        public string Module { get; set; }

        [Parameter]
        [ValidateSet("insert", "update", "upsert", IgnoreCase = true)]
        public string Operation { get; set; } = "insert";

        /// <summary>CSV files (first row: field API names or the columns -FieldMapping names), or ZIPs holding one CSV; wildcards allowed.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Path { get; set; }

        /// <summary>As -Path, taken exactly as written (no wildcards); binds from piped objects' PSPath or FullName.</summary>
        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "FullName")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; }

        /// <summary>Objects or hashtables from the pipeline: one row each.</summary>
        [Parameter(Mandatory = true, ParameterSetName = InputSet, ValueFromPipeline = true)]
        [AllowNull]
        public PSObject InputObject { get; set; }

        /// <summary>The columns, in order (default: the first object's properties). Other properties are left out.</summary>
        [Parameter(ParameterSetName = InputSet)]
        [ValidateNotNullOrEmpty]
        public string[] Property { get; set; }

        /// <summary>A file already uploaded to Zoho (its file_id).</summary>
        [Parameter(Mandatory = true, ParameterSetName = FileSet)]
        [ValidateZohoId]
        public string FileId { get; set; }

        /// <summary>api_name -> column name or index, or -> @{ Column|Index; Format; FindBy; DefaultValue }; or a list of @{ ApiName; ... }.</summary>
        [Parameter]
        [ValidateNotNull]
        public object FieldMapping { get; set; }

        /// <summary>The unique field (or id) that finds the record to update; required for update and upsert.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string FindBy { get; set; }

        /// <summary>Empty cells leave the field as it is instead of clearing it.</summary>
        [Parameter]
        public SwitchParameter IgnoreEmpty { get; set; }

        /// <summary>Zoho POSTs the job details to this absolute http(s) URL when the job ends.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string CallbackUrl { get; set; }

        /// <summary>The encoding of -Path (default UTF-8; the module uploads UTF-8), or Zoho's character_encoding for -FileId.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string CharacterEncoding { get; set; }

        [Parameter]
        public SwitchParameter Wait { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Timeout { get; set; }

        /// <summary>
        /// With -Operation update or upsert: a new CSV file where, before each job's rows are uploaded, the current values
        /// of the fields they set are saved for the records they will change (columns id and the fields). Undo:
        /// New-ZcrmBulkWriteJob -Module &lt;Module&gt; -Operation update -FindBy id -Path &lt;file&gt;.
        /// </summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        [Parameter(ParameterSetName = InputSet)]
        [ValidateNotNullOrEmpty]
        public string BackupPath { get; set; }

        /// <summary>Do not ask for confirmation (for scripts and scheduled tasks). -WhatIf still uploads nothing.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        private bool FromFiles => ParameterSetName == PathSet || ParameterSetName == LiteralPathSet;

        private BulkWriteRequest _request;
        /// <summary>Zoho rejected the request itself: nothing more is submitted, and this names all that was not.</summary>
        private RowsNotSubmittedException _rejection;

        protected override void BeginProcessing()
        {
            try
            {
                Operation = Operation.ToLowerInvariant();
                if (Operation != "insert" && FindBy == null)
                    throw new ZohoValidationException("ZohoCrm.FindByRequired", $"-Operation {Operation} needs -FindBy: the unique field (or id) that finds each record to {Operation}.", "FindBy");
                if (FindBy != null && !InputRules.IsFieldName(FindBy))
                    throw new ZohoValidationException("ZohoCrm.InvalidFieldName", $"-FindBy {InputRules.Show(FindBy)} is not a field API name: API names are letters, digits and underscores, such as Email or id.", "FindBy");
                string callbackWarning = CallbackUrl != null ? CallbackUrls.Check(CallbackUrl) : null;
                if (callbackWarning != null) WriteWarning(callbackWarning);
                RequireWaitForTimeout(Wait);
                if (CharacterEncoding != null && ParameterSetName == InputSet)
                    throw new ZohoValidationException("ZohoCrm.EncodingNotApplicable", "-CharacterEncoding applies to -Path and -FileId; pipeline objects are uploaded as UTF-8.", "CharacterEncoding");
                if (CharacterEncoding != null && FromFiles) CsvFileReader.StrictEncoding(CharacterEncoding, "CharacterEncoding");
                if (BackupPath != null && Operation == "insert")
                    throw new ZohoValidationException("ZohoCrm.BackupNotApplicable", "-BackupPath applies to -Operation update and upsert: an insert changes no record (the results' RecordId name the records it made).", "BackupPath");
                if (ParameterSetName == FileSet && FieldMapping != null) _mappings = FieldMappings.Parse(PowerShellValues.ToPlain(FieldMapping, true), null);
                _request = new BulkWriteRequest
                {
                    Module = Module,
                    Operation = Operation,
                    FindBy = FindBy,
                    IgnoreEmpty = IgnoreEmpty,
                    IgnoreEmptyGiven = MyInvocation.BoundParameters.ContainsKey(nameof(IgnoreEmpty)),
                    CallbackUrl = CallbackUrl,
                    CharacterEncoding = ParameterSetName == FileSet ? CharacterEncoding : null,
                };
            }
            catch (ZohoException ex) { ThrowTerminating(ex); }
            if (BackupPath != null) _backupPath = NewFilePath(BackupPath, "BackupPath");
            base.BeginProcessing();
            SweepStaleTempFiles();
        }

        private string _backupPath;
        private RecordBackup _backup;

        /// <summary>-BackupPath: the current values of what this chunk will change, on disk before it is uploaded.</summary>
        private void SaveBackup(BulkChunk chunk)
        {
            if (_backupPath == null) return;
            var keys = ChunkKeys.Read(chunk, _mappings, FindBy);
            if (_backup == null)
            {
                try { _backup = new RecordBackup(ResolvedConnection, Module, keys.Fields, _backupPath); }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                { throw new ZohoValidationException("ZohoCrm.BackupFailed", $"-BackupPath '{_backupPath}' could not be created ({ex.Message}); nothing was uploaded.", "BackupPath"); }
            }
            else if (!_backup.Fields.SequenceEqual(keys.Fields.Where(f => !string.Equals(f, "id", StringComparison.OrdinalIgnoreCase))))
                throw new ZohoValidationException("ZohoCrm.BackupFieldsDiffer", $"-BackupPath keeps one set of fields ({string.Join(", ", _backup.Fields)}); rows {chunk.FirstRow}-{chunk.LastRow} set {string.Join(", ", keys.Fields)}: write them with a -BackupPath of their own.", "BackupPath");
            var backup = _backup;
            Run(ct => backup.SaveByKeyAsync(FindBy, keys.Keys, ct));
        }

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

        protected override void ProcessRecord()
        {
            try
            {
                if (ParameterSetName == PathSet) { foreach (var p in Path) AddFiles(ResolvePath(p)); return; }
                if (ParameterSetName == LiteralPathSet) { foreach (var p in LiteralPath) AddFiles(ResolveLiteralPath(p, "LiteralPath")); return; }
            }
            catch (ZohoException ex) { ThrowTerminating(ex); }
            if (ParameterSetName != InputSet) return;
            _rowNumber++;
            try
            {
                if (InputObject == null || InputObject.BaseObject == null)
                    throw new ZohoValidationException("ZohoCrm.NullRow", $"Row {_rowNumber} of the input is $null; nothing was uploaded.", "InputObject");
                string piped = PipedFile(InputObject.BaseObject);
                if (piped != null || _files.Count > 0)
                {
                    if (_rows != null || piped == null)
                        throw new ZohoValidationException("ZohoCrm.RowsAndFiles", $"The input mixes rows and files (row {_rowNumber}): pipe either rows or CSV/ZIP files; nothing was uploaded.", "InputObject");
                    _rowNumber--;
                    AddFiles(new[] { piped });
                    return;
                }
                if (_rows == null)
                {
                    var columns = Property != null ? Property.ToList() : PowerShellValues.ColumnsOf(InputObject);
                    if (FieldMapping != null) _mappings = FieldMappings.Parse(PowerShellValues.ToPlain(FieldMapping, true), columns);
                    _rows = new RowBuilder(columns, _mappings, Property != null);
                    _chunks = new ChunkWriter(columns, Module + ".csv");
                }
                _chunks.Add(_rows.Build(PowerShellValues.CellsOf(InputObject), _rowNumber));
            }
            catch (ZohoException ex) { ThrowTerminating(ex, InputObject); }
            if (_rowNumber % 5000 == 0)
                WriteProgress(new ProgressRecord(ProgressId, $"Bulk write to {Module}", $"{_rowNumber} rows read, {_chunks.Chunks.Count} job file(s)"));
        }

        protected override void EndProcessing()
        {
            var jobs = new List<BulkWriteJob>();
            try
            {
                if (_files.Count > 0)
                {
                    // Each file its own job(s), in order; its rows are numbered from 1 in that file, and its jobs carry SourcePath.
                    for (int f = 0; f < _files.Count && _rejection == null; f++)
                    {
                        _chunks?.Dispose();
                        _chunks = null;
                        try { ReadCsvFile(_files[f]); }
                        catch (ZohoValidationException ex)
                        {
                            // A file that cannot be read is one input: it is reported, and the other files go on.
                            WriteError(ErrorRecords.For(ex, _files[f]));
                            continue;
                        }
                        _chunks?.Close();
                        SubmitChunks(_files[f], jobs, _files.Skip(f + 1).ToList());
                    }
                }
                else
                {
                    _chunks?.Close();
                    if (ParameterSetName == FileSet) SubmitFileId(jobs);
                    else SubmitChunks(null, jobs, new List<string>());
                }
                if (Wait && jobs.Count > 0) WaitForJobs(jobs);
                // Zoho rejected the request itself: one error, at the end, for every row and file not submitted.
                ReportDeferred();
                if (_rejection != null) Report(_rejection, _rejection.Target);
            }
            // Only the -FileId job's create is not reported where it is sent: the error is about that file.
            catch (ZohoException ex) { Report(ex, FileId); }
            finally
            {
                _chunks?.Dispose();
            }
        }

        /// <summary>Streams a file (a CSV, or a ZIP holding one) into job files.</summary>
        private void ReadCsvFile(string path)
        {
            var reader = new CsvFileReader(path, CsvFileReader.StrictEncoding(CharacterEncoding, "CharacterEncoding"), CharacterEncoding);
            string file = System.IO.Path.GetFileName(path);
            reader.Read(header =>
            {
                if (FieldMapping != null) _mappings = FieldMappings.Parse(PowerShellValues.ToPlain(FieldMapping, true), header);
                _chunks = new ChunkWriter(header, Module + ".csv", parameter: "Path");
            }, (record, row) =>
            {
                _chunks.Add(record);
                if (row % 5000 == 0)
                    WriteProgress(new ProgressRecord(ProgressId, $"Bulk write to {Module}", $"{row} rows read from {file}"));
            });
        }

        private bool Confirm(string target, string action) => ShouldProcessUnlessForced(Force, target, action);

        private void SubmitFileId(List<BulkWriteJob> jobs)
        {
            _request.FieldMappings = _mappings;
            if (!Confirm($"{Module}: uploaded file {FileId}", $"{Operation} with a bulk write job")) return;
            var service = new BulkWriteService(ResolvedConnection);
            var job = Run(ct => service.CreateJobAsync(_request, FileId, ct));
            Created(job, jobs);
        }

        /// <summary>Uploads the chunks of one input (a file, or the piped rows) and creates a job for each, adding them to <paramref name="jobs"/>.</summary>
        /// <param name="laterFiles">The files after this one: named in the error if Zoho rejects the request itself.</param>
        private void SubmitChunks(string sourcePath, List<BulkWriteJob> jobs, List<string> laterFiles)
        {
            string of = sourcePath == null ? "" : $" of {System.IO.Path.GetFileName(sourcePath)}";
            if (_chunks == null || _chunks.RowCount == 0)
            {
                WriteWarning($"No rows to write to {Module}{(sourcePath == null ? "" : $" in {sourcePath}")}: no bulk write job was created.");
                return;
            }
            _request.FieldMappings = _mappings;
            var service = new BulkWriteService(ResolvedConnection);
            var chunks = _chunks.Chunks;
            for (int i = 0; i < chunks.Count; i++)
            {
                var chunk = chunks[i];
                string target = $"{Module}: rows {chunk.FirstRow}-{chunk.LastRow}{of} ({chunk.RowCount} rows{(chunks.Count > 1 ? $", job {i + 1} of {chunks.Count}" : "")})";
                if (!Confirm(target, $"{Operation} with a bulk write job")) continue;
                string fileId = null;
                try
                {
                    SaveBackup(chunk);
                    WriteProgress(new ProgressRecord(ProgressId, $"Bulk write to {Module}", $"Uploading rows {chunk.FirstRow}-{chunk.LastRow} ({chunk.ZipBytes / 1024} KB zipped)"));
                    fileId = Run(ct => service.UploadAsync(chunk, ct));
                    string uploaded = fileId;
                    var job = Run(ct => service.CreateJobAsync(_request, uploaded, ct));
                    job.FirstRow = chunk.FirstRow;
                    job.LastRow = chunk.LastRow;
                    job.RowCount = chunk.RowCount;
                    job.SourcePath = sourcePath;
                    Created(job, jobs);
                }
                catch (ZohoValidationException ex)
                {
                    // Found before this chunk was sent (its backup cannot be kept): nothing more is sent.
                    WriteJobsSoFar(jobs);
                    Report(ex, $"rows {chunk.FirstRow}-{chunk.LastRow}");
                }
                catch (ZohoException ex)
                {
                    var rest = new RowsNotSubmittedException(ex, Module, chunk, chunks[chunks.Count - 1].LastRow, fileId, jobs, sourcePath, laterFiles);
                    if (ErrorPolicy.EndsCommand(ex))
                    {
                        // Authentication that still fails: nothing more can be done. The jobs made so far are written first.
                        WriteJobsSoFar(jobs);
                        Report(rest, rest.Target);
                    }
                    // A rejection of the request itself (bad field, mapping) would repeat for every job: submit nothing more.
                    if (ex.WouldFailEveryBatch) { _rejection = rest; break; }
                    // A passing failure (server error, no answer) is reported for these rows, and the next job goes on.
                    var these = new RowsNotSubmittedException(ex, Module, chunk, chunk.LastRow, fileId, jobs, sourcePath);
                    Defer(these, these.Target);
                }
                finally { ChunkWriter.TryDelete(chunk.ZipPath); }
            }
            WriteProgress(new ProgressRecord(ProgressId, $"Bulk write to {Module}", "Submitted") { RecordType = ProgressRecordType.Completed });
        }

        private void Created(BulkWriteJob job, List<BulkWriteJob> jobs)
        {
            jobs.Add(job);
            string rows = job.FirstRow.HasValue ? $" for rows {job.FirstRow}-{job.LastRow}" : "";
            if (Wait)
                WriteHostLine($"Created bulk write job {job.JobId}{rows} ({Module}, {Operation}). If you stop waiting: Get-ZcrmBulkWriteJob -JobId {job.JobId} -Wait");
            else
                WriteObject(job);
            WriteVerbose($"Zoho created bulk write job {job.JobId}{rows}.");
        }

        private void WriteJobsSoFar(List<BulkWriteJob> jobs)
        {
            if (Wait) foreach (var j in jobs) WriteObject(j);
        }


        private void WaitForJobs(List<BulkWriteJob> jobs)
        {
            var service = new BulkWriteService(ResolvedConnection);
            BulkWriteWaiter.WaitAndWrite(this, service, jobs, Timeout > 0 ? TimeSpan.FromSeconds(Timeout) : (TimeSpan?)null, ProgressId);
        }

        public void Dispose()
        {
            _chunks?.Dispose();
            _backup?.Dispose();
        }
    }
}
