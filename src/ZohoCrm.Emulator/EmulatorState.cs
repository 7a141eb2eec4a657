namespace ZohoCrm.Emulator;

/// <summary>
/// Everything one emulator holds, as stores apart (records, tokens, mass update and bulk write jobs, uploads, the
/// request and callback logs, fault rules) plus the background job runners; this class ties them together and keeps
/// the public API tests and tools read. Thread-safe.
/// </summary>
public sealed class EmulatorState
{
    /// <summary>The org's zgid (GET /crm/{v}/org, the X-CRM-ORG of uploads, the result download path).</summary>
    internal const string Zgid = "738964001";

    private readonly BackgroundJobs _jobs = new();
    private readonly MassUpdateRunner _massUpdateRunner;
    private readonly BulkWriteRunner _bulkWriteRunner;

    internal EmulatorState(EmulatorOptions options)
    {
        Options = options;
        Records = new RecordStore(options);
        Tokens = new TokenStore(options);
        MassUpdates = new MassUpdateJobStore(Records);
        BulkJobs = new BulkWriteJobStore(Records.Gate, options);
        Faults = new FaultInjector(options.FaultSeed);
        _massUpdateRunner = new MassUpdateRunner(Records, options);
        _bulkWriteRunner = new BulkWriteRunner(this, new BulkRowWriter(Records, options));
    }

    internal EmulatorOptions Options { get; }
    internal RecordStore Records { get; }
    internal TokenStore Tokens { get; }
    internal MassUpdateJobStore MassUpdates { get; }
    internal BulkWriteJobStore BulkJobs { get; }
    internal UploadStore Uploads { get; } = new();
    internal RequestLog RequestLog { get; } = new();
    internal CallbackLog CallbackLog { get; } = new();
    internal FaultInjector Faults { get; }

    /// <summary>Mass update calls in flight now, and the most seen at once since the last reset.</summary>
    internal MassUpdateConcurrency MassUpdateConcurrency { get; } = new();

    internal Dictionary<string, ModuleData> Modules => Records.Modules;

    /// <summary>The emulator's base URL without trailing slash (the token endpoint's api_domain).</summary>
    internal string ApiDomain { get; set; } = "";

    internal void StartMassUpdate(MassUpdateJob job, ModuleData module) =>
        _jobs.Start(ct => _massUpdateRunner.RunAsync(job, module, ct));

    /// <summary>Marks the job's file used and starts the job; false if another job took the file meanwhile.</summary>
    internal bool StartBulkJob(BulkWriteJob job)
    {
        if (!Uploads.TryUse(job.FileId))
        {
            return false;
        }
        BulkJobs.Add(job);
        _jobs.Start(ct => _bulkWriteRunner.RunAsync(job, ct));
        return true;
    }

    /// <summary>Stops background jobs (host disposal).</summary>
    internal Task ShutdownAsync() => _jobs.ShutdownAsync();

    // ---------------------------------------------------------------- public API

    /// <summary>Snapshot copy, in arrival order: all requests incl. token endpoint and rejected ones.</summary>
    public IReadOnlyList<RecordedRequest> Requests => RequestLog.Snapshot();

    public void ClearRequests() => RequestLog.Clear();

    public IReadOnlyDictionary<string, object?>? GetRecord(string module, string id) => Records.Get(module, id);

    public IReadOnlyList<IReadOnlyDictionary<string, object?>> GetRecords(string module) => Records.GetAll(module);

    /// <summary>Ids of all Leads in creation order (seed ones first).</summary>
    public IReadOnlyList<string> GetLeadIds() => Records.Ids("Leads");

    /// <summary>Successful token refreshes.</summary>
    public int TokensIssued => Tokens.Issued;

    /// <summary>Every issued token (not the static one) becomes expired: calls with it get INVALID_TOKEN.</summary>
    public void ExpireAllTokens() => Tokens.ExpireAll();

    /// <summary>Status, TotalCount, UpdatedCount, NotUpdatedCount, FailedCount, Module, CustomViewId; null if unknown.</summary>
    public MassUpdateJobSnapshot? GetMassUpdateJob(string jobId) => MassUpdates.Snapshot(jobId);

    /// <summary>Successful uploads through the upload endpoint (the seed's pre-uploaded files not counted).</summary>
    public int UploadCount => Uploads.Count;

    /// <summary>A copy of an uploaded ZIP (seed files included); null if unknown.</summary>
    public byte[]? GetUploadedFile(string fileId) => Uploads.CopyBytes(fileId);

    /// <summary>A bulk write job (the seed's INPROGRESS job too); null if unknown.</summary>
    public BulkWriteJobSnapshot? GetBulkWriteJob(string jobId) => BulkJobs.Snapshot(jobId);

    /// <summary>Jobs created through the API, in creation order (not the seed's job).</summary>
    public IReadOnlyList<BulkWriteJobSnapshot> GetBulkWriteJobs() => BulkJobs.All();

    /// <summary>Snapshot copy, in order: every bulk write callback, sent or not.</summary>
    public IReadOnlyList<RecordedCallback> Callbacks => CallbackLog.Snapshot();

    /// <summary>Adds a fault rule (checked after the ones added before it); returns its id for <see cref="RemoveFault"/>.</summary>
    public int AddFault(FaultRule rule) => Faults.Add(rule);

    public void RemoveFault(int id) => Faults.Remove(id);

    /// <summary>Removes every rule (the <see cref="InjectedFaults"/> log is kept).</summary>
    public void ClearFaults() => Faults.Clear();

    /// <summary>Every fault applied, in order.</summary>
    public IReadOnlyList<InjectedFault> InjectedFaults => Faults.Log;
}
