using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using ZohoCrm.BulkWrite;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// Downloads a completed bulk write job's result and writes one object per row: RowNumber (the row's number in the
    /// caller's input when a job object is piped in), the columns Zoho echoes, Status, RecordId, Errors.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ZcrmBulkWriteResult", DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(PSObject))]
    public sealed class GetZcrmBulkWriteResult : ZcrmApiCmdlet, IDisposable
    {
        private const string IdSet = "Id";
        private const string InputObjectSet = "InputObject";
        private int _jobs;
        private long _rows;
        /// <summary>The rows Zoho did not add or update, for the summary error at the end (the first MaxFailedKept of them).</summary>
        private readonly List<PSObject> _failed = new List<PSObject>();
        private readonly Dictionary<string, long> _failedByStatus = new Dictionary<string, long>(StringComparer.Ordinal);
        private long _failedCount;
        private const int MaxFailedKept = 10000;

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ZohoIdTransformation]
        [ValidateZohoId]
        [ArgumentCompleter(typeof(JobIdCompleter))]
        public string JobId { get; set; }

        /// <summary>Jobs of New-ZcrmBulkWriteJob or Get-ZcrmBulkWriteJob, whose FirstRow, DownloadUrl and SourcePath the rows keep.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        [DeserializedJobTransformation(typeof(BulkWriteJob))]
        [ValidateNotNullOrEmpty]
        public BulkWriteJob[] InputObject { get; set; }

        /// <summary>Also keep the result ZIP here (a file path, or a folder: then &lt;JobId&gt;.zip in it).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string OutFile { get; set; }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            SweepStaleTempFiles();
        }

        protected override void ProcessRecord()
        {
            // A bare id: the job's own download URL, rows numbered from 1 in its file.
            foreach (var job in ParameterSetName == InputObjectSet ? InputObject : new[] { new BulkWriteJob { JobId = JobId } })
            {
                // The next jobs' results download while this one's rows are written; the rows come out in input order.
                _pending.Enqueue(BeginDownload(job));
                while (_pending.Count > Ahead) WriteResult(_pending.Dequeue());
            }
        }

        /// <summary>How many jobs' results download while the rows of the job before them are written.</summary>
        private const int Ahead = 2;
        private readonly Queue<PendingResult> _pending = new Queue<PendingResult>();

        /// <summary>A job whose result is downloading (or read from its run, or failed to start: Error).</summary>
        private sealed class PendingResult
        {
            public BulkWriteJob Job;
            public string Kept, Into, Temp, Path;
            /// <summary>This command's copy of the job's input file, which -Wait keeps only until New-ZcrmBulkWriteJob ends.</summary>
            public string InputCopy;
            public Started<bool> Download;
            public Exception Error;
        }

        private PendingResult BeginDownload(BulkWriteJob job)
        {
            _jobs++;
            var p = new PendingResult { Job = job };
            p.InputCopy = CopyOfInput(job);
            try
            {
                p.Kept = job.RunPath == null ? null : System.IO.Path.Combine(job.RunPath, $"result-{job.JobId}.zip");
                string outFile = OutFilePath(job.JobId);
                if (outFile == null && p.Kept != null && File.Exists(p.Kept) && BulkWriteResults.IsReadable(p.Kept)) p.Path = p.Kept; // downloaded before: the run keeps it
                else
                {
                    p.Into = outFile ?? (p.Temp = TempFiles.Create("result"));
                    var service = new BulkWriteService(ResolvedConnection);
                    string into = p.Into;
                    p.Download = Start(async ct => { await service.DownloadJobResultAsync(job, into, ct).ConfigureAwait(false); return true; });
                }
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException)) { p.Error = ex; } // reported in the job's turn, as its other errors
            return p;
        }

        /// <summary>
        /// A copy of the job's input file (a compressed job file: a few MB at most) for a job written later than it
        /// arrived, since New-ZcrmBulkWriteJob -Wait deletes its job files when it ends; null for a run's job (the run
        /// keeps its files) or when there is none or it cannot be copied (then the job's own file is read, if still there).
        /// </summary>
        private static string CopyOfInput(BulkWriteJob job)
        {
            if (job.InputFile == null || job.RunPath != null || !File.Exists(job.InputFile)) return null;
            string copy = null;
            try
            {
                copy = TempFiles.Create("bulk"); // a job file, as the ones it copies: the stale-file sweep knows the kind
                File.Copy(job.InputFile, copy, overwrite: true);
                return copy;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                if (copy != null) ChunkWriter.TryDelete(copy);
                return null;
            }
        }

        private void WriteResult(PendingResult p)
        {
            var job = p.Job;
            string temp = p.Temp;
            try
            {
                if (p.Error != null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(p.Error).Throw();
                string path = p.Path;
                if (path == null)
                {
                    p.Download.Wait();
                    WriteVerbose($"Result of job {job.JobId} downloaded ({new FileInfo(p.Into).Length} bytes){(temp == null ? " to " + p.Into : "")}.");
                    path = p.Into;
                    if (p.Kept != null && temp != null) path = KeepInRun(temp, p.Kept);
                }
                var input = InputOf(job, p.InputCopy ?? job.InputFile);
                var rows = BulkWriteResults.Read(path, job.FirstRow ?? 1, job.JobId);
                var shapes = new ResultShapes(job.JobId, job.SourcePath);
                if (input == null)
                {
                    long n = 0;
                    foreach (var row in rows) { n++; Emit(shapes.Echoed(row), row.Status); }
                    if (job.TotalCount.HasValue && n != job.TotalCount.Value)
                        Report(new ZohoClientException("ZohoCrm.ResultIncomplete",
                            $"The result of bulk write job {job.JobId} holds {n:N0} rows; the job has {job.TotalCount.Value:N0}. The rows without a result may or may not have been written.", ZohoErrorKind.InvalidResult), job);
                    return;
                }
                var join = new ResultJoin(input);
                // The input columns' property names, once per job (Input_<name> for a name the result's own properties take).
                shapes.SetInput(input.Columns.Select(BulkWriteResultRow.PropertyOf));
                foreach (var joined in join.Join(rows))
                    Emit(shapes.Joined(joined), joined.Result?.Status ?? BulkWriteResultRow.UnknownStatus);
                if (join.HasProblems) Report(Mismatch(job, join), join.Missing.Concat(join.OutOfOrder).Distinct().OrderBy(r => r).ToArray());
            }
            catch (ZohoException ex) { Report(ex, job.JobId); }
            catch (InvalidDataException ex)
            {
                Report(new ZohoClientException("ZohoCrm.InvalidResult", $"The result file of job {job.JobId} is not a readable ZIP: {ex.Message}", ZohoErrorKind.InvalidData, ex), job.JobId);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                Report(new ZohoClientException("ZohoCrm.WriteFailed", $"The result of job {job.JobId} could not be saved or read: {ex.Message}", ZohoErrorKind.WriteError, ex), job.JobId);
            }
            finally
            {
                if (temp != null) ChunkWriter.TryDelete(temp);
                if (p.InputCopy != null) ChunkWriter.TryDelete(p.InputCopy);
            }
        }

        /// <summary>The command stopped before writing every job (Ctrl+C, Select-Object -First, an error upstream): the downloads still going are cancelled, their files deleted.</summary>
        public void Dispose()
        {
            while (_pending.Count > 0)
            {
                var p = _pending.Dequeue();
                p.Download?.Abandon();
                if (p.Temp != null) ChunkWriter.TryDelete(p.Temp);
                if (p.InputCopy != null) ChunkWriter.TryDelete(p.InputCopy);
            }
        }

        /// <summary>A result downloaded for a run is kept in its folder (renamed in whole), so it is read from there next time, after Zoho's link has expired too.</summary>
        private static string KeepInRun(string temp, string kept)
        {
            try
            {
                if (File.Exists(kept)) File.Delete(kept);
                File.Move(temp, kept);
                return kept;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException) { return temp; }
        }

        private static ZohoClientException Mismatch(BulkWriteJob job, ResultJoin join)
        {
            var parts = new List<string>();
            string of = job.SourcePath == null ? "" : " of " + System.IO.Path.GetFileName(job.SourcePath);
            if (join.Missing.Count > 0)
                parts.Add($"it has no row for input rows {ResultJoin.Ranges(join.Missing)}{of} ({join.Missing.Count:N0}; they may or may not have been written: their Status is '{BulkWriteResultRow.UnknownStatus}')");
            if (join.OutOfOrder.Count > 0)
                parts.Add($"rows {ResultJoin.Ranges(join.OutOfOrder.OrderBy(r => r).ToList())}{of} came back out of upload order (tied to their input rows by the echoed key columns)");
            if (join.Unmatched.Count > 0)
                parts.Add($"{join.Unmatched.Count:N0} result rows (at {ResultJoin.Ranges(join.Unmatched)} in the file) match no input row, or more than one");
            return new ZohoClientException("ZohoCrm.ResultMismatch",
                $"The result of bulk write job {job.JobId} does not match its {join.ResultRows:N0}-row input: {string.Join("; ", parts)}.", ZohoErrorKind.InvalidResult);
        }

        private bool _warnedNoInput;

        /// <summary>The rows the job was made from: its file kept by the run (or by -Wait), else its rows read again from the caller's file; null if neither is there.</summary>
        private InputRows InputOf(BulkWriteJob job, string inputFile)
        {
            try
            {
                if (inputFile != null && File.Exists(inputFile)) return InputRows.FromChunk(inputFile, job.FirstRow ?? 1, job.InputColumns);
                if (job.SourcePath != null && File.Exists(job.SourcePath) && job.FirstRow.HasValue && job.LastRow.HasValue)
                {
                    var rows = InputRows.FromSource(job.SourcePath, job.FirstRow.Value, job.LastRow.Value);
                    if (rows.Rows.Count == job.LastRow.Value - job.FirstRow.Value + 1) return rows;
                    WriteWarning($"'{job.SourcePath}' no longer has rows {job.FirstRow}-{job.LastRow} of bulk write job {job.JobId} (it has changed since): its results hold the columns Zoho echoes.");
                    return null;
                }
            }
            catch (Exception ex) when (ex is ZohoException || ex is IOException || ex is InvalidDataException || ex is UnauthorizedAccessException)
            {
                WriteWarning($"The input rows of bulk write job {job.JobId} could not be read ({ex.Message}): its results hold the columns Zoho echoes.");
                return null;
            }
            if (!_warnedNoInput)
                WriteWarning($"The input rows of bulk write job {job.JobId} are not kept, so its results hold only the columns Zoho echoes. For whole input rows: New-ZcrmBulkWriteJob -RunPath <folder>, or pipe New-ZcrmBulkWriteJob -Wait straight into Get-ZcrmBulkWriteResult.");
            _warnedNoInput = true;
            return null;
        }

        private void Emit(PSObject o, string status)
        {
            _rows++;
            WriteObject(o);
            if (status == "added" || status == "updated") return;
            _failedCount++;
            _failedByStatus.TryGetValue(status ?? "", out long n);
            _failedByStatus[status ?? ""] = n + 1;
            if (_failed.Count < MaxFailedKept) _failed.Add(o);
        }

        /// <summary>Rows that were skipped (or have no known outcome) make one summary error, so $? is false and -ErrorAction Stop fails a script.</summary>
        protected override void EndProcessing()
        {
            while (_pending.Count > 0) WriteResult(_pending.Dequeue());
            if (_failedCount == 0) return;
            string kept = _failedCount > _failed.Count ? $"the first {_failed.Count:N0} of them" : "them";
            // Rows with no result row (Status unknown) may have been written: the summary does not claim they were not.
            string what = _failedByStatus.ContainsKey(BulkWriteResultRow.UnknownStatus)
                ? "rows were not added or updated, or (Status unknown) may or may not have been" : "rows were not added or updated";
            Report(RecordsFailedException.Of(what, _rows, _failedByStatus,
                $"Each row's Errors says why; the rows are in the output (Status not added/updated) and {kept} in this error's TargetObject."), _failed.ToArray());
        }

        /// <summary>A result row as the object users get: RowNumber, the echoed columns, Status, RecordId, Errors, JobId (and SourcePath, for a job of a file).</summary>
        internal static PSObject ToPSObject(BulkWriteResultRow row) => new ResultShapes(row.JobId, null).Echoed(row);

        private string OutFilePath(string jobId)
        {
            if (OutFile == null) return null;
            string path = FileSystemPath(OutFile, "OutFile");
            if (Directory.Exists(path)) return System.IO.Path.Combine(path, jobId + ".zip");
            if (_jobs > 1)
                return System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path) ?? "", System.IO.Path.GetFileNameWithoutExtension(path) + "-" + jobId + System.IO.Path.GetExtension(path));
            return path;
        }
    }
}
