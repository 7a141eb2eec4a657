namespace ZohoCrm.Emulator;

/// <summary>Settings of one emulator instance. Defaults match what Program.cs prints.</summary>
public sealed class EmulatorOptions
{
    public string ClientId { get; set; } = "1000.EMULATORCLIENTID";
    public string ClientSecret { get; set; } = "emulator-client-secret";
    public string RefreshToken { get; set; } = "1000.emulator.refresh.token";

    /// <summary>Always valid, never expires, not affected by <see cref="EmulatorState.ExpireAllTokens"/>.</summary>
    public string StaticAccessToken { get; set; } = "1000.emulator.static.access.token";

    /// <summary>
    /// Access tokens starting with this are another data center's: every API call with one is 401 INVALID_OAUTHTOKEN
    /// (zoho-api.md section 5, "Tokens"), whether the emulator issued it or not.
    /// </summary>
    public const string OtherDataCenterTokenPrefix = "1000.otherdc.";

    /// <summary>
    /// The token endpoint issues tokens of another data center (<see cref="OtherDataCenterTokenPrefix"/>), as Zoho
    /// Accounts of one DC does for an API host of another: refreshing does not help (--other-dc-tokens).
    /// </summary>
    public bool IssueOtherDataCenterTokens { get; set; }

    /// <summary>Lifetime of tokens issued by the token endpoint.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(ZohoLimits.AccessTokenLifetimeHours);

    /// <summary>Token refreshes allowed per refresh token per <see cref="RefreshWindow"/>.</summary>
    public int RefreshLimit { get; set; } = ZohoLimits.TokenRefreshesPerWindow;
    public TimeSpan RefreshWindow { get; set; } = TimeSpan.FromMinutes(ZohoLimits.TokenRefreshWindowMinutes);

    /// <summary>Pace of scheduled (custom view) mass update jobs.</summary>
    public TimeSpan JobStepDelay { get; set; } = TimeSpan.FromMilliseconds(200);
    public int JobRecordsPerStep { get; set; } = 500;

    /// <summary>Extra sample Leads besides the seed records (the emulator's --generated-leads).</summary>
    public int GeneratedLeadCount { get; set; } = 2000;

    public string OrgId { get; set; } = "738964000000012345";

    /// <summary>Pace of bulk write jobs: ADDED -> INPROGRESS after one step, then up to <see cref="BulkRowsPerStep"/> rows per step.</summary>
    public TimeSpan BulkStepDelay { get; set; } = TimeSpan.FromMilliseconds(100);
    public int BulkRowsPerStep { get; set; } = 10000;

    /// <summary>Bulk write job status spelled "IN PROGRESS" (as some Zoho docs do) instead of "INPROGRESS".</summary>
    public bool InProgressWithSpace { get; set; }

    /// <summary>result.download_url as a path ("/v2/crm/{zgid}/bulk-write/...") instead of an absolute URL.</summary>
    public bool RelativeDownloadUrl { get; set; }

    /// <summary>Owner is mandatory in the Leads layout (the org captured in seed 003): bulk insert/upsert must map it.</summary>
    public bool LeadsOwnerMandatory { get; set; }

    /// <summary>
    /// HTTP status of ALREADY_SCHEDULED (mass update by a custom view that already has a job running): 400 as in the
    /// seeds, or 202 as Zoho's docs have it (zoho-api.md section 5, "Mass update"; --already-scheduled-status).
    /// </summary>
    public int AlreadyScheduledStatus { get; set; } = 400;

    /// <summary>
    /// How long a result download link stays valid after the job finished; null: for the emulator's life. Past it, or
    /// for a link of another org or job, the download answers 403 "Link not valid" (--result-link-lifetime).
    /// </summary>
    public TimeSpan? ResultLinkLifetime { get; set; }

    /// <summary>Largest accepted bulk write upload (FILE_TOO_LARGE 413 above).</summary>
    public long MaxUploadBytes { get; set; } = ZohoLimits.BulkWriteUploadBytes;

    /// <summary>The api_domain the token endpoint names (--token-api-domain); null: the emulator's own URL.</summary>
    public string? TokenApiDomain { get; set; }

    /// <summary>
    /// The token lacks the ZohoCRM.settings.* scopes: the metadata endpoints (settings/modules, settings/fields,
    /// settings/custom_views) answer 401 OAUTH_SCOPE_MISMATCH, everything else is unchanged (--no-settings-scope).
    /// </summary>
    public bool NoSettingsScope { get; set; }

    /// <summary>Seed of the random draws of fault rules with a Probability below 1 (see <see cref="EmulatorState.AddFault"/>).</summary>
    public int FaultSeed { get; set; } = 12345;
}
