using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

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

    /// <summary>Wait of <see cref="FaultKind.Slow"/>.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>Seconds announced by the TooManyRequestsRetryAfter* kinds.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

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
        if (Kind == FaultKind.Slow)
        {
            sb.Append(" delay=").Append(Delay.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)).Append("ms");
        }
        if (Kind is FaultKind.TooManyRequestsRetryAfterHeader or FaultKind.TooManyRequestsRetryAfterDetail)
        {
            sb.Append(" retry-after=").Append(RetryAfterSeconds.ToString(CultureInfo.InvariantCulture)).Append('s');
        }
        return sb.ToString();
    }
}

/// <summary>One fault that was applied to a request.</summary>
public sealed record InjectedFault(DateTimeOffset Time, FaultKind Kind, string Method, string Path);

public sealed partial class EmulatorState
{
    internal FaultInjector Faults { get; }

    /// <summary>Adds a rule (checked after the ones added before it); returns its id for <see cref="RemoveFault"/>.</summary>
    public int AddFault(FaultRule rule) => Faults.Add(rule);

    public void RemoveFault(int id) => Faults.Remove(id);

    /// <summary>Removes every rule (the <see cref="InjectedFaults"/> log is kept).</summary>
    public void ClearFaults() => Faults.Clear();

    /// <summary>Every fault applied, in order.</summary>
    public IReadOnlyList<InjectedFault> InjectedFaults => Faults.Log;
}

/// <summary>The fault rules of one emulator instance, their counters, the seeded random and the log. Thread-safe.</summary>
internal sealed class FaultInjector(int seed)
{
    private readonly Lock _gate = new();
    private readonly Random _random = new(seed);
    private readonly List<ActiveRule> _rules = new();
    private readonly List<InjectedFault> _log = new();
    private int _lastId;

    /// <summary>Called (outside the lock) for every applied fault; Program prints them.</summary>
    public Action<InjectedFault>? Applied { get; set; }

    public int Seed => seed;

    public int Add(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (!Enum.IsDefined(rule.Kind))
        {
            throw new ArgumentOutOfRangeException(nameof(rule), $"Unknown fault kind {(int)rule.Kind}.");
        }
        lock (_gate)
        {
            var id = ++_lastId;
            _rules.Add(new ActiveRule(id, rule) { TimesLeft = rule.Times });
            return id;
        }
    }

    public void Remove(int id)
    {
        lock (_gate)
        {
            _rules.RemoveAll(r => r.Id == id);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
        }
    }

    public IReadOnlyList<FaultRule> Rules
    {
        get
        {
            lock (_gate)
            {
                return _rules.Select(r => r.Rule).ToArray();
            }
        }
    }

    public IReadOnlyList<InjectedFault> Log
    {
        get
        {
            lock (_gate)
            {
                return _log.ToArray();
            }
        }
    }

    /// <summary>The fault for this request, if a rule matches and fires (its Skip and Times counters move on).</summary>
    public FiredFault? Decide(string method, string path)
    {
        lock (_gate)
        {
            foreach (var r in _rules)
            {
                if ((r.Rule.Method is { } m && !string.Equals(m, method, StringComparison.OrdinalIgnoreCase))
                    || !path.Contains(r.Rule.PathContains, StringComparison.Ordinal))
                {
                    continue;
                }
                if (r.Skipped < r.Rule.Skip)
                {
                    r.Skipped++;
                    continue;
                }
                if (r.TimesLeft <= 0)
                {
                    continue;
                }
                var p = r.Rule.Probability;
                var fires = p >= 1 || (p > 0 && _random.NextDouble() < p);
                if (!fires)
                {
                    continue;
                }
                if (r.TimesLeft is { } left)
                {
                    r.TimesLeft = left - 1;
                }
                return new FiredFault(r.Id, r.Rule);
            }
            return null;
        }
    }

    /// <summary>Gives a fired fault that turned out not to apply (DamagedZip on a non-ZIP answer) its turn back.</summary>
    public void Refund(FiredFault fault)
    {
        lock (_gate)
        {
            if (_rules.FirstOrDefault(r => r.Id == fault.RuleId) is { TimesLeft: { } left } r)
            {
                r.TimesLeft = left + 1;
            }
        }
    }

    public void Record(FaultKind kind, string method, string path)
    {
        var f = new InjectedFault(DateTimeOffset.UtcNow, kind, method, path);
        lock (_gate)
        {
            _log.Add(f);
        }
        Applied?.Invoke(f);
    }

    private sealed class ActiveRule(int id, FaultRule rule)
    {
        public int Id => id;
        public FaultRule Rule => rule;
        public int Skipped;
        public int? TimesLeft;
    }
}

internal readonly record struct FiredFault(int RuleId, FaultRule Rule)
{
    public FaultKind Kind => Rule.Kind;

    /// <summary>Kinds that answer (or drop) instead of processing, before routing and authentication.</summary>
    public bool ReplacesProcessing => Kind is not (FaultKind.DropAfterProcessing or FaultKind.Slow or FaultKind.ExpireTokens
        or FaultKind.TruncatedBody or FaultKind.DamagedZip);
}

/// <summary>The answers and alterations of the fault kinds.</summary>
internal static class FaultResponses
{
    public const string ServiceUnavailablePage =
        "<html><head><title>503 Service Unavailable</title></head><body>Service Unavailable</body></html>";

    public const string BadGatewayPage =
        "<html><head><title>502 Proxy Error</title></head><body><h1>Proxy Error</h1>"
        + "<p>The proxy server received an invalid response from an upstream server.</p></body></html>";

    public const string NonJson = "<<not json>> {";

    public const int ZipBytesKept = 30;

