namespace ZohoCrm.Emulator;

/// <summary>
/// The Zoho limits the emulator enforces, each named after the Zoho CRM API document it comes from (the facts and
/// their sources are collected in the shared notes, docs/zoho-api.md, sections 1, 3, 4 and 5; the captured seeds win
/// where they differ).
/// </summary>
internal static class ZohoLimits
{
    /// <summary>Record ids per mass update call (LIMIT_EXCEEDED above). Zoho CRM API docs, "Mass Update Records" (v2-v8).</summary>
    public const int MassUpdateIdsPerCall = 500;

    /// <summary>Fields per mass update call in most modules ("Max field limit exceeded" above). Same document.</summary>
    public const int MassUpdateFields = 1;

    /// <summary>Fields per mass update call in Deals. Same document.</summary>
    public const int MassUpdateFieldsDeals = 3;

    /// <summary>Data rows per bulk write file (LIMIT_EXCEEDED above). Zoho CRM API docs, "Bulk Write API": limitations.</summary>
    public const int BulkWriteRowsPerFile = 25_000;

    /// <summary>Columns per bulk write file (HEADER_LIMIT_EXCEEDED above). Same document.</summary>
    public const int BulkWriteColumnsPerFile = 200;

    /// <summary>
    /// Mapped columns a bulk write result CSV repeats before STATUS, RECORD_ID and ERRORS (the first ones by index).
    /// Zoho CRM API docs, "Bulk Write API": download the result (v2-v8).
    /// </summary>
    public const int BulkWriteResultKeyColumns = 3;

    /// <summary>
    /// Size of an uploaded (zipped) bulk write file (FILE_TOO_LARGE 413 above). Zoho CRM API docs, "Bulk Write API":
    /// limitations, and "Upload File".
    /// </summary>
    public const long BulkWriteUploadBytes = 25L * 1024 * 1024;

    /// <summary>
    /// Access tokens per refresh token per <see cref="TokenRefreshWindowMinutes"/> ("Access Denied" past that).
    /// Zoho Accounts / Zoho CRM API docs, "OAuth 2.0: Refresh Access Token" and its token limits.
    /// </summary>
    public const int TokenRefreshesPerWindow = 10;

    /// <summary>The window of <see cref="TokenRefreshesPerWindow"/>, in minutes. Same document.</summary>
    public const int TokenRefreshWindowMinutes = 10;

    /// <summary>Lifetime of an access token, in hours. Zoho CRM API docs, "OAuth 2.0: Access and Refresh Tokens".</summary>
    public const int AccessTokenLifetimeHours = 1;
}
