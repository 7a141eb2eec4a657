using System;
using System.Management.Automation;
using ZohoCrm.MassUpdate;

namespace ZohoCrm.Cmdlets
{
    /// <summary>Gets the state of a mass update job; -Wait follows it until it is COMPLETED or FAILED.</summary>
    [Cmdlet(VerbsCommon.Get, "ZcrmMassUpdateJob")]
    [OutputType(typeof(MassUpdateJob))]
    public sealed class GetZcrmMassUpdateJob : ZcrmApiCmdlet
    {
        private const int ProgressId = 0x5a02;

        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateModuleName]
        public string Module { get; set; }

        [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
        [ZohoIdTransformation]
        [ValidateZohoId]
        public string JobId { get; set; }

        /// <summary>Carried along from a piped job object, so the output still names the view.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
        public string CustomViewId { get; set; }

        [Parameter]
        public SwitchParameter Wait { get; set; }

        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Timeout { get; set; }

        protected override void ProcessRecord()
        {
            RequireWaitForTimeout(Wait);
            var service = new MassUpdateService(ResolvedConnection, Module);
            var job = new MassUpdateJob { Module = Module, JobId = JobId, CustomViewId = CustomViewId };
            if (Wait)
            {
                MassUpdateWaiter.WaitAndWrite(this, service, job, Timeout > 0 ? TimeSpan.FromSeconds(Timeout) : (TimeSpan?)null, ProgressId);
                return;
            }
            try
            {
                WriteObject(Run(ct => service.GetJobAsync(JobId, CustomViewId, ct)));
            }
            catch (ZohoException ex) { Report(ex, job); }
        }
    }
}