    /// <summary>Writes the answer of a kind that replaces processing; returns the status sent (0 when dropped).</summary>
    public static async Task<int> ReplaceAsync(HttpContext ctx, FaultRule rule)
    {
        switch (rule.Kind)
        {
            case FaultKind.TooManyRequests:
                await HttpWrite.JsonAsync(ctx, 429, TooManyRequests(null)).ConfigureAwait(false);
                return 429;
            case FaultKind.TooManyRequestsRetryAfterHeader:
                ctx.Response.Headers.RetryAfter = rule.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await HttpWrite.JsonAsync(ctx, 429, TooManyRequests(null)).ConfigureAwait(false);
                return 429;
            case FaultKind.TooManyRequestsRetryAfterDetail:
                await HttpWrite.JsonAsync(ctx, 429, TooManyRequests(rule.RetryAfterSeconds)).ConfigureAwait(false);
                return 429;
            case FaultKind.ServerError:
                await HttpWrite.JsonAsync(ctx, 500, Zoho.InternalError()).ConfigureAwait(false);
                return 500;
            case FaultKind.ServiceUnavailableHtml:
                await HttpWrite.BytesAsync(ctx, 503, "text/html", Encoding.UTF8.GetBytes(ServiceUnavailablePage)).ConfigureAwait(false);
                return 503;
            case FaultKind.BadGatewayHtml:
                await HttpWrite.BytesAsync(ctx, 502, "text/html", Encoding.UTF8.GetBytes(BadGatewayPage)).ConfigureAwait(false);
                return 502;
            case FaultKind.AccessDenied:
                await HttpWrite.JsonAsync(ctx, 200, Zoho.AccessDenied()).ConfigureAwait(false);
                return 200;
            case FaultKind.NonJsonBody:
                await HttpWrite.BytesAsync(ctx, 200, Json.ContentType, Encoding.UTF8.GetBytes(NonJson)).ConfigureAwait(false);
                return 200;
            case FaultKind.RedirectToOtherHost:
                ctx.Response.Headers.Location = OtherHostUrl(ctx);
                await HttpWrite.BytesAsync(ctx, 302, null, []).ConfigureAwait(false);
                return 302;
            default: // DropBeforeProcessing
                ctx.Abort();
                return 0;
        }
    }

    private static JsonObject TooManyRequests(int? retryAfter) => Json.Error("TOO_MANY_REQUESTS", "too many requests",
        retryAfter is { } s ? new JsonObject { ["retry_after"] = s } : null);

    /// <summary>The same path and query on the other loopback host name: localhost, or 127.0.0.1 when called as localhost.</summary>
    private static string OtherHostUrl(HttpContext ctx)
    {
        var port = ctx.Connection.LocalPort;
        var host = string.Equals(ctx.Request.Host.Host, "localhost", StringComparison.OrdinalIgnoreCase) ? "127.0.0.1" : "localhost";
        return $"http://{host}:{port.ToString(CultureInfo.InvariantCulture)}{ctx.Request.PathBase}{ctx.Request.Path}{ctx.Request.QueryString}";
    }

    /// <summary>The first 30 bytes kept, every later byte changed (a seeded, reproducible garbage), same length.</summary>
    public static byte[] DamageZip(byte[] zip, int seed)
    {
        var damaged = (byte[])zip.Clone();
        var random = new Random(seed);
        for (var i = damaged.Length > ZipBytesKept ? ZipBytesKept : 0; i < damaged.Length; i++)
        {
            damaged[i] ^= (byte)random.Next(1, 256);
        }
        return damaged;
    }

    /// <summary>Parses the JSON body of <c>POST /__emulator/faults</c>; property names case-insensitive.</summary>
    public static FaultRule ParseRule(string body)
    {
        JsonObject obj;
        try
        {
            obj = JsonNode.Parse(body, new JsonNodeOptions { PropertyNameCaseInsensitive = true }) as JsonObject
                ?? throw new FormatException("the body must be a JSON object");
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new FormatException($"the body is not JSON: {e.Message}");
        }

        var kindNode = obj["kind"] ?? throw new FormatException("'kind' is required");
        var kindText = kindNode.GetValueKind() == JsonValueKind.String ? kindNode.GetValue<string>() : kindNode.ToJsonString();
        if (!Enum.TryParse<FaultKind>(kindText, ignoreCase: true, out var kind) || !Enum.IsDefined(kind))
        {
            throw new FormatException($"unknown kind '{kindText}'; known: {string.Join(", ", Enum.GetNames<FaultKind>())}");
        }
        var delay = Number(obj, "delayMs") is { } ms ? TimeSpan.FromMilliseconds(ms) : TimeSpan.Zero;
        return new FaultRule
        {
            Kind = kind,
            Method = Text(obj, "method") is { Length: > 0 } m ? m : null,
            PathContains = Text(obj, "pathContains") ?? "",
            Probability = Number(obj, "probability") ?? 1,
            Skip = (int)(Number(obj, "skip") ?? 0),
            Times = Number(obj, "times") is { } t ? (int)t : null,
            Delay = delay,
            RetryAfterSeconds = (int)(Number(obj, "retryAfterSeconds") ?? 1),
        };
    }

    private static string? Text(JsonObject obj, string name) => obj[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw new FormatException($"'{name}' must be a string"),
    };

    private static double? Number(JsonObject obj, string name) => obj[name] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.GetValue<double>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String
            && double.TryParse(v.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => throw new FormatException($"'{name}' must be a number"),
    };

    public static JsonNode LogJson(IEnumerable<InjectedFault> log) =>
        new JsonArray(log.Select(f => (JsonNode?)new JsonObject
        {
            ["time"] = f.Time.ToString("O"),
            ["kind"] = f.Kind.ToString(),
            ["method"] = f.Method,
            ["path"] = f.Path,
        }).ToArray());
}
