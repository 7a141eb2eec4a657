using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ZohoCrm.Http;
using ZohoCrm.MassUpdate;

namespace ZohoCrm.Cmdlets
{
    /// <summary>Follows a mass update job with Write-Progress and writes its final state, then what went wrong, if anything.</summary>
    internal static class MassUpdateWaiter
    {
        public static void WaitAndWrite(ZcrmCmdlet cmdlet, MassUpdateService service, MassUpdateJob job, TimeSpan? timeout, int progressId)
        {
            Task<MassUpdateJob> outcome;
            try { outcome = Task.FromResult(cmdlet.Run(ct => WaitAsync(service, job, timeout, progressId, ct))); }
            catch (ZohoException ex) { outcome = Task.FromException<MassUpdateJob>(ex); }
            Write(cmdlet, job, outcome, progressId);
        }

        /// <summary>The wait, off the pipeline thread: polls until the job is finished, reporting its progress under <paramref name="progressId"/>.</summary>
        public static Task<MassUpdateJob> WaitAsync(MassUpdateService service, MassUpdateJob job, TimeSpan? timeout, int progressId, CancellationToken ct) =>
            service.WaitAsync(job, timeout, j =>
            {
                var record = new OperationProgress(progressId, Activity(job), $"{j.Status}: {j.UpdatedCount ?? 0} updated, {j.FailedCount ?? 0} failed, {j.NotUpdatedCount ?? 0} not updated of {j.TotalCount ?? 0}");
                if (j.TotalCount > 0) record.PercentComplete = (int)Math.Min(100, 100 * ((j.UpdatedCount ?? 0) + (j.FailedCount ?? 0)) / j.TotalCount.Value);
                OperationLog.Progress(record);
            }, ct);

        private static string Activity(MassUpdateJob job) => $"Mass update job {job.JobId} ({job.Module})";

        /// <summary>On the pipeline thread: the wait's outcome (a completed task) as output and errors.</summary>
        public static void Write(ZcrmCmdlet cmdlet, MassUpdateJob job, Task<MassUpdateJob> outcome, int progressId)
        {
            string activity = Activity(job);
            MassUpdateJob final;
            try
            {
                final = outcome.GetAwaiter().GetResult();
            }
            catch (WaitTimeoutException ex)
            {
                cmdlet.WriteProgress(new ProgressRecord(progressId, activity, "Timed out") { RecordType = ProgressRecordType.Completed });
                cmdlet.WriteObject(ex.Job);
                cmdlet.Report(ex, ex.Job);
                return;
            }
            catch (ZohoException ex)
            {
                // Following the job failed past its retries: the job goes on in Zoho.
                cmdlet.WriteProgress(new ProgressRecord(progressId, activity, "Stopped") { RecordType = ProgressRecordType.Completed });
                cmdlet.Report(ex, job);
                return;
            }
            cmdlet.WriteProgress(new ProgressRecord(progressId, activity, final.Status) { RecordType = ProgressRecordType.Completed });
            cmdlet.WriteObject(final);
            if (string.Equals(final.Status, "FAILED", StringComparison.OrdinalIgnoreCase))
                cmdlet.Report(new ZohoClientException("ZohoCrm.JobFailed", $"Mass update job {final.JobId} in {final.Module} ended FAILED: {final.UpdatedCount ?? 0} updated, {final.FailedCount ?? 0} failed, {final.NotUpdatedCount ?? 0} not updated.", ZohoErrorKind.InvalidResult), final);
            else if (final.FailedCount > 0)
            {
                string view = final.CustomViewId == null ? "" : $" in custom view {final.CustomViewId}";
                cmdlet.Report(RecordsFailedException.Of($"{final.Module} records{view} were not updated by mass update job {final.JobId}",
                    final.TotalCount ?? final.FailedCount.Value, final.FailedCount.Value, null,
                    "Zoho's job status gives counts, not which records."), final);
            }
        }
    }
}
