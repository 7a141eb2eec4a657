using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ZohoCrm.BulkWrite;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// Gets bulk write jobs: status, counts and, when done, the download URL and field mappings. A job object piped in
    /// (or given to -InputObject) keeps what only its creator knows (FirstRow, LastRow, RowCount, SourcePath).
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ZcrmBulkWriteJob", DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(BulkWriteJob))]
    public sealed class GetZcrmBulkWriteJob : ZcrmApiCmdlet
    {
        private const int ProgressId = 0x5b02;
        private const string IdSet = "Id";
        private const string InputObjectSet = "InputObject";
        private readonly List<BulkWriteJob> _waiting = new List<BulkWriteJob>();

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ZohoIdTransformation]
        [ValidateZohoId]
        [ArgumentCompleter(typeof(JobIdCompleter))]
        public string[] JobId { get; set; }

        /// <summary>Jobs of New-ZcrmBulkWriteJob or Get-ZcrmBulkWriteJob, also as Import-Clixml or Receive-Job gives them back.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        [DeserializedJobTransformation(typeof(BulkWriteJob))]
        [ValidateNotNullOrEmpty]
        public BulkWriteJob[] InputObject { get; set; }

        [Parameter]
        public SwitchParameter Wait { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Timeout { get; set; }

        protected override void ProcessRecord()
        {
            RequireWaitForTimeout(Wait);
            var service = new BulkWriteService(ResolvedConnection);
            // A job object carries its own rows and file; a bare id knows none.
            var known = ParameterSetName == InputObjectSet ? InputObject.ToList() : JobId.Select(id => new BulkWriteJob { JobId = id }).ToList();
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
