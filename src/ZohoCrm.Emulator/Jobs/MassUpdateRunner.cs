namespace ZohoCrm.Emulator;

/// <summary>
/// Runs a scheduled mass update job in the background: SCHEDULED, then RUNNING after one step, then
/// <see cref="EmulatorOptions.JobRecordsPerStep"/> records a step until COMPLETED (FAILED on an error).
/// </summary>
internal sealed class MassUpdateRunner(RecordStore records, EmulatorOptions options)
{
    public async Task RunAsync(MassUpdateJob job, ModuleData module, CancellationToken ct)
    {
        try
        {
            await Task.Delay(options.JobStepDelay, ct).ConfigureAwait(false);
            lock (records.Gate)
            {
                job.Status = "RUNNING";
            }
            var perStep = Math.Max(1, options.JobRecordsPerStep);
            while (true)
            {
                await Task.Delay(options.JobStepDelay, ct).ConfigureAwait(false);
                lock (records.Gate)
                {
                    if (Step(job, module, perStep))
                    {
                        job.Status = "COMPLETED";
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // host disposed
        }
        catch (Exception)
        {
            lock (records.Gate)
            {
                job.Status = "FAILED";
            }
        }
    }

    /// <summary>Updates the next records (caller holds the gate); true once every record is done.</summary>
    private static bool Step(MassUpdateJob job, ModuleData module, int perStep)
    {
        var now = Zoho.Now();
        var end = Math.Min(job.RecordIds.Count, job.Processed + perStep);
        for (var i = job.Processed; i < end; i++)
        {
            if (module.ById.TryGetValue(job.RecordIds[i], out var record)
                && MassUpdateJobStore.Apply(module.Schema, record, job.Values, job.OverWrite, now).Result == RecordUpdateResult.Updated)
            {
                job.Updated++;
            }
            else
            {
                job.Failed++;
            }
        }
        job.Processed = end;
        return job.Processed >= job.RecordIds.Count;
    }
}
