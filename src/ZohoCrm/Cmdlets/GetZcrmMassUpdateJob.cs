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
    public sealed class GetZcrmMassUpdateJob : ZcrmApiCmdlet, IDisposable
    {
        private const int ProgressId = 0x5a02;
        /// <summary>With -Wait, how many jobs are followed at once (each poll is a light GET).</summary>
        internal const int ConcurrentWaits = 5;
        /// <summary>With -Wait: the jobs being followed, written in input order as they finish.</summary>
        private OrderedCalls<MassUpdateJob, MassUpdateJob> _waits;
        private int _waitCount;
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

        protected override void EndProcessing()
        {
            if (_waits != null) WriteFinished(true);
        }

        private void WriteJob(MassUpdateJob job)
        {
            var service = new MassUpdateService(ResolvedConnection, job.Module);
            if (Wait)
            {
                // Several jobs are followed at once, each with a progress bar of its own; output keeps the input's order.
                _waits = _waits ?? new OrderedCalls<MassUpdateJob, MassUpdateJob>(this, ConcurrentWaits, ConcurrentWaits);
                WriteFinished(false);
                while (_waits.Full) WriteFinished(false, true);
                var timeout = Timeout > 0 ? TimeSpan.FromSeconds(Timeout) : (TimeSpan?)null;
                int progressId = ProgressIdOf(_waitCount++);
                _waits.Start(job, ct => MassUpdateWaiter.WaitAsync(service, job, timeout, progressId, ct));
                return;
            }
            try
            {
                WriteObject(Run(ct => service.GetJobAsync(job.JobId, job.CustomViewId, ct)));
            }
            catch (ZohoException ex) { Report(ex, job); }
        }

        /// <summary>The first job's id is the cmdlet's own; the others get their own bar (256 ids, reused in turn).</summary>
        private static int ProgressIdOf(int n) => n == 0 ? ProgressId : (ProgressId << 8) + (n & 0xff);

        /// <summary>The waits that have ended, in input order (<paramref name="all"/>: every one; <paramref name="one"/>: the oldest, waiting for it).</summary>
        private void WriteFinished(bool all, bool one = false)
        {
            while (_waits.TryTake(all || one, out var job, out var outcome))
            {
                MassUpdateWaiter.Write(this, job, outcome, ProgressIdOf(_written));
                _written++;
                if (one) return;
            }
        }

        private int _written;

        public void Dispose() => _waits?.Dispose();
    }
}
