using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ZohoCrm.BulkWrite;

namespace ZohoCrm.Cmdlets
{
    /// <summary>Gets bulk write jobs: status, counts and, when done, the download URL and field mappings.</summary>
    [Cmdlet(VerbsCommon.Get, "ZcrmBulkWriteJob")]
    [OutputType(typeof(BulkWriteJob))]
    public sealed class GetZcrmBulkWriteJob : ZcrmApiCmdlet
    {
        private const int ProgressId = 0x5b02;
        private readonly List<BulkWriteJob> _waiting = new List<BulkWriteJob>();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ZohoIdTransformation]
        [ValidateZohoId]
        public string[] JobId { get; set; }

        /// <summary>Carried along from a piped job, so the rows stay numbered as in the caller's input.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
        public long? FirstRow { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
        public long? LastRow { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
        public long? RowCount { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
        public string SourcePath { get; set; }

        [Parameter]
        public SwitchParameter Wait { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Timeout { get; set; }

        protected override void ProcessRecord()
        {
            RequireWaitForTimeout(Wait);
            var service = new BulkWriteService(ResolvedConnection);
            // The rows a piped job carries belong to that one job only.
            bool one = JobId.Length == 1;
            var known = JobId.Select(id => one
                ? new BulkWriteJob { JobId = id, FirstRow = FirstRow, LastRow = LastRow, RowCount = RowCount, SourcePath = SourcePath }
                : new BulkWriteJob { JobId = id }).ToList();
            // A first look at each job: an unknown job is an error (and is not waited for); the others go on.
            foreach (var job in known)
            {
                BulkWriteJob current;
                try { current = BulkWriteService.Merge(job, Run(ct => service.GetJobAsync(job.JobId, ct))); }
                catch (ZohoException ex) { Report(ex, job.JobId); continue; }
                if (Wait) _waiting.Add(current);
                else WriteObject(current);
            }
        }

        /// <summary>-Wait follows every job of the input together: one progress bar, one summary of skipped rows.</summary>
        protected override void EndProcessing()
        {
            if (_waiting.Count > 0)
                BulkWriteWaiter.WaitAndWrite(this, new BulkWriteService(ResolvedConnection), _waiting, Timeout > 0 ? TimeSpan.FromSeconds(Timeout) : (TimeSpan?)null, ProgressId);
        }
    }
}
