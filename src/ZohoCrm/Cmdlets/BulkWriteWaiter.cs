using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ZohoCrm.BulkWrite;
using ZohoCrm.Http;

namespace ZohoCrm.Cmdlets
{
    /// <summary>
    /// Follows bulk write jobs with Write-Progress (rows and percent), writes their final states, then what went wrong:
    /// one error per FAILED job and one summary of the rows Zoho skipped, after all the jobs, so a pipeline
    /// (| Get-ZcrmBulkWriteResult) sees every job even under -ErrorAction Stop. Returns the final jobs (null if the wait stopped).
    /// </summary>
    internal static class BulkWriteWaiter
    {
        public static BulkWriteJob[] WaitAndWrite(ZcrmCmdlet cmdlet, BulkWriteService service, List<BulkWriteJob> jobs, TimeSpan? timeout, int progressId)
        {
            string activity = jobs.Count == 1 ? $"Bulk write job {jobs[0].JobId}" : $"{jobs.Count} bulk write jobs";
            long expected = jobs.Sum(j => j.RowCount ?? 0);
            BulkWriteJob[] final;
            try
            {
                final = cmdlet.Run(ct => service.WaitAsync(jobs, timeout, current =>
                {
                    long total = Math.Max(expected, current.Sum(j => j.TotalCount ?? 0));
                    long done = current.Sum(j => (j.AddedCount ?? 0) + (j.UpdatedCount ?? 0) + (j.SkippedCount ?? 0));
                    var record = new OperationProgress(progressId, activity,
                        $"{done} of {total} rows processed; " + string.Join(", ", current.GroupBy(j => j.Status).Select(g => $"{g.Count()} {g.Key}")));
                    if (total > 0) record.PercentComplete = (int)Math.Min(100, 100 * done / total);
                    OperationLog.Progress(record);
                }, ct)).ToArray();
            }
            catch (WaitTimeoutException ex)
            {
                cmdlet.WriteProgress(new ProgressRecord(progressId, activity, "Timed out") { RecordType = ProgressRecordType.Completed });
                foreach (var job in (BulkWriteJob[])ex.Job) cmdlet.WriteObject(job);
                cmdlet.Report(ex, ex.Job);
                return null;
            }
            catch (ZohoException ex)
            {
                // Polling failed past its retries: the jobs go on in Zoho; say which, so they can be followed again.
                cmdlet.WriteProgress(new ProgressRecord(progressId, activity, "Stopped") { RecordType = ProgressRecordType.Completed });
                foreach (var job in jobs) cmdlet.WriteObject(job);
                cmdlet.Report(ex, jobs.Select(j => j.JobId).ToArray());
                return null;
            }
            cmdlet.WriteProgress(new ProgressRecord(progressId, activity, "Done") { RecordType = ProgressRecordType.Completed });
            foreach (var job in final) cmdlet.WriteObject(job);
            var failed = final.Where(j => string.Equals(j.Status, "FAILED", StringComparison.OrdinalIgnoreCase)).ToList();
            foreach (var job in failed)
                cmdlet.Report(new ZohoClientException("ZohoCrm.JobFailed", $"Bulk write job {job.JobId} ({job.Module}{Rows(job)}) ended FAILED: {job.AddedCount ?? 0} added, {job.UpdatedCount ?? 0} updated, {job.SkippedCount ?? 0} skipped. Get-ZcrmBulkWriteResult tells which rows.", ZohoErrorKind.InvalidResult), job);
            // Rows of a FAILED job are in its error already: each row is reported once.
            var skipping = final.Except(failed).Where(j => j.SkippedCount > 0).ToArray();
            if (skipping.Length == 0) return final;
            long skipped = skipping.Sum(j => j.SkippedCount.Value);
            long total = final.Except(failed).Sum(j => j.TotalCount ?? j.RowCount ?? 0);
            string module = skipping[0].Module;
            string which = skipping.Length == 1 ? $"job {skipping[0].JobId}{Rows(skipping[0])}" : $"{skipping.Length} jobs ({string.Join(", ", skipping.Select(j => j.JobId))})";
            cmdlet.Report(RecordsFailedException.Of($"{module} rows were skipped by bulk write {which}", Math.Max(total, skipped), skipped, null,
                "Pipe the jobs to Get-ZcrmBulkWriteResult for each row's Status and Errors."), skipping);
            return final;
        }

        private static string Rows(BulkWriteJob job) => job.FirstRow.HasValue ? $", rows {job.FirstRow}-{job.LastRow}" : "";
    }
}
