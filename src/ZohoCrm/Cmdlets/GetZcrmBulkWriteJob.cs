using System;
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

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ZohoIdTransformation]
        [ValidateZohoId]
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
            if (Wait)
            {
                try
                {
                    // A first look, so an unknown job is an error before waiting.
                    for (int i = 0; i < known.Count; i++) { int n = i; known[n] = BulkWriteService.Merge(known[n], Run(ct => service.GetJobAsync(known[n].JobId, ct))); }
                }
                catch (ZohoException ex) { WriteError(ex, known.Select(j => j.JobId).ToArray()); return; }
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
