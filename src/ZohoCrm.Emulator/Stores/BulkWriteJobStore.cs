using System.Globalization;

namespace ZohoCrm.Emulator;

/// <summary>What a result download link leads to.</summary>
internal enum ResultLink { Valid, NotReady, NotValid }

/// <summary>
/// Bulk write jobs created through the API, in creation order, plus the seed's INPROGRESS job. Job fields change
/// under <paramref name="gate"/> (the record store's), as the job loop writes records and counts in one step.
/// </summary>
internal sealed class BulkWriteJobStore(Lock gate, EmulatorOptions options)
{
    private const long FirstBulkJobId = 738964000004000000;

    /// <summary>The user of the seed's job answers (created_by), also an Owner a CSV may name.</summary>
    public const string UserId = "4150868000000225013";

    private readonly Dictionary<string, BulkWriteJob> _jobs = new(StringComparer.Ordinal);
    private readonly List<BulkWriteJob> _order = new();
    private long _lastJobId = FirstBulkJobId;

    public string NextId() => Interlocked.Increment(ref _lastJobId).ToString(CultureInfo.InvariantCulture);

    public void Add(BulkWriteJob job)
    {
        lock (gate)
        {
            _jobs.Add(job.Id, job);
            _order.Add(job);
        }
    }

    /// <summary>Runs <paramref name="read"/> on the job under the gate; default if unknown (the seed's job is not here).</summary>
    public T? Read<T>(string jobId, Func<BulkWriteJob, T> read)
    {
        lock (gate)
        {
            return _jobs.TryGetValue(jobId, out var j) ? read(j) : default;
        }
    }

    /// <summary>A job (the seed's INPROGRESS job too); null if unknown.</summary>
    public BulkWriteJobSnapshot? Snapshot(string jobId) =>
        jobId == SeedData.BulkWriteJobId
            ? new BulkWriteJobSnapshot(jobId, "Leads", "insert", BulkWriteJob.InProgress, "", 0, 0, 0, 0, null, true, "https://www.zoho.com/in/crm/")
            : Read(jobId, Snapshot);

    /// <summary>Jobs created through the API, in creation order (not the seed's job).</summary>
    public IReadOnlyList<BulkWriteJobSnapshot> All()
    {
        lock (gate)
        {
            return _order.Select(Snapshot).ToArray();
        }
    }

    /// <summary>The result ZIP of a finished job; null if unknown or not finished.</summary>
    public byte[]? Result(string jobId) => Read(jobId, j => j.Result);

    /// <summary>
    /// What a result link of <paramref name="jobId"/> leads to now: the ZIP, nothing yet (the job runs), or nothing
    /// any more (an unknown job, or a link older than <see cref="EmulatorOptions.ResultLinkLifetime"/>).
    /// </summary>
    public (ResultLink Link, byte[]? Zip) ResultLinkOf(string jobId)
    {
        if (jobId == SeedData.BulkWriteJobId)
        {
            return (ResultLink.NotReady, null);
        }
        lock (gate)
        {
            if (!_jobs.TryGetValue(jobId, out var j))
            {
                return (ResultLink.NotValid, null);
            }
            if (j.Result is not { } zip || j.FinishedAt is not { } finished)
            {
                return (ResultLink.NotReady, null);
            }
            return options.ResultLinkLifetime is { } lifetime && DateTimeOffset.UtcNow - finished >= lifetime
                ? (ResultLink.NotValid, null)
                : (ResultLink.Valid, zip);
        }
    }

    /// <summary>INPROGRESS as "IN PROGRESS" when the options say so (as some Zoho docs spell it).</summary>
    public string SpellStatus(string status) =>
        status == BulkWriteJob.InProgress && options.InProgressWithSpace ? "IN PROGRESS" : status;

    private BulkWriteJobSnapshot Snapshot(BulkWriteJob j) =>
        new(j.Id, j.Module.Schema.ApiName, j.Operation, SpellStatus(j.Status), j.FileId, j.TotalCount,
            j.AddedCount, j.UpdatedCount, j.SkippedCount, j.FindBy, j.IgnoreEmpty, j.CallbackUrl);
}
