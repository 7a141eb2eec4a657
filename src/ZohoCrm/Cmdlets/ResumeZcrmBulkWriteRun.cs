using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ZohoCrm.BulkWrite;
using ZohoCrm.Http;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// Finishes a bulk write run kept with New-ZcrmBulkWriteJob -RunPath after Ctrl+C, a crash, kill -9 or a reboot:
    /// never a second job for a chunk that has one; uploads and creates only what has no job; waits for all the run's
    /// jobs and writes them, as New-ZcrmBulkWriteJob -Wait does, so | Get-ZcrmBulkWriteResult gives the whole-row results
    /// of the whole run. A chunk whose create call got no answer (it may or may not have become a job: Zoho has no
    /// API to list bulk write jobs) is reported, and sent again only with -ResubmitUnknown.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Resume, "ZcrmBulkWriteRun", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(BulkWriteJob))]
    public sealed class ResumeZcrmBulkWriteRun : ZcrmApiCmdlet, IDisposable
    {
        private BulkWriteRun _run;

        /// <summary>The run folder given to New-ZcrmBulkWriteJob -RunPath.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string RunPath { get; set; }

        /// <summary>
        /// Also send again the rows whose create call got no answer, as a new job. Safe for update, and for upsert on a
        /// unique field; an insert may then add those rows twice if Zoho had made the first job.
        /// </summary>
        [Parameter]
        public SwitchParameter ResubmitUnknown { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Timeout { get; set; }

        /// <summary>Do not ask for confirmation (for scripts and scheduled tasks).</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                _run = BulkWriteRun.Open(FileSystemPath(RunPath, "RunPath"));
                var m = _run.Manifest;
                if (!string.Equals(m.ApiDomain, ResolvedConnection.ApiDomain, StringComparison.OrdinalIgnoreCase))
                    throw new ZohoValidationException("ZohoCrm.RunOtherOrg",
                        $"The run in '{_run.Path}' was started against {m.ApiDomain}; this connection is to {ResolvedConnection.ApiDomain}. Connect to the run's org to resume it; nothing was sent.", "RunPath");
            }
            catch (ZohoException ex) { ThrowTerminating(ex, RunPath); }
            var manifest = _run.Manifest;
            var submitter = new BulkWriteSubmitter(this, _run, wait: true, Force) { KeepInput = true };
            var notRead = new List<BulkWriteRunInput>();
            foreach (var input in manifest.Inputs)
            {
                // A file reported as not sent when the run was made (it could not be read, or failed the checks) stays so.
                if (input.NotSent != null) continue;
                if (!input.Read) { notRead.Add(input); continue; }
                var send = new List<BulkChunk>();
                foreach (var chunk in input.Chunks)
                {
                    if (chunk.State == BulkChunk.Creating && chunk.JobId == null)
                    {
                        if (!ResubmitUnknown) { Defer(Unknown(manifest, input, chunk), $"rows {chunk.FirstRow}-{chunk.LastRow}"); continue; }
                        // Sent again from its file, as a new upload: the first file id may be Zoho's job's.
                        chunk.FileId = null;
                        chunk.State = BulkChunk.Ready;
                    }
                    send.Add(chunk);
                }
                WriteVerbose($"Run {_run.Path}: {(input.SourcePath ?? "piped rows")}: {send.Count(c => c.JobId != null)} of {input.Chunks.Count} job(s) already created.");
                submitter.Submit(_run.Request(input), send, input.SourcePath, input.Columns, new string[0]);
                if (submitter.Rejection != null) break;
            }
            submitter.WaitForJobs(Timeout > 0 ? TimeSpan.FromSeconds(Timeout) : (TimeSpan?)null);
            ReportDeferred();
            if (submitter.Rejection != null) Report(submitter.Rejection, submitter.Rejection.Target);
            foreach (var input in notRead) Report(NotRead(input), input.SourcePath ?? "InputObject");
            _run.Dispose();
            _run = null;
        }

        private static ZohoClientException Unknown(BulkWriteRunManifest m, BulkWriteRunInput input, BulkChunk chunk)
        {
            string of = input.SourcePath == null ? "" : " of " + input.SourcePath;
            return new ZohoClientException("ZohoCrm.CreateOutcomeUnknown",
                $"{m.Module} rows {chunk.FirstRow}-{chunk.LastRow}{of} were uploaded as file {chunk.FileId} and the run stopped before Zoho answered the call that makes their job: they may or may not have become a job. " +
                "Zoho has no API that lists bulk write jobs: look in Zoho CRM (Setup > Data Administration > Import history). If there is no such job, resume with -ResubmitUnknown " +
                $"(safe for update and upsert; an insert could add the rows twice if the job exists).", ZohoErrorKind.InvalidOperation);
        }

        private static ZohoClientException NotRead(BulkWriteRunInput input) =>
            new ZohoClientException("ZohoCrm.RunInputIncomplete", input.SourcePath != null
                ? $"The run stopped while reading '{input.SourcePath}', before any of its rows were sent: send that file (and any after it) with New-ZcrmBulkWriteJob -Path and a new -RunPath."
                : "The run stopped while its piped rows were being read, before any of them were sent: send them again with New-ZcrmBulkWriteJob and a new -RunPath.",
                ZohoErrorKind.InvalidOperation);

        public void Dispose()
        {
            _run?.Dispose();
            _run = null;
        }
    }
}
