using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;
using System.Text;
using ZohoCrm.Backup;
using ZohoCrm.BulkWrite;
using ZohoCrm.Http;
using ZohoCrm.Metadata;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// Writes rows into a Zoho CRM module with bulk write jobs: from a CSV (or a ZIP holding one), from pipeline
    /// objects, or from a file already uploaded. Input over Zoho's limits (25,000 rows, 25 MB zipped) is split into
    /// several jobs; each job knows the rows of the input it holds (FirstRow..LastRow).
    /// </summary>
    [Cmdlet(VerbsCommon.New, "ZcrmBulkWriteJob", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = InputSet)]
    [OutputType(typeof(BulkWriteJob))]
    public sealed partial class NewZcrmBulkWriteJob : ZcrmApiCmdlet, IDisposable
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string InputSet = "InputObject";
        private const string FileSet = "FileId";
        private const int ProgressId = 0x5b01;

        private ChunkWriter _chunks;
        private RowBuilder _rows;
        private RowCells _cells;
        /// <summary>The current input's rows against the org's fields, as they are written.</summary>
        private InlineCellCheck _orgCheck;
        private List<FieldMappingSpec> _mappings;
        private long _rowNumber;
        /// <summary>The files to write (-Path, -LiteralPath or piped files), resolved, in order; each gets its own job(s).</summary>
        private readonly List<string> _files = new List<string>();
        private readonly HashSet<string> _seenFiles = new HashSet<string>(StringComparer.Ordinal);

        [Parameter(Mandatory = true, Position = 0)]
        [ValidateModuleName]
        [ArgumentCompleter(typeof(ModuleCompleter))]
        public string Module { get; set; }

        [Parameter]
        [ValidateSet("insert", "update", "upsert", IgnoreCase = true)]
        public string Operation { get; set; } = "insert";

        /// <summary>CSV files (first row: field API names or the columns -FieldMapping names), or ZIPs holding one CSV; wildcards allowed.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        [SupportsWildcards]
        public string[] Path { get; set; }

        /// <summary>
        /// As -Path, taken exactly as written (no wildcards). Not bound from the pipeline: a piped object always binds
        /// -InputObject first (which takes piped files too), so binding by PSPath or FullName could never happen, and a
        /// second pipeline parameter set made PowerShell's binding of every piped row ~20% slower.
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
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
        [ArgumentCompleter(typeof(FieldCompleter))]
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
        [ArgumentCompleter(typeof(FieldCompleter))]
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
        [ArgumentCompleter(typeof(EncodingCompleter))]
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

        /// <summary>
        /// A folder (new, or empty) that keeps the run: its job files and a manifest of each step, so Resume-ZcrmBulkWriteRun
        /// can finish it after Ctrl+C, a crash or a reboot, and Get-ZcrmBulkWriteResult can give whole input rows at any time.
        /// </summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        [Parameter(ParameterSetName = InputSet)]
        [ValidateNotNullOrEmpty]
        public string RunPath { get; set; }

        /// <summary>Do not ask for confirmation (for scripts and scheduled tasks). -WhatIf still uploads nothing.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Upload without checking the columns and values against the module's field metadata first (for a connection without the settings scope).</summary>
        [Parameter]
        public SwitchParameter SkipMetadataCheck { get; set; }

        /// <summary>The module's fields, for the checks before upload; null with -SkipMetadataCheck or when they cannot be read.</summary>
        private IReadOnlyList<ZohoField> _fields;

        private bool FromFiles => ParameterSetName == PathSet || ParameterSetName == LiteralPathSet;

        private BulkWriteRequest _request;
        private BulkWriteRun _run;
        private BulkWriteSubmitter _submitter;
        /// <summary>The input being read into the run (-RunPath).</summary>
        private BulkWriteRunInput _runInput;
        private int _keyColumn;
        private IReadOnlyList<string> _columns;
        /// <summary>The job files of the inputs before this one: deleted when the command ends (they give -Wait's results their input rows).</summary>
        private readonly List<ChunkWriter> _doneWriters = new List<ChunkWriter>();
        private bool _submitting;

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

            // -WhatIf sends nothing, so it keeps no run either.
            if (RunPath != null && !WhatIfRequested)
            {
                try { _run = BulkWriteRun.Create(FileSystemPath(RunPath, "RunPath"), _request, ResolvedConnection.ApiDomain); }
                catch (ZohoException ex) { ThrowTerminating(ex, RunPath); }
            }
            _submitter = new BulkWriteSubmitter(this, _run, Wait, Force) { KeepInput = _run != null || Wait, BeforeUpload = SaveBackup };
            // Not where each job is asked about first (-Confirm), nothing is sent (-WhatIf) or each chunk's backup comes before its upload.
            _uploadAhead = !WhatIfRequested && _backupPath == null && (Force || !WouldConfirm());
        }

        private string _backupPath;
        private RecordBackup _backup;

        /// <summary>-BackupPath: the current values of what this chunk will change, on disk before it is uploaded.</summary>
        private void SaveBackup(BulkChunk chunk)
        {
            if (_backupPath == null) return;
            var keys = ChunkKeys.Read(chunk, _request.FieldMappings, FindBy);
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

        [MethodImpl(Hot.Path)]
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
                    _cells = new RowCells(InputObject);
                    bool result = _cells.Results;
                    if (result)
                        WriteVerbose("The input rows are bulk write results: their input columns are sent, not the result's own properties (" + string.Join(", ", BulkWriteResultRow.OwnProperties) + ").");
                    var columns = Property != null ? Property.ToList() : result ? PowerShellValues.InputColumnsOf(InputObject) : PowerShellValues.ColumnsOf(InputObject);
                    if (FieldMapping != null) _mappings = FieldMappings.Parse(PowerShellValues.ToPlain(FieldMapping, true), columns);
                    _rows = new RowBuilder(columns, _mappings, Property != null);
                    StartInput(null, columns, "InputObject");
                }
                AddRow(_rows.Build(_cells.Of(InputObject), _rowNumber));
            }
            catch (ZohoException ex) { ThrowTerminating(AfterUploadsAhead(ex), InputObject); }
            if (_rowNumber % 5000 == 0)
                WriteProgress(new ProgressRecord(ProgressId, $"Bulk write to {Module}", $"{_rowNumber} rows read, {_chunks.Chunks.Count} job file(s)"));
        }

        protected override void EndProcessing()
        {
            try
            {
                if (_files.Count > 0)
                {
                    _run?.PlanFiles(_files);
                    // Each file its own job(s), in order; its rows are numbered from 1 in that file, and its jobs carry SourcePath.
                    for (int f = 0; f < _files.Count && _submitter.Rejection == null; f++)
                    {
                        if (_chunks != null) _doneWriters.Add(_chunks);
                        _chunks = null;
                        try
                        {
                            ReadCsvFile(_files[f]);
                            EndInput(_files[f], "Path");
                        }
                        catch (ZohoValidationException ex)
                        {
                            // A file that cannot be read is one input: it is reported, and the other files go on.
                            // Its job files are not the run's (nothing of them is sent): they are deleted with the others at the end.
                            if (_chunks != null) _chunks.KeepFiles = false;
                            var said = AfterUploadsAhead(ex);
                            _run?.NotSent(_files[f], said.Message);
                            WriteError(ErrorRecords.For(said, _files[f]));
                            continue;
                        }
                        SubmitChunks(_files[f], _files.Skip(f + 1).ToList());
                    }
                    _run?.InputComplete();
                }
                else if (ParameterSetName == FileSet) SubmitFileId();
                else
                {
                    EndInput(null, "InputObject");
                    _run?.InputComplete();
                    SubmitChunks(null, new List<string>());
                }
                var final = Wait ? _submitter.WaitForJobs(Timeout > 0 ? TimeSpan.FromSeconds(Timeout) : (TimeSpan?)null) : null;
                SaveInserted(final);
                // Zoho rejected the request itself: one error, at the end, for every row and file not submitted.
                ReportDeferred();
                if (_submitter.Rejection != null) Report(_submitter.Rejection, _submitter.Rejection.Target);
            }
            // Only the -FileId job's create is not reported where it is sent: the error is about that file.
            catch (ZohoException ex) { Report(AfterUploadsAhead(ex), FileId); }
            finally
            {
                Dispose();
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
                StartInput(path, header, "Path");
            }, (record, row) =>
            {
                AddRow(record);
                if (row % 5000 == 0)
                    WriteProgress(new ProgressRecord(ProgressId, $"Bulk write to {Module}", $"{row} rows read from {file}"));
            });
        }

        /// <summary>
        /// The job files of one input: the key column first (Zoho's result echoes the first three mapped columns, so each
        /// result row then names its input row), in the run folder with -RunPath.
        /// </summary>
        private void StartInput(string sourcePath, IReadOnlyList<string> columns, string parameter)
        {
            _columns = columns.ToList();
            _keyColumn = FieldMappings.KeyColumn(columns, _mappings, FindBy);
            _request.FieldMappings = FieldMappings.InFile(_mappings, _keyColumn);
            _chunks = new ChunkWriter(columns, Module + ".csv", parameter: parameter, keyColumn: _keyColumn) { KeepFiles = _run != null };
            _uploadedAhead = 0;
            _orgCheck = new InlineCellCheck(Fields, fields =>
            {
                CheckColumns(BulkCellCheck.Mapped(_columns, _mappings));
                return new BulkCellCheck(Module, fields, _columns, _mappings);
            }, _chunks);
            if (_run == null) return;
            var run = _run;
            _chunks.NewFile = n => run.NewChunkFile();
            _runInput = _run.BeginInput(sourcePath, columns, _keyColumn, _request.FieldMappings);
        }

        /// <summary>The input is read: its chunks are on disk, checked against the org's fields, and (in a run) in the manifest.</summary>
        private void EndInput(string sourcePath, string parameter)
        {
            _chunks?.Close();
            _orgCheck?.End(parameter, sourcePath);
            _orgCheck = null;
            if (_run != null && _runInput != null && _chunks != null) _run.EndInput(_runInput, _chunks.Chunks, _chunks.RowCount);
            _runInput = null;
        }

        private bool Confirm(string target, string action) => ShouldProcessUnlessForced(Force, target, action);

        /// <summary>-BackupPath with an upsert: the records it inserted, by id, beside the backup (they are in no before-image).</summary>
        private void SaveInserted(BulkWriteJob[] final)
        {
            if (_backup == null || Operation != "upsert") return;
            string inserted = RecordBackup.InsertedPath(_backup.Path);
            if (final == null)
            {
                WriteWarning($"-BackupPath keeps the values of the records this upsert updates; the records it inserts are listed only when the command waits for its jobs (-Wait). To list them: Get-ZcrmBulkWriteResult | Where-Object Status -eq 'added'.");
                return;
            }
            var backup = _backup;
            var service = new BulkWriteService(ResolvedConnection);
            try
            {
                long n = Run(ct => backup.SaveInsertedAsync(service, final, ct));
                WriteVerbose($"The upsert inserted {n} {Module} record(s); their ids are in {inserted}. To undo it: put the backup back (New-ZcrmBulkWriteJob -Module {Module} -Operation update -FindBy id -Path '{_backup.Path}') and delete those records.");
            }
            catch (ZohoException ex) { Report(ex, inserted); }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is InvalidDataException)
            {
                Report(new ZohoClientException("ZohoCrm.BackupFailed", $"The ids of the records the upsert inserted could not be saved to {inserted}: {ex.Message}", ZohoErrorKind.WriteError, ex), inserted);
            }
        }

        private void SubmitFileId()
        {
            _request.FieldMappings = _mappings;
            if (_mappings != null && Fields() != null) CheckColumns(_mappings.Where(m => m.Index.HasValue).Select(m => m.ApiName).ToList());
            if (!Confirm($"{Module}: uploaded file {FileId}", $"{Operation} with a bulk write job")) return;
            var service = new BulkWriteService(ResolvedConnection);
            var job = Run(ct => service.CreateJobAsync(_request, FileId, ct));
            _submitter.Created(_request, job);
        }

        /// <summary>Uploads the chunks of one input (a file, or the piped rows) and creates a job for each.</summary>
        /// <param name="laterFiles">The files after this one: named in the error if Zoho rejects the request itself.</param>
        private void SubmitChunks(string sourcePath, List<string> laterFiles)
        {
            if (_chunks == null || _chunks.RowCount == 0)
            {
                WriteWarning($"No rows to write to {Module}{(sourcePath == null ? "" : $" in {sourcePath}")}: no bulk write job was created.");
                return;
            }
            _submitting = true;
            _submitter.Submit(_request, _chunks.Chunks, sourcePath, _columns, laterFiles);
            if (WhatIfRequested) WriteHostLine(BulkWritePlan.Describe(_request, _chunks.Chunks, sourcePath, BulkCellCheck.Mapped(_columns, _mappings)));
        }

        public void Dispose()
        {
            // The uploads ahead not submitted (the input was refused, Ctrl+C) end before their files are deleted.
            _submitter?.CancelUploads();
            _chunks?.Dispose();
            _chunks = null;
            foreach (var w in _doneWriters) w.Dispose();
            _doneWriters.Clear();
            _backup?.Dispose();
            _backup = null;
            // Stopped before a single upload (bad input, Ctrl+C while reading): nothing to resume, so the folder can be used again.
            if (!_submitting) _run?.DiscardIfNothingSent();
            _run?.Dispose();
            _run = null;
        }
    }
}
