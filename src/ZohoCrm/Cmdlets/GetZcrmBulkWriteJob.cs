using System;
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
}
