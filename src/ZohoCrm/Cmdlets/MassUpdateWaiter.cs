using System;
using System.Management.Automation;
using ZohoCrm.Http;
using ZohoCrm.MassUpdate;

namespace ZohoCrm.Cmdlets
{
    /// <summary>Follows a mass update job with Write-Progress and writes its final state.</summary>
    internal static class MassUpdateWaiter
    {
        public static void WaitAndWrite(ZcrmCmdlet cmdlet, MassUpdateService service, MassUpdateJob job, TimeSpan? timeout, int progressId)
        {
            string activity = $"Mass update job {job.JobId} ({job.Module})";
            try
            {
                var final = cmdlet.Run(ct => service.WaitAsync(job, timeout, j =>
                {
                    var record = new OperationProgress(progressId, activity, $"{j.Status}: {j.UpdatedCount ?? 0} updated, {j.FailedCount ?? 0} failed, {j.NotUpdatedCount ?? 0} pending of {j.TotalCount ?? 0}");
                    if (j.TotalCount > 0) record.PercentComplete = (int)Math.Min(100, 100 * ((j.UpdatedCount ?? 0) + (j.FailedCount ?? 0)) / j.TotalCount.Value);
                    OperationLog.Progress(record);
                }, ct));
                cmdlet.WriteProgress(new ProgressRecord(progressId, activity, final.Status) { RecordType = ProgressRecordType.Completed });
                cmdlet.WriteObject(final);
                if (string.Equals(final.Status, "FAILED", StringComparison.OrdinalIgnoreCase))
                    cmdlet.WriteError(new ZohoClientException("ZohoCrm.JobFailed", $"Mass update job {final.JobId} in {final.Module} ended FAILED: {final.UpdatedCount ?? 0} updated, {final.FailedCount ?? 0} failed, {final.NotUpdatedCount ?? 0} not updated.", ZohoErrorKind.InvalidResult), final);
            }
            catch (WaitTimeoutException ex)
            {
                cmdlet.WriteProgress(new ProgressRecord(progressId, activity, "Timed out") { RecordType = ProgressRecordType.Completed });
                cmdlet.WriteObject(ex.Job);
                cmdlet.WriteError(ex, ex.Job);
            }
            catch (ZohoException ex) { cmdlet.ThrowTerminating(ex, job); }
        }
    }
}
