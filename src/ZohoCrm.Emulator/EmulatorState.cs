namespace ZohoCrm.Emulator;

/// <summary>The state of a scheduled mass update job.</summary>
public sealed record MassUpdateJobSnapshot(
    string JobId,
    string Module,
    string CustomViewId,
    string Status,
    int TotalCount,
    int UpdatedCount,
    int NotUpdatedCount,
    int FailedCount);

/// <summary>Everything the emulator holds: records, tokens, jobs and the request log. Thread-safe.</summary>
public sealed partial class EmulatorState
{
    private readonly Lock _gate = new();          // records, jobs

    internal EmulatorState(EmulatorOptions options)
    {
        Options = options;
        Modules = ZohoSchema.CreateModules().ToDictionary(m => m.ApiName, m => new ModuleData(m), StringComparer.Ordinal);
        CustomViews = ZohoSchema.CreateCustomViews().ToDictionary(v => v.Id, StringComparer.Ordinal);
        Territories = ZohoSchema.CreateTerritories().ToDictionary(t => t.Id, StringComparer.Ordinal);
        SeedData.Populate(Modules, options);
        SeedBulkWrite();
        Faults = new FaultInjector(options.FaultSeed);
        Tokens = new TokenStore(options);
    }

    internal TokenStore Tokens { get; }
    internal RequestLog RequestLog { get; } = new();

    internal EmulatorOptions Options { get; }
    internal Dictionary<string, ModuleData> Modules { get; }
    internal Dictionary<string, CustomView> CustomViews { get; }
    internal Dictionary<string, Territory> Territories { get; }

    /// <summary>The emulator's base URL without trailing slash (the token endpoint's api_domain).</summary>
    internal string ApiDomain { get; set; } = "";

    // ---------------------------------------------------------------- requests

    /// <summary>Snapshot copy, in arrival order: all requests incl. token endpoint and rejected ones.</summary>
    public IReadOnlyList<RecordedRequest> Requests => RequestLog.Snapshot();

    public void ClearRequests() => RequestLog.Clear();

    // ---------------------------------------------------------------- records

    public IReadOnlyDictionary<string, object?>? GetRecord(string module, string id)
    {
        lock (_gate)
        {
            return Modules.TryGetValue(module, out var m) && m.ById.TryGetValue(id, out var r) ? r.Snapshot() : null;
        }
    }

    public IReadOnlyList<IReadOnlyDictionary<string, object?>> GetRecords(string module)
    {
        lock (_gate)
        {
            return Modules.TryGetValue(module, out var m)
                ? m.Records.Select(r => r.Snapshot()).ToArray()
                : Array.Empty<IReadOnlyDictionary<string, object?>>();
        }
    }

    /// <summary>Ids of all Leads in creation order (seed ones first).</summary>
    public IReadOnlyList<string> GetLeadIds()
    {
        lock (_gate)
        {
            return Modules["Leads"].Records.Select(r => r.Id).ToArray();
        }
    }

    // ---------------------------------------------------------------- tokens

    /// <summary>Successful token refreshes.</summary>
    public int TokensIssued => Tokens.Issued;

    /// <summary>Every issued token (not the static one) becomes expired: calls with it get INVALID_TOKEN.</summary>
    public void ExpireAllTokens() => Tokens.ExpireAll();
}
