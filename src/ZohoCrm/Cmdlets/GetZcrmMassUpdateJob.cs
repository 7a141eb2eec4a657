using System;
using System.Linq;
using System.Management.Automation;
using ZohoCrm.MassUpdate;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// Gets the state of a mass update job; -Wait follows it until it is COMPLETED or FAILED. A job object piped in (or
    /// given to -InputObject) keeps its CustomViewId.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ZcrmMassUpdateJob", DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(MassUpdateJob))]
    public sealed class GetZcrmMassUpdateJob : ZcrmApiCmdlet
    {
        private const int ProgressId = 0x5a02;
        private const string IdSet = "Id";
        private const string InputObjectSet = "InputObject";

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
        [ValidateModuleName]
        [ArgumentCompleter(typeof(ModuleCompleter))]
        public string Module { get; set; }

        [Parameter(Mandatory = true, Position = 1, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
        [ZohoIdTransformation]
        [ValidateZohoId]
        [ArgumentCompleter(typeof(JobIdCompleter))]
        public string JobId { get; set; }

        /// <summary>Jobs of Invoke-ZcrmMassUpdate -CustomViewId or Get-ZcrmMassUpdateJob, also as Import-Clixml or Receive-Job gives them back.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        [DeserializedJobTransformation(typeof(MassUpdateJob))]
        [ValidateNotNullOrEmpty]
        public MassUpdateJob[] InputObject { get; set; }

        [Parameter]
        public SwitchParameter Wait { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Timeout { get; set; }

        protected override void ProcessRecord()
        {
            RequireWaitForTimeout(Wait);
            var jobs = ParameterSetName == InputObjectSet
                ? InputObject.Select(j => new MassUpdateJob { Module = j.Module, JobId = j.JobId, CustomViewId = j.CustomViewId })
                : new[] { new MassUpdateJob { Module = Module, JobId = JobId } };
            foreach (var job in jobs) WriteJob(job);
        }

        private void WriteJob(MassUpdateJob job)
        {
            var service = new MassUpdateService(ResolvedConnection, job.Module);
            if (Wait)
            {
                MassUpdateWaiter.WaitAndWrite(this, service, job, Timeout > 0 ? TimeSpan.FromSeconds(Timeout) : (TimeSpan?)null, ProgressId);
                return;
            }
            try
            {
                WriteObject(Run(ct => service.GetJobAsync(job.JobId, job.CustomViewId, ct)));
            }
            catch (ZohoException ex) { Report(ex, job); }
        }
    }
}
