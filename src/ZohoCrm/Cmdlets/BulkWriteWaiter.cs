using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ZohoCrm.BulkWrite;
using ZohoCrm.Http;

namespace ZohoCrm.Cmdlets
{
    /// <summary>Follows bulk write jobs with Write-Progress (rows and percent) and writes their final state.</summary>
    internal static class BulkWriteWaiter
    {
        public static void WaitAndWrite(ZcrmCmdlet cmdlet, BulkWriteService service, List<BulkWriteJob> jobs, TimeSpan? timeout, int progressId)
        {
            string activity = jobs.Count == 1 ? $"Bulk write job {jobs[0].JobId}" : $"{jobs.Count} bulk write jobs";
            long expected = jobs.Sum(j => j.RowCount ?? 0);
            try
            {
                var final = cmdlet.Run(ct => service.WaitAsync(jobs, timeout, current =>
                {
                    long total = Math.Max(expected, current.Sum(j => j.TotalCount ?? 0));
                    long done = current.Sum(j => (j.AddedCount ?? 0) + (j.UpdatedCount ?? 0) + (j.SkippedCount ?? 0));
                    var record = new OperationProgress(progressId, activity,
                        $"{done} of {total} rows processed; " + string.Join(", ", current.GroupBy(j => j.Status).Select(g => $"{g.Count()} {g.Key}")));
                    if (total > 0) record.PercentComplete = (int)Math.Min(100, 100 * done / total);
                    OperationLog.Progress(record);
                }, ct));
                cmdlet.WriteProgress(new ProgressRecord(progressId, activity, "Done") { RecordType = ProgressRecordType.Completed });
                foreach (var job in final)
                {
                    cmdlet.WriteObject(job);
                    if (string.Equals(job.Status, "FAILED", StringComparison.OrdinalIgnoreCase))
                        cmdlet.WriteError(new ZohoClientException("ZohoCrm.JobFailed", $"Bulk write job {job.JobId} ({job.Module}{(job.FirstRow.HasValue ? $", rows {job.FirstRow}-{job.LastRow}" : "")}) ended FAILED: {job.AddedCount ?? 0} added, {job.UpdatedCount ?? 0} updated, {job.SkippedCount ?? 0} skipped. Get-ZcrmBulkWriteResult tells which rows.", ZohoErrorKind.InvalidResult), job);
                }
            }
            catch (WaitTimeoutException ex)
            {
                cmdlet.WriteProgress(new ProgressRecord(progressId, activity, "Timed out") { RecordType = ProgressRecordType.Completed });
                foreach (var job in (BulkWriteJob[])ex.Job) cmdlet.WriteObject(job);
                cmdlet.WriteError(ex, ex.Job);
            }
            catch (ZohoException ex)
            {
                // Polling failed past its retries: the jobs go on in Zoho; say which, so they can be followed again.
                cmdlet.WriteProgress(new ProgressRecord(progressId, activity, "Stopped") { RecordType = ProgressRecordType.Completed });
                foreach (var job in jobs) cmdlet.WriteObject(job);
                cmdlet.WriteError(ex, jobs.Select(j => j.JobId).ToArray());
            }
        }
    }
}
