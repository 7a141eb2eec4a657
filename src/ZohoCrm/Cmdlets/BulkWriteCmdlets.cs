using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Management.Automation;
using System.Text;

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
                if (CharacterEncoding != null && ParameterSetName == PathSet) ReadEncoding();
                if (ParameterSetName == FileSet && FieldMapping != null) _mappings = FieldMappings.Parse(FieldMapping, null);
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
            if (!File.Exists(full)) throw new ZohoValidationException("ZohoCrm.FileNotFound", $"-Path '{path}' does not exist (resolved to {full}).", "Path", ErrorCategory.ObjectNotFound);
            return full;
        }

        private Encoding ReadEncoding()
        {
            if (CharacterEncoding == null) return new UTF8Encoding(false, true);
            try { return Encoding.GetEncoding(CharacterEncoding, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback); }
            catch (ArgumentException)
            { throw new ZohoValidationException("ZohoCrm.UnknownEncoding", $"-CharacterEncoding '{CharacterEncoding}' is not an encoding name this system knows (e.g. UTF-8, windows-1252, iso-8859-1).", "CharacterEncoding"); }
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
                    var columns = Property != null ? Property.ToList() : RowBuilder.ColumnsOf(InputObject);
                    if (FieldMapping != null) _mappings = FieldMappings.Parse(FieldMapping, columns);
                    _rows = new RowBuilder(columns, _mappings, Property != null);
                    _chunks = new ChunkWriter(columns, Module + ".csv");
                }
                _chunks.Add(_rows.Build(InputObject, _rowNumber));
            }
            catch (ZohoException ex) { ThrowTerminating(ex, InputObject); }
            if (_rowNumber % 5000 == 0)
                WriteProgress(new ProgressRecord(ProgressId, $"Bulk write to {Module}", $"{_rowNumber} rows read, {_chunks.Chunks.Count} job file(s)"));
        }

        protected override void EndProcessing()
        {
            try
            {
                if (ParameterSetName == PathSet)
                {
                    try { ReadCsvFile(); }
                    catch (Exception ex) when (ex is InvalidDataException || ex is NotSupportedException || ex is IOException || ex is UnauthorizedAccessException)
                    {
                        throw new ZohoValidationException("ZohoCrm.UnreadableFile", $"-Path '{Path}' could not be read: {ex.Message}", "Path");
                    }
                }
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

        /// <summary>Streams -Path (a CSV, or a ZIP holding one) into job files, checking every row has the header's width.</summary>
        private void ReadCsvFile()
        {
            var encoding = ReadEncoding();
            ZipArchive zip = null;
            Stream stream;
            if (IsZip(Path))
            {
                zip = ZipFile.OpenRead(Path);
                var csvs = zip.Entries.Where(e => !string.IsNullOrEmpty(e.Name)).ToList();
                if (csvs.Count != 1 || !csvs[0].Name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
                {
                    zip.Dispose();
                    throw new ZohoValidationException("ZohoCrm.InvalidZip", $"-Path '{Path}' is a ZIP with {csvs.Count} file(s) ({string.Join(", ", csvs.Select(e => e.FullName).Take(5))}); bulk write takes a ZIP holding exactly one .csv file.", "Path");
                }
                stream = csvs[0].Open();
            }
            else stream = new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920);
            try
            {
                using (var reader = new CsvReader(new StreamReader(stream, encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 65536)))
                {
                    List<string> header;
                    try { header = reader.ReadRecord(); }
                    catch (DecoderFallbackException) { throw BadEncoding(1); }
                    if (header == null || (header.Count == 1 && header[0].Length == 0))
                        throw new ZohoValidationException("ZohoCrm.EmptyCsv", $"-Path '{Path}' is empty: the first row must name the columns (field API names).", "Path");
                    RowBuilder.CheckColumns(header, "Path");
                    if (FieldMapping != null) _mappings = FieldMappings.Parse(FieldMapping, header);
                    _chunks = new ChunkWriter(header, Module + ".csv");
                    List<string> record;
                    while (true)
                    {
                        try { record = reader.ReadRecord(); }
                        catch (DecoderFallbackException) { throw BadEncoding(reader.LineNumber); }
                        if (record == null) break;
                        if (record.Count == 1 && record[0].Length == 0) continue; // blank line
                        _rowNumber++;
                        if (record.Count != header.Count)
                            throw new ZohoValidationException("ZohoCrm.RaggedRow",
                                $"Row {_rowNumber} (line {reader.LineNumber}) of '{Path}' has {record.Count} cells; the header has {header.Count}. Nothing was uploaded.", "Path");
                        _chunks.Add(record);
                        if (_rowNumber % 5000 == 0)
                            WriteProgress(new ProgressRecord(ProgressId, $"Bulk write to {Module}", $"{_rowNumber} rows read from {System.IO.Path.GetFileName(Path)}"));
                    }
                }
            }
            finally { zip?.Dispose(); }
        }

        private ZohoValidationException BadEncoding(long line) =>
            new ZohoValidationException("ZohoCrm.InvalidEncoding",
                $"Line {line} of '{Path}' is not valid {(CharacterEncoding ?? "UTF-8")}. Give the file's encoding with -CharacterEncoding (e.g. windows-1252).", "Path");

        private static bool IsZip(string path)
        {
            using (var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
            {
                var sig = new byte[4];
                return f.Read(sig, 0, 4) == 4 && sig[0] == 0x50 && sig[1] == 0x4B && sig[2] == 0x03 && sig[3] == 0x04;
            }
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
                    if (ex.IsAboutTheRequest)
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

    /// <summary>Rows of the input that did not become (or may not have become) a Zoho job.</summary>
    public sealed class RowsNotSubmittedException : ZohoException
    {
        internal RowsNotSubmittedException(ZohoException inner, string module, BulkChunk chunk, long lastRow, string fileId, IReadOnlyList<BulkWriteJob> created)
            : base(inner.Code, Describe(inner, module, chunk, lastRow, fileId, created), inner.Category, inner)
        {
            FirstRow = chunk.FirstRow;
            LastRow = lastRow;
            FileId = fileId;
            SubmittedJobIds = created.Select(j => j.JobId).ToArray();
            NotSubmitted = $"rows {FirstRow}-{LastRow}";
        }

        public long FirstRow { get; }
        public long LastRow { get; }
        /// <summary>The file uploaded for the failed job, if the upload got that far.</summary>
        public string FileId { get; }
        /// <summary>Jobs already created in this run (their rows were submitted).</summary>
        public string[] SubmittedJobIds { get; }
        public string NotSubmitted { get; }

        private static string Describe(ZohoException inner, string module, BulkChunk chunk, long lastRow, string fileId, IReadOnlyList<BulkWriteJob> created)
        {
            var sb = new StringBuilder(inner.Message.TrimEnd('.'));
            // Once the file is uploaded, a create call that got no clear answer may or may not have made a job.
            bool unknown = fileId != null && (inner.Code == "ZohoCrm.Timeout" || inner.Code == "ZohoCrm.ConnectionFailed" || inner.Code == "ZohoCrm.ServerError"
                                              || (inner is ZohoApiException api && api.HttpStatus >= 500));
            if (unknown && fileId != null)
                sb.Append($". {module} rows {chunk.FirstRow}-{chunk.LastRow} were uploaded as file {fileId}, and Zoho may or may not have made a job of them: check the bulk write jobs in Zoho (Setup > Data Administration) before sending these rows again");
            else
                sb.Append($". {module} rows {chunk.FirstRow}-{lastRow} of the input were not submitted");
            if (lastRow > chunk.LastRow && unknown) sb.Append($"; rows {chunk.LastRow + 1}-{lastRow} were not submitted");
            sb.Append(created.Count > 0
                ? $". Already submitted: {string.Join(", ", created.Select(j => $"job {j.JobId} (rows {j.FirstRow}-{j.LastRow})"))}."
                : ". No job was created in this run.");
            return sb.ToString();
        }
    }

    /// <summary>Follows bulk write jobs with Write-Progress (rows and percent) and writes their final state.</summary>
    internal static class BulkWriteWaiter
    {
        public static void WaitAndWrite(ZcrmCmdlet cmdlet, BulkWriteService service, List<BulkWriteJob> jobs, TimeSpan? timeout, int progressId)
        {
            string activity = jobs.Count == 1 ? $"Bulk write job {jobs[0].JobId}" : $"{jobs.Count} bulk write jobs";
            long expected = jobs.Sum(j => j.RowCount ?? 0);
            try
            {
                var final = cmdlet.Run(ct => service.WaitAsync(jobs, timeout, current =>
                {
                    long total = Math.Max(expected, current.Sum(j => j.TotalCount ?? 0));
                    long done = current.Sum(j => (j.AddedCount ?? 0) + (j.UpdatedCount ?? 0) + (j.SkippedCount ?? 0));
                    var record = new ProgressRecord(progressId, activity,
                        $"{done} of {total} rows processed; " + string.Join(", ", current.GroupBy(j => j.Status).Select(g => $"{g.Count()} {g.Key}")));
                    if (total > 0) record.PercentComplete = (int)Math.Min(100, 100 * done / total);
                    OperationLog.Progress(record);
                }, ct));
                cmdlet.WriteProgress(new ProgressRecord(progressId, activity, "Done") { RecordType = ProgressRecordType.Completed });
                foreach (var job in final)
                {
                    cmdlet.WriteObject(job);
                    if (string.Equals(job.Status, "FAILED", StringComparison.OrdinalIgnoreCase))
                        cmdlet.WriteError(new ZohoClientException("ZohoCrm.JobFailed", $"Bulk write job {job.JobId} ({job.Module}{(job.FirstRow.HasValue ? $", rows {job.FirstRow}-{job.LastRow}" : "")}) ended FAILED: {job.AddedCount ?? 0} added, {job.UpdatedCount ?? 0} updated, {job.SkippedCount ?? 0} skipped. Get-ZcrmBulkWriteResult tells which rows.", ErrorCategory.InvalidResult), job);
                }
            }
            catch (WaitTimeoutException ex)
            {
                cmdlet.WriteProgress(new ProgressRecord(progressId, activity, "Timed out") { RecordType = ProgressRecordType.Completed });
                foreach (var job in (BulkWriteJob[])ex.Job) cmdlet.WriteObject(job);
                cmdlet.WriteError(ex, ex.Job);
            }
            catch (ZohoException ex)
            {
                // Polling failed past its retries: the jobs go on in Zoho; say which, so they can be followed again.
                cmdlet.WriteProgress(new ProgressRecord(progressId, activity, "Stopped") { RecordType = ProgressRecordType.Completed });
                foreach (var job in jobs) cmdlet.WriteObject(job);
                cmdlet.WriteError(ex, jobs.Select(j => j.JobId).ToArray());
            }
        }
    }

    /// <summary>Gets bulk write jobs: status, counts and, when done, the download URL and field mappings.</summary>
    [Cmdlet(VerbsCommon.Get, "ZcrmBulkWriteJob")]
    [OutputType(typeof(BulkWriteJob))]
    public sealed class GetZcrmBulkWriteJob : ZcrmApiCmdlet
    {
        private const int ProgressId = 0x5b02;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateZohoId]
        public string[] JobId { get; set; }

        /// <summary>Carried along from a piped job, so the rows stay numbered as in the caller's input.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
        public long? FirstRow { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
        public long? LastRow { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
        public long? RowCount { get; set; }

        [Parameter]
        public SwitchParameter Wait { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Timeout { get; set; }

        protected override void ProcessRecord()
        {
            RequireWaitForTimeout(Wait);
            var service = new BulkWriteService(ResolvedConnection);
            var known = JobId.Select(id => new BulkWriteJob { JobId = id, FirstRow = JobId.Length == 1 ? FirstRow : null, LastRow = JobId.Length == 1 ? LastRow : null, RowCount = JobId.Length == 1 ? RowCount : null }).ToList();
            if (Wait)
            {
                try
                {
                    // A first look, so an unknown job is an error before waiting.
                    for (int i = 0; i < known.Count; i++) { int n = i; known[n] = BulkWriteService.Merge(known[n], Run(ct => service.GetJobAsync(known[n].JobId, ct))); }
                }
                catch (ZohoException ex) { WriteError(ex, JobId); return; }
                BulkWriteWaiter.WaitAndWrite(this, service, known, Timeout > 0 ? TimeSpan.FromSeconds(Timeout) : (TimeSpan?)null, ProgressId);
                return;
            }
            foreach (var job in known)
            {
                try { WriteObject(BulkWriteService.Merge(job, Run(ct => service.GetJobAsync(job.JobId, ct)))); }
                catch (ZohoException ex) { WriteError(ex, job.JobId); }
            }
        }
    }

    /// <summary>
    /// Downloads a completed bulk write job's result and writes one object per row: RowNumber (the row's number in the
    /// caller's input when a job object is piped in), the columns Zoho echoes, Status, RecordId, Errors.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ZcrmBulkWriteResult")]
    [OutputType(typeof(PSObject))]
    public sealed class GetZcrmBulkWriteResult : ZcrmApiCmdlet
    {
        private int _jobs;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateZohoId]
        public string JobId { get; set; }

        /// <summary>Also keep the result ZIP here (a file path, or a folder: then &lt;JobId&gt;.zip in it).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string OutFile { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
        public long? FirstRow { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
        public string DownloadUrl { get; set; }

        protected override void ProcessRecord()
        {
            _jobs++;
            var service = new BulkWriteService(ResolvedConnection);
            string temp = null;
            try
            {
                string url = DownloadUrl;
                if (string.IsNullOrEmpty(url))
                {
                    var job = Run(ct => service.GetJobAsync(JobId, ct));
                    if (!string.Equals(job.Status, "COMPLETED", StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(job.DownloadUrl))
                        throw new ZohoClientException("ZohoCrm.JobNotCompleted", $"Bulk write job {JobId} is {job.Status}: its result can be read once it is COMPLETED (Get-ZcrmBulkWriteJob -JobId {JobId} -Wait).", ErrorCategory.ResourceUnavailable);
                    url = job.DownloadUrl;
                }
                var uri = service.ResolveDownloadUrl(url);
                string path = OutFilePath() ?? (temp = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "zcrm-result-" + Guid.NewGuid().ToString("N") + ".zip"));
                Run(ct => service.DownloadAsync(uri, path, ct));
                if (!BulkWriteResults.IsReadable(path))
                {
                    // A transfer that damaged the file: fetch it once more before giving up.
                    WriteVerbose($"The result of job {JobId} arrived damaged; downloading it again.");
                    Run(ct => service.DownloadAsync(uri, path, ct));
                }
                WriteVerbose($"Result of job {JobId} downloaded ({new FileInfo(path).Length} bytes){(temp == null ? " to " + path : "")}.");
                foreach (var row in BulkWriteResults.Read(path, FirstRow ?? 1, JobId)) WriteObject(row);
                Memory.Release();
            }
            catch (ZohoException ex) { WriteError(ex, JobId); }
            catch (InvalidDataException ex)
            {
                WriteError(new ZohoClientException("ZohoCrm.InvalidResult", $"The result file of job {JobId} is not a readable ZIP: {ex.Message}", ErrorCategory.InvalidData, ex), JobId);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                WriteError(new ZohoClientException("ZohoCrm.WriteFailed", $"The result of job {JobId} could not be saved or read: {ex.Message}", ErrorCategory.WriteError, ex), JobId);
            }
            finally { if (temp != null) ChunkWriter.TryDelete(temp); }
        }

        private string OutFilePath()
        {
            if (OutFile == null) return null;
            string path;
            try { path = GetUnresolvedProviderPathFromPSPath(OutFile); }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            { throw new ZohoValidationException("ZohoCrm.InvalidPath", $"-OutFile '{OutFile}' is not a file system path: {ex.Message}", "OutFile"); }
            if (Directory.Exists(path)) return System.IO.Path.Combine(path, JobId + ".zip");
            if (_jobs > 1)
                return System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path) ?? "", System.IO.Path.GetFileNameWithoutExtension(path) + "-" + JobId + System.IO.Path.GetExtension(path));
            return path;
        }
    }
}
