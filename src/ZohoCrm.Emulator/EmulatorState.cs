using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace ZohoCrm.Emulator;

/// <summary>
/// One request the emulator received (every Zoho and token endpoint call, accepted or rejected).
/// <paramref name="StatusCode"/> is 0 when the connection was dropped; <paramref name="Fault"/> names the injected
/// <see cref="FaultKind"/> applied to it, if any.
/// </summary>
public sealed record RecordedRequest(
    DateTimeOffset Time,
    string Method,
    string Path,
    string Query,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    int StatusCode,
    string? Fault = null);

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

internal enum TokenCheck { Unknown, Valid, Expired }

/// <summary>Everything the emulator holds: records, tokens, jobs and the request log. Thread-safe.</summary>
public sealed partial class EmulatorState
{
    private readonly Lock _gate = new();          // records, jobs
    private readonly Lock _tokenGate = new();     // tokens, refresh counters
    private readonly Lock _requestGate = new();   // request log
    private readonly List<RequestEntry> _requests = new();
    private readonly Dictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<DateTimeOffset>> _refreshes = new(StringComparer.Ordinal);
    private int _tokensIssued;

    internal EmulatorState(EmulatorOptions options)
    {
        Options = options;
        Modules = ZohoSchema.CreateModules().ToDictionary(m => m.ApiName, m => new ModuleData(m), StringComparer.Ordinal);
        CustomViews = ZohoSchema.CreateCustomViews().ToDictionary(v => v.Id, StringComparer.Ordinal);
        Territories = ZohoSchema.CreateTerritories().ToDictionary(t => t.Id, StringComparer.Ordinal);
        SeedData.Populate(Modules, options);
        SeedBulkWrite();
        Faults = new FaultInjector(options.FaultSeed);
    }

    internal EmulatorOptions Options { get; }
    internal Dictionary<string, ModuleData> Modules { get; }
    internal Dictionary<string, CustomView> CustomViews { get; }
    internal Dictionary<string, Territory> Territories { get; }

    /// <summary>The emulator's base URL without trailing slash (the token endpoint's api_domain).</summary>
    internal string ApiDomain { get; set; } = "";

    // ---------------------------------------------------------------- requests

    /// <summary>Snapshot copy, in arrival order: all requests incl. token endpoint and rejected ones.</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requestGate)
            {
                return _requests.Select(e => e.ToRecord()).ToArray();
            }
        }
    }

    public void ClearRequests()
    {
        lock (_requestGate)
        {
            _requests.Clear();
        }
    }

    internal RequestEntry BeginRequest(DateTimeOffset time, string method, string path, string query, IReadOnlyDictionary<string, string> headers, string body)
    {
        var e = new RequestEntry(time, method, path, query, headers, body);
        lock (_requestGate)
        {
            _requests.Add(e);
        }
        return e;
    }

    internal sealed class RequestEntry(DateTimeOffset time, string method, string path, string query, IReadOnlyDictionary<string, string> headers, string body)
    {
        public volatile int StatusCode;
        public volatile string? Fault;
        public RecordedRequest ToRecord() => new(time, method, path, query, headers, body, StatusCode, Fault);
    }

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
    public int TokensIssued => Volatile.Read(ref _tokensIssued);

    /// <summary>Every issued token (not the static one) becomes expired: calls with it get INVALID_TOKEN.</summary>
    public void ExpireAllTokens()
    {
        lock (_tokenGate)
        {
            foreach (var key in _tokens.Keys.ToArray())
            {
                _tokens[key] = DateTimeOffset.MinValue;
            }
        }
    }

    internal TokenCheck CheckToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return TokenCheck.Unknown;
        }
        if (token == Options.StaticAccessToken)
        {
            return TokenCheck.Valid;
        }
        lock (_tokenGate)
        {
            if (!_tokens.TryGetValue(token, out var expires))
            {
                return TokenCheck.Unknown;
            }
            return DateTimeOffset.UtcNow < expires ? TokenCheck.Valid : TokenCheck.Expired;
        }
    }

    /// <summary>The token endpoint's logic; Zoho answers every outcome with HTTP 200.</summary>
    internal JsonObject RefreshToken(IReadOnlyDictionary<string, string> form)
    {
        form.TryGetValue("grant_type", out var grantType);
        form.TryGetValue("client_id", out var clientId);
        form.TryGetValue("client_secret", out var clientSecret);
        form.TryGetValue("refresh_token", out var refreshToken);

        if (grantType != "refresh_token")
        {
            return new JsonObject { ["error"] = "unsupported_grant_type" };
        }
        if (clientId != Options.ClientId || clientSecret != Options.ClientSecret)
        {
            return new JsonObject { ["error"] = "invalid_client" };
        }
        if (refreshToken != Options.RefreshToken)
        {
            return new JsonObject { ["error"] = "invalid_code" };
        }

        var now = DateTimeOffset.UtcNow;
        string token;
        lock (_tokenGate)
        {
            if (!_refreshes.TryGetValue(refreshToken, out var times))
            {
                _refreshes[refreshToken] = times = new Queue<DateTimeOffset>();
            }
            while (times.Count > 0 && now - times.Peek() >= Options.RefreshWindow)
            {
                times.Dequeue();
            }
            if (times.Count >= Options.RefreshLimit)
            {
                return new JsonObject
                {
                    ["error"] = "Access Denied",
                    ["error_description"] = "You have made too many requests continuously. Please try again after some time.",
                };
            }
            times.Enqueue(now);
            token = "1000." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            _tokens[token] = now + Options.TokenLifetime;
            _tokensIssued++;
        }

        return new JsonObject
        {
            ["access_token"] = token,
            ["api_domain"] = ApiDomain,
            ["token_type"] = "Bearer",
            ["expires_in"] = Math.Max(1L, (long)Math.Floor(Options.TokenLifetime.TotalSeconds)),
        };
    }

    internal void RevokeToken(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return;
        }
        lock (_tokenGate)
        {
            _tokens.Remove(token);
        }
    }
}
