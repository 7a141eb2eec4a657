using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ZohoCrm.BulkWrite;
using ZohoCrm.Http;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// Uploads chunks and creates a job for each (New-ZcrmBulkWriteJob, Resume-ZcrmBulkWriteRun): one ShouldProcess per
    /// job, each step recorded in the run's manifest when there is a run (uploaded, creating, created), the error
    /// policy for a chunk that fails (a rejection of the request itself stops the rest; a passing failure is reported
    /// at the end and the next chunk goes on).
    /// </summary>
    internal sealed class BulkWriteSubmitter
    {
        private const int ProgressId = 0x5b01;
        private readonly ZcrmApiCmdlet _cmdlet;
        private readonly BulkWriteService _service;
        private readonly BulkWriteRun _run;
        private readonly bool _wait;
        private readonly bool _force;

        public BulkWriteSubmitter(ZcrmApiCmdlet cmdlet, BulkWriteRun run, bool wait, bool force)
        {
            _cmdlet = cmdlet;
            _service = new BulkWriteService(cmdlet.ResolvedConnection);
            _run = run;
            _wait = wait;
            _force = force;
        }

        /// <summary>Called before each chunk is uploaded (-BackupPath saves what it will change).</summary>
        public Action<BulkChunk> BeforeUpload { get; set; }

        /// <summary>Keep the chunk files after upload (for whole-row results): a run keeps them; -Wait keeps them until the command ends.</summary>
        public bool KeepInput { get; set; }

        /// <summary>The jobs created (or, resuming, found in the run), in input order.</summary>
        public List<BulkWriteJob> Jobs { get; } = new List<BulkWriteJob>();

        /// <summary>Zoho rejected the request itself: nothing more is submitted, and this names all that was not.</summary>
        public RowsNotSubmittedException Rejection { get; private set; }

        /// <summary>Uploads the chunks of one input (a file, or the piped rows) and creates a job for each.</summary>
        /// <param name="laterFiles">The files after this one: named in the error if Zoho rejects the request itself.</param>
        public void Submit(BulkWriteRequest request, IReadOnlyList<BulkChunk> chunks, string sourcePath, IReadOnlyList<string> inputColumns, IReadOnlyList<string> laterFiles)
        {
            string of = sourcePath == null ? "" : $" of {System.IO.Path.GetFileName(sourcePath)}";
            for (int i = 0; i < chunks.Count && Rejection == null; i++)
            {
                var chunk = chunks[i];
                if (chunk.JobId != null)
                {
                    // A resumed run: this chunk has its job. It is never made twice.
                    Jobs.Add(JobOf(request, chunk, sourcePath, inputColumns, new BulkWriteJob { JobId = chunk.JobId, Status = chunk.JobStatus ?? "ADDED" }));
                    continue;
                }
                string target = $"{request.Module}: rows {chunk.FirstRow}-{chunk.LastRow}{of} ({chunk.RowCount} rows{(chunks.Count > 1 ? $", job {i + 1} of {chunks.Count}" : "")})";
                if (!_cmdlet.ShouldProcessUnlessForced(_force, target, $"{request.Operation} with a bulk write job")) continue;
                try
                {
                    BeforeUpload?.Invoke(chunk);
                    if (chunk.FileId == null)
                    {
                        if (_run != null) BulkWriteRun.Verify(chunk);
                        _cmdlet.WriteProgress(new ProgressRecord(ProgressId, $"Bulk write to {request.Module}", $"Uploading rows {chunk.FirstRow}-{chunk.LastRow} ({chunk.ZipBytes / 1024} KB zipped)"));
                        chunk.FileId = UploadedAhead(chunk) ?? _cmdlet.Run(ct => _service.UploadAsync(chunk, ct));
                        Step(chunk, BulkChunk.Uploaded);
                    }
                    var job = Create(request, chunk);
                    Created(request, JobOf(request, chunk, sourcePath, inputColumns, job));
                }
                catch (ZohoValidationException ex)
                {
                    // Found before this chunk was sent (its backup cannot be kept, its file changed): nothing more is sent.
                    WriteJobsSoFar();
                    _cmdlet.Report(ex, $"rows {chunk.FirstRow}-{chunk.LastRow}");
                }
                catch (ZohoException ex)
                {
                    string fileId = chunk.FileId;
                    bool unknown = RowsNotSubmittedException.IsUnknownOutcome(ex, fileId) && chunk.State == BulkChunk.Creating;
                    // A create that got a clear "no" made no job: the uploaded file may be used again.
                    if (chunk.State == BulkChunk.Creating && !unknown) Step(chunk, BulkChunk.Uploaded);
                    var rest = new RowsNotSubmittedException(ex, request.Module, chunk, chunks[chunks.Count - 1].LastRow, unknown ? fileId : null, Jobs, sourcePath, laterFiles);
                    if (ErrorPolicy.EndsCommand(ex))
                    {
                        // Authentication that still fails: nothing more can be done. The jobs made so far are written first.
                        WriteJobsSoFar();
                        _cmdlet.Report(rest, rest.Target);
                    }
                    // A rejection of the request itself (bad field, mapping) would repeat for every job: submit nothing more.
                    if (ex.WouldFailEveryBatch) { Rejection = rest; break; }
                    // A passing failure (server error, no answer) is reported for these rows, and the next job goes on.
                    var these = new RowsNotSubmittedException(ex, request.Module, chunk, chunk.LastRow, unknown ? fileId : null, Jobs, sourcePath);
                    _cmdlet.Defer(these, these.Target);
                }
                finally
                {
                    if (!KeepInput) ChunkWriter.TryDelete(chunk.ZipPath);
                }
            }
            _cmdlet.WriteProgress(new ProgressRecord(ProgressId, $"Bulk write to {request.Module}", "Submitted") { RecordType = ProgressRecordType.Completed });
        }

        /// <summary>The uploads ahead, one at a time, taken in the order they were started.</summary>
        private OrderedCalls<BulkChunk, string> _uploads;

        /// <summary>
        /// Starts uploading a finished chunk while the input is still being read (one upload at a time, in order);
        /// <see cref="Submit"/> takes its file id, or its error, when it gets to the chunk. An upload makes no job and
        /// changes no record: the jobs are still created only once the whole input has been checked.
        /// </summary>
        public void UploadAhead(BulkChunk chunk)
        {
            _uploads = _uploads ?? new OrderedCalls<BulkChunk, string>(_cmdlet, 1, int.MaxValue);
            _uploads.Start(chunk, ct => _service.UploadAsync(chunk, ct));
        }

        /// <summary>
        /// The chunk's file id if it was uploaded ahead (its error, if that upload failed); null if it was not. Uploads
        /// of chunks before it that were never submitted (a file refused after some of its chunks went ahead) are
        /// passed over: their files make no job.
        /// </summary>
        private string UploadedAhead(BulkChunk chunk)
        {
            while (_uploads != null && _uploads.TryTake(true, out var uploaded, out var outcome))
                if (ReferenceEquals(uploaded, chunk)) return outcome.GetAwaiter().GetResult();
            return null;
        }

        /// <summary>Cancels the uploads not taken (the command ends early) and waits for them, so their files can be deleted.</summary>
        public void CancelUploads() => _uploads?.Dispose();

        /// <summary>The create call, with "creating" on disk before it is sent: a crash before its answer leaves an outcome a resume knows is unknown.</summary>
        private BulkWriteJob Create(BulkWriteRequest request, BulkChunk chunk)
        {
            Step(chunk, BulkChunk.Creating);
            string fileId = chunk.FileId;
            var job = _cmdlet.Run(ct => _service.CreateJobAsync(request, fileId, ct));
            chunk.JobId = job.JobId;
            Step(chunk, BulkChunk.Created);
            return job;
        }

        private void Step(BulkChunk chunk, string state)
        {
            chunk.State = state;
            _run?.Save();
        }

        private BulkWriteJob JobOf(BulkWriteRequest request, BulkChunk chunk, string sourcePath, IReadOnlyList<string> inputColumns, BulkWriteJob job)
        {
            job.Module = job.Module ?? request.Module;
            job.Operation = job.Operation ?? request.Operation;
            job.FindBy = job.FindBy ?? request.FindBy;
            job.FileId = chunk.FileId;
            job.FirstRow = chunk.FirstRow;
            job.LastRow = chunk.LastRow;
            job.RowCount = chunk.RowCount;
            job.SourcePath = sourcePath;
            job.InputColumns = inputColumns?.ToArray();
            job.InputFile = KeepInput ? chunk.ZipPath : null;
            job.RunPath = _run?.Path;
            return job;
        }

        public void Created(BulkWriteRequest request, BulkWriteJob job)
        {
            Jobs.Add(job);
            string rowsOf = job.FirstRow.HasValue ? $"rows {job.FirstRow}-{job.LastRow}" : "file " + job.FileId;
            SessionStore.AddJob(System.Management.Automation.Runspaces.Runspace.DefaultRunspace, job.JobId, request.Module, $"{request.Operation}, {rowsOf}", massUpdate: false);
            string rows = job.FirstRow.HasValue ? $" for rows {job.FirstRow}-{job.LastRow}" : "";
            if (_wait)
                _cmdlet.WriteHostLine($"Created bulk write job {job.JobId}{rows} ({request.Module}, {request.Operation}). If you stop waiting: Get-ZcrmBulkWriteJob -JobId {job.JobId} -Wait");
            else
                _cmdlet.WriteObject(job);
            _cmdlet.WriteVerbose($"Zoho created bulk write job {job.JobId}{rows}.");
        }

        private void WriteJobsSoFar()
        {
            if (_wait) foreach (var j in Jobs) _cmdlet.WriteObject(j);
        }

        /// <summary>Waits for the jobs, writes them (final), and records their final states in the run. The final jobs; null if the wait stopped.</summary>
        public BulkWriteJob[] WaitForJobs(TimeSpan? timeout)
        {
            if (Jobs.Count == 0) return null;
            var final = BulkWriteWaiter.WaitAndWrite(_cmdlet, _service, Jobs, timeout, ProgressId);
            if (_run == null || final == null) return final;
            var byId = final.ToDictionary(j => j.JobId, StringComparer.Ordinal);
            foreach (var chunk in _run.Manifest.Inputs.SelectMany(i => i.Chunks))
                if (chunk.JobId != null && byId.TryGetValue(chunk.JobId, out var job)) chunk.JobStatus = job.Status;
            _run.Save();
            return final;
        }
    }
}
