using System.Globalization;
using System.Text;

namespace ZohoCrm.Emulator;

/// <summary>What an injected fault does to a request. "NOT processed" kinds answer before routing and authentication.</summary>
public enum FaultKind
{
    /// <summary>429 TOO_MANY_REQUESTS, not processed.</summary>
    TooManyRequests,
    /// <summary>429 TOO_MANY_REQUESTS plus the header <c>Retry-After: RetryAfterSeconds</c>, not processed.</summary>
    TooManyRequestsRetryAfterHeader,
    /// <summary>429 TOO_MANY_REQUESTS with <c>details.retry_after = RetryAfterSeconds</c> (no header), not processed.</summary>
    TooManyRequestsRetryAfterDetail,
    /// <summary>500 INTERNAL_ERROR, not processed.</summary>
    ServerError,
    /// <summary>503 with an HTML page, not processed.</summary>
    ServiceUnavailableHtml,
    /// <summary>502 with an HTML proxy error page, not processed.</summary>
    BadGatewayHtml,
    /// <summary>The connection is aborted without processing.</summary>
    DropBeforeProcessing,
    /// <summary>The request is processed (state changes) and then the connection is aborted instead of answering.</summary>
    DropAfterProcessing,
    /// <summary>Waits <see cref="FaultRule.Delay"/>, then processes normally.</summary>
    Slow,
    /// <summary>Expires every issued access token, then processes normally (so the caller gets 401 INVALID_TOKEN).</summary>
    ExpireTokens,
    /// <summary>HTTP 200 <c>{"error":"Access Denied",...}</c> as the token endpoint answers too many refreshes; nothing issued.</summary>
    AccessDenied,
    /// <summary>Processed; the real status and Content-Type are sent but only the first half of the body.</summary>
    TruncatedBody,
    /// <summary>HTTP 200, application/json, a body that is not JSON; not processed.</summary>
    NonJsonBody,
    /// <summary>Processed; a ZIP answer (application/zip) is damaged after its first 30 bytes. No effect on other answers.</summary>
    DamagedZip,
    /// <summary>302 to the same path and query on http://localhost:&lt;port&gt; (127.0.0.1 if called as localhost); not processed.</summary>
    RedirectToOtherHost,
    /// <summary>HTTP 200, application/json, chunked: a JSON array that never ends (until the caller goes away); not processed (HostileBodies.cs).</summary>
    EndlessJsonBody,
    /// <summary>HTTP 200, application/zip, chunked: ZIP-looking bytes that never end (until the caller goes away); not processed (HostileBodies.cs).</summary>
    EndlessDownload,
    /// <summary>Processed; the real status and headers, then the body one byte per <see cref="FaultRule.Delay"/> (default 1 s) (HostileBodies.cs).</summary>
    TrickleBody,
    /// <summary>401 AUTHENTICATION_FAILURE, whatever the token (a token Zoho no longer knows); not processed.</summary>
    AuthenticationFailure,
    /// <summary>401 INVALID_OAUTHTOKEN (a token of another data center, or past the active-token cap); not processed.</summary>
    InvalidOauthToken,
    /// <summary>400 INVALID_DATA whose message and details echo the request's access token in clear; not processed.</summary>
    EchoToken,
    /// <summary>
    /// Processed; a bulk write result ZIP answer loses data row <see cref="FaultRule.Row"/> of its CSV (the header
    /// stays). No effect on other answers, nor on a result with fewer data rows.
    /// </summary>
    ResultRowMissing,
    /// <summary>
    /// Processed; data rows <see cref="FaultRule.Row"/> and Row + 1 of a bulk write result ZIP answer's CSV change
    /// places. No effect on other answers, nor on a result with fewer data rows.
    /// </summary>
    ResultRowsSwapped,
}

/// <summary>
/// When to inject a fault: requests whose method equals <see cref="Method"/> (if set) and whose path contains
/// <see cref="PathContains"/> match. Of the matching requests the first <see cref="Skip"/> pass untouched, then each
/// gets the fault with <see cref="Probability"/> (seeded random), at most <see cref="Times"/> times.
/// </summary>
public sealed class FaultRule
{
    public FaultKind Kind { get; init; }

    /// <summary>HTTP method (case-insensitive); null = any method.</summary>
    public string? Method { get; init; }

    /// <summary>Ordinal substring of the request path (query excluded), e.g. "/actions/mass_update", "/oauth/v2/token", ".zip".</summary>
    public string PathContains { get; init; } = "";

    /// <summary>Share of matching requests that get the fault: &gt;= 1 always, &lt;= 0 never, otherwise a seeded draw.</summary>
    public double Probability { get; init; } = 1;

    /// <summary>Matching requests let through untouched before the rule can fire.</summary>
    public int Skip { get; init; }

    /// <summary>Fault at most this many requests, then the rule is spent; null = no limit.</summary>
    public int? Times { get; init; }

    /// <summary>Wait of <see cref="FaultKind.Slow"/>; the pause between the bytes of <see cref="FaultKind.TrickleBody"/>.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Seconds announced by the TooManyRequestsRetryAfter* kinds.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>The 1-based data row (header not counted) of the ResultRow* kinds; ResultRowsSwapped swaps it with the next.</summary>
    public int Row { get; init; } = 2;

    public override string ToString()
    {
        var sb = new StringBuilder(Kind.ToString());
        sb.Append(" on ").Append(Method ?? "*").Append(' ').Append(PathContains.Length == 0 ? "<any path>" : $"*{PathContains}*");
        if (Probability < 1)
        {
            sb.Append(" p=").Append(Probability.ToString(CultureInfo.InvariantCulture));
        }
        if (Skip > 0)
        {
            sb.Append(" skip=").Append(Skip.ToString(CultureInfo.InvariantCulture));
        }
        if (Times is { } t)
        {
            sb.Append(" times=").Append(t.ToString(CultureInfo.InvariantCulture));
        }
        if (Kind is FaultKind.Slow or FaultKind.TrickleBody)
        {
            sb.Append(" delay=").Append(Delay.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)).Append("ms");
        }
        if (Kind is FaultKind.TooManyRequestsRetryAfterHeader or FaultKind.TooManyRequestsRetryAfterDetail)
        {
            sb.Append(" retry-after=").Append(RetryAfterSeconds.ToString(CultureInfo.InvariantCulture)).Append('s');
        }
        if (Kind is FaultKind.ResultRowMissing or FaultKind.ResultRowsSwapped)
        {
            sb.Append(" row=").Append(Row.ToString(CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}

/// <summary>One fault that was applied to a request; the hostile-body kinds also say how many body bytes they sent.</summary>
public sealed record InjectedFault(DateTimeOffset Time, FaultKind Kind, string Method, string Path, long? BytesSent = null);
