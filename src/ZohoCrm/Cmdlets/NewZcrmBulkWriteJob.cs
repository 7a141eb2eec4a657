using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using ZohoCrm.BulkWrite;

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
        private const string InputSet = "InputObject";
        private const string FileSet = "FileId";
        private const int ProgressId = 0x5b01;

        private ChunkWriter _chunks;
        private RowBuilder _rows;
        private List<FieldMappingSpec> _mappings;
        private long _rowNumber;

        [Parameter(Mandatory = true, Position = 0)]
        [ValidateModuleName]
        public string Module { get; set; }

        [Parameter]
        [ValidateSet("insert", "update", "upsert", IgnoreCase = true)]
        public string Operation { get; set; } = "insert";

        /// <summary>A CSV file (first row: field API names or the columns -FieldMapping names), or a ZIP holding one CSV.</summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

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

        private BulkWriteRequest _request;

        protected override void BeginProcessing()
        {
            try
            {
                Operation = Operation.ToLowerInvariant();
                if (Operation != "insert" && FindBy == null)
                    throw new ZohoValidationException("ZohoCrm.FindByRequired", $"-Operation {Operation} needs -FindBy: the unique field (or id) that finds each record to {Operation}.", "FindBy");
                if (CallbackUrl != null) CheckCallbackUrl(CallbackUrl);
                RequireWaitForTimeout(Wait);
                if (CharacterEncoding != null && ParameterSetName == InputSet)
                    throw new ZohoValidationException("ZohoCrm.EncodingNotApplicable", "-CharacterEncoding applies to -Path and -FileId; pipeline objects are uploaded as UTF-8.", "CharacterEncoding");
                if (CharacterEncoding != null && ParameterSetName == PathSet) CsvFileReader.StrictEncoding(CharacterEncoding, "CharacterEncoding");
                if (ParameterSetName == FileSet && FieldMapping != null) _mappings = FieldMappings.Parse(PowerShellValues.ToPlain(FieldMapping, true), null);
                if (ParameterSetName == PathSet) Path = ResolveInputPath(Path);
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
            base.BeginProcessing();
        }

        private static void CheckCallbackUrl(string url)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || string.IsNullOrEmpty(uri.Host))
                throw new ZohoValidationException("ZohoCrm.InvalidCallbackUrl", $"-CallbackUrl '{url}' is not an absolute http(s) URL such as https://hooks.example.com/zoho/bulk-done.", "CallbackUrl");
        }

        private string ResolveInputPath(string path)
        {
            string full;
            try { full = GetUnresolvedProviderPathFromPSPath(path); }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            { throw new ZohoValidationException("ZohoCrm.InvalidPath", $"-Path '{path}' is not a file system path: {ex.Message}", "Path"); }
            if (!File.Exists(full)) throw new ZohoValidationException("ZohoCrm.FileNotFound", $"-Path '{path}' does not exist (resolved to {full}).", "Path", ZohoErrorKind.ObjectNotFound);
            return full;
        }

        protected override void ProcessRecord()
        {
            if (ParameterSetName != InputSet) return;
            _rowNumber++;
            try
            {
                if (InputObject == null || InputObject.BaseObject == null)
                    throw new ZohoValidationException("ZohoCrm.NullRow", $"Row {_rowNumber} of the input is $null; nothing was uploaded.", "InputObject");
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
            try
            {
                if (ParameterSetName == PathSet) ReadCsvFile();
                _chunks?.Close();
                var jobs = ParameterSetName == FileSet ? SubmitFileId() : SubmitChunks();
                if (Wait && jobs.Count > 0) WaitForJobs(jobs);
            }
            catch (ZohoException ex) { ThrowTerminating(ex); }
            finally
            {
                _chunks?.Dispose();
            }
        }

        /// <summary>Streams -Path (a CSV, or a ZIP holding one) into job files.</summary>
        private void ReadCsvFile()
        {
            var reader = new CsvFileReader(Path, CsvFileReader.StrictEncoding(CharacterEncoding, "CharacterEncoding"), CharacterEncoding);
            string file = System.IO.Path.GetFileName(Path);
            reader.Read(header =>
            {
                if (FieldMapping != null) _mappings = FieldMappings.Parse(PowerShellValues.ToPlain(FieldMapping, true), header);
                _chunks = new ChunkWriter(header, Module + ".csv");
            }, (record, row) =>
            {
                _chunks.Add(record);
                if (row % 5000 == 0)
                    WriteProgress(new ProgressRecord(ProgressId, $"Bulk write to {Module}", $"{row} rows read from {file}"));
            });
        }

        private List<BulkWriteJob> SubmitFileId()
        {
            var jobs = new List<BulkWriteJob>();
            _request.FieldMappings = _mappings;
            if (!ShouldProcess($"{Module}: uploaded file {FileId}", $"{Operation} with a bulk write job")) return jobs;
            var service = new BulkWriteService(ResolvedConnection);
            var job = Run(ct => service.CreateJobAsync(_request, FileId, ct));
            Created(job, jobs);
            return jobs;
        }

        private List<BulkWriteJob> SubmitChunks()
        {
            var jobs = new List<BulkWriteJob>();
            if (_chunks == null || _chunks.RowCount == 0)
            {
                WriteWarning($"No rows to write to {Module}: no bulk write job was created.");
                return jobs;
            }
            _request.FieldMappings = _mappings;
            var service = new BulkWriteService(ResolvedConnection);
            var chunks = _chunks.Chunks;
            for (int i = 0; i < chunks.Count; i++)
            {
                var chunk = chunks[i];
                string target = $"{Module}: rows {chunk.FirstRow}-{chunk.LastRow} ({chunk.RowCount} rows{(chunks.Count > 1 ? $", job {i + 1} of {chunks.Count}" : "")})";
                if (!ShouldProcess(target, $"{Operation} with a bulk write job")) continue;
                string fileId = null;
                try
                {
                    WriteProgress(new ProgressRecord(ProgressId, $"Bulk write to {Module}", $"Uploading rows {chunk.FirstRow}-{chunk.LastRow} ({chunk.ZipBytes / 1024} KB zipped)"));
                    fileId = Run(ct => service.UploadAsync(chunk, ct));
                    string uploaded = fileId;
                    var job = Run(ct => service.CreateJobAsync(_request, uploaded, ct));
                    job.FirstRow = chunk.FirstRow;
                    job.LastRow = chunk.LastRow;
                    job.RowCount = chunk.RowCount;
                    Created(job, jobs);
                }
                catch (ZohoException ex)
                {
                    var failed = new RowsNotSubmittedException(ex, Module, chunk, chunks[chunks.Count - 1].LastRow, fileId, jobs);
                    // A rejection of the request itself (bad field, mapping, authentication) would repeat for every job: stop.
                    // A passing failure (server error, no answer) is reported for these rows, and the next job goes on.
                    if (ex.WouldFailEveryBatch)
                    {
                        WriteJobsSoFar(jobs);
                        ThrowTerminating(failed, failed.NotSubmitted);
                    }
                    WriteError(new RowsNotSubmittedException(ex, Module, chunk, chunk.LastRow, fileId, jobs), failed.NotSubmitted);
                }
                finally { ChunkWriter.TryDelete(chunk.ZipPath); }
            }
            WriteProgress(new ProgressRecord(ProgressId, $"Bulk write to {Module}", "Submitted") { RecordType = ProgressRecordType.Completed });
            return jobs;
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

        public void Dispose() => _chunks?.Dispose();
    }
}
