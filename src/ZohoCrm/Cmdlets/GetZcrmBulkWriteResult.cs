using System;
using System.Collections.Generic;
using System.IO;
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
    public sealed class GetZcrmBulkWriteResult : ZcrmApiCmdlet
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
            foreach (var job in ParameterSetName == InputObjectSet ? InputObject : new[] { new BulkWriteJob { JobId = JobId } }) WriteResult(job);
        }

        private void WriteResult(BulkWriteJob job)
        {
            _jobs++;
            var service = new BulkWriteService(ResolvedConnection);
            string temp = null;
            try
            {
                var uri = Run(ct => service.ResultUrlAsync(job.JobId, job.DownloadUrl, ct));
                string path = OutFilePath(job.JobId) ?? (temp = TempFiles.Create("result"));
                // The job's rows bound the download: those the module sent (RowCount), else Zoho's count.
                Run(ct => service.DownloadResultAsync(job.JobId, uri, path, job.RowCount ?? job.TotalCount, ct));
                WriteVerbose($"Result of job {job.JobId} downloaded ({new FileInfo(path).Length} bytes){(temp == null ? " to " + path : "")}.");
                foreach (var row in BulkWriteResults.Read(path, job.FirstRow ?? 1, job.JobId))
                {
                    var o = ToPSObject(row, job.SourcePath);
                    _rows++;
                    WriteObject(o);
                    if (row.Status == "added" || row.Status == "updated") continue;
                    _failedCount++;
                    _failedByStatus.TryGetValue(row.Status ?? "", out long n);
                    _failedByStatus[row.Status ?? ""] = n + 1;
                    if (_failed.Count < MaxFailedKept) _failed.Add(o);
                }
                Memory.ForceCompactingCollection();
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
            finally { if (temp != null) ChunkWriter.TryDelete(temp); }
        }

        /// <summary>Rows that were skipped (or have no known outcome) make one summary error, so $? is false and -ErrorAction Stop fails a script.</summary>
        protected override void EndProcessing()
        {
            if (_failedCount == 0) return;
            string kept = _failedCount > _failed.Count ? $"the first {_failed.Count:N0} of them" : "them";
            Report(RecordsFailedException.Of("rows were not added or updated", _rows, _failedByStatus,
                $"Each row's Errors says why; the rows are in the output (Status not added/updated) and {kept} in this error's TargetObject."), _failed.ToArray());
        }

        /// <summary>A result row as the object users get: RowNumber, the echoed columns, Status, RecordId, Errors, JobId (and SourcePath, for a job of a file).</summary>
        internal static PSObject ToPSObject(BulkWriteResultRow row) => ToPSObject(row, null);

        internal static PSObject ToPSObject(BulkWriteResultRow row, string sourcePath)
        {
            var o = new PSObject();
            o.TypeNames.Insert(0, "ZohoCrm.BulkWriteResultRow");
            o.Properties.Add(new PSNoteProperty("RowNumber", row.RowNumber));
            foreach (var column in row.Columns) o.Properties.Add(new PSNoteProperty(column.Key, column.Value));
            o.Properties.Add(new PSNoteProperty("Status", row.Status));
            o.Properties.Add(new PSNoteProperty("RecordId", row.RecordId));
            o.Properties.Add(new PSNoteProperty("Errors", row.Errors));
            o.Properties.Add(new PSNoteProperty("JobId", row.JobId));
            if (sourcePath != null) o.Properties.Add(new PSNoteProperty("SourcePath", sourcePath));
            return o;
        }

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
