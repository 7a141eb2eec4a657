using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Security;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ZohoCrm.Http;

namespace ZohoCrm
{
    internal struct AccessToken
    {
        public AccessToken(string value, int generation) { Value = value; Generation = generation; }
        public string Value { get; }
        /// <summary>Bumped on every refresh, so a caller that saw INVALID_TOKEN refreshes only once per token.</summary>
        public int Generation { get; }
    }

    internal interface ITokenProvider
    {
        bool CanRefresh { get; }
        DateTimeOffset? ExpiresOn { get; }
        Task<AccessToken> GetAsync(CancellationToken ct);
        Task RefreshAsync(int rejectedGeneration, CancellationToken ct);
    }

    internal static class Secrets
    {
        /// <summary>The plain text of a secret, for the moment a request is built. Never stored in a string field.</summary>
        public static string Reveal(SecureString secret) => secret == null ? null : new NetworkCredential("", secret).Password;

        public static SecureString Protect(string value)
        {
            var s = new SecureString();
            foreach (char c in value ?? "") s.AppendChar(c);
            s.MakeReadOnly();
            return s;
        }
    }

    /// <summary>A token the user gave: used as is; it cannot be refreshed.</summary>
    internal sealed class StaticTokenProvider : ITokenProvider, ISecretSource
    {
        private readonly SecureString _token;
        public StaticTokenProvider(SecureString token) { _token = token.Copy(); _token.MakeReadOnly(); Redactor.Register(this); }
        public IEnumerable<SecureString> KnownSecrets() { yield return _token; }
        public bool CanRefresh => false;
        public DateTimeOffset? ExpiresOn => null;
        public Task<AccessToken> GetAsync(CancellationToken ct) => Task.FromResult(new AccessToken(Secrets.Reveal(_token), 0));
        public Task RefreshAsync(int rejectedGeneration, CancellationToken ct) => Task.CompletedTask;
    }

    /// <summary>
    /// OAuth refresh-token flow against Zoho Accounts. Refreshes shortly before expiry and when Zoho says
    /// INVALID_TOKEN; one refresh at a time (callers waiting on the gate reuse the new token); never more than
    /// Zoho's limit of 10 new access tokens per refresh token in 10 minutes (past that Zoho locks the refresh
    /// token out for the rest of the window, so we stop first and say so).
    /// </summary>
    internal sealed class RefreshTokenProvider : ITokenProvider, ISecretSource
    {
        public const int RefreshLimit = 10;
        public static readonly TimeSpan RefreshWindow = TimeSpan.FromMinutes(10);

        private readonly Uri _tokenUrl;
        private readonly string _clientId;
        private readonly SecureString _clientSecret;
        private readonly SecureString _refreshToken;
        private readonly HttpClient _http;
        private readonly TimeSpan _requestTimeout;
        private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);
        private readonly Queue<DateTimeOffset> _recentRefreshes = new Queue<DateTimeOffset>();

        /// <summary>The current token, published whole so a reader never sees a token with another token's generation.</summary>
        private sealed class TokenState
        {
            public TokenState(SecureString token, int generation, DateTimeOffset expiresOn, TimeSpan lifetime)
            { Token = token; Generation = generation; ExpiresOn = expiresOn; Lifetime = lifetime; }
            public SecureString Token { get; }
            public int Generation { get; }
            public DateTimeOffset ExpiresOn { get; }
            public TimeSpan Lifetime { get; }
        }

        private TokenState _state;

        /// <summary>Access tokens this provider had before the current one, newest last, for the redactor (a server may echo an old one).</summary>
        private readonly Queue<SecureString> _pastTokens = new Queue<SecureString>();
        private const int PastTokensKept = 32;

        private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, RefreshTokenProvider> Shared =
            new System.Collections.Concurrent.ConcurrentDictionary<string, RefreshTokenProvider>();

        /// <summary>
        /// One provider per accounts host, client and refresh token in this process: connections (and runspaces) with the
        /// same credentials share its access token and its count of refreshes, as Zoho counts them per refresh token.
        /// </summary>
        public static RefreshTokenProvider For(Uri accountsUrl, string clientId, SecureString clientSecret, SecureString refreshToken, HttpClient http, TimeSpan requestTimeout)
        {
            string key;
            using (var sha = System.Security.Cryptography.SHA256.Create())
            {
                byte[] hash = sha.ComputeHash(System.Text.Encoding.UTF8.GetBytes(Secrets.Reveal(clientSecret) + "\0" + Secrets.Reveal(refreshToken)));
                key = DataCenters.Authority(accountsUrl) + "|" + clientId + "|" + BitConverter.ToString(hash);
            }
            return Shared.GetOrAdd(key, _ => new RefreshTokenProvider(accountsUrl, clientId, clientSecret, refreshToken, http, requestTimeout));
        }

        private RefreshTokenProvider(Uri accountsUrl, string clientId, SecureString clientSecret, SecureString refreshToken, HttpClient http, TimeSpan requestTimeout)
        {
            _tokenUrl = new Uri(accountsUrl.ToString().TrimEnd('/') + "/oauth/v2/token");
            _clientId = clientId;
            _clientSecret = clientSecret.Copy(); _clientSecret.MakeReadOnly();
            _refreshToken = refreshToken.Copy(); _refreshToken.MakeReadOnly();
            _http = http;
            _requestTimeout = requestTimeout;
            Redactor.Register(this);
        }

        public IEnumerable<SecureString> KnownSecrets()
        {
            var list = new List<SecureString> { _clientSecret, _refreshToken };
            var current = Volatile.Read(ref _state);
            if (current != null) list.Add(current.Token);
            lock (_pastTokens) list.AddRange(_pastTokens);
            return list;
        }

        public bool CanRefresh => true;
        public DateTimeOffset? ExpiresOn => Volatile.Read(ref _state)?.ExpiresOn;

        /// <summary>The api_domain Zoho Accounts named in its last answer.</summary>
        public string ApiDomainFromZoho { get; private set; }

        /// <summary>Refresh early: 5 minutes before expiry, or a tenth of the lifetime for short-lived tokens.</summary>
        private static bool NeedsRefresh(TokenState state)
        {
            if (state == null) return true;
            var margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(5).Ticks, state.Lifetime.Ticks / 10));
            return DateTimeOffset.UtcNow >= state.ExpiresOn - margin;
        }

        public async Task<AccessToken> GetAsync(CancellationToken ct)
        {
            var state = Volatile.Read(ref _state);
            if (NeedsRefresh(state))
            {
                await _gate.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    if (NeedsRefresh(Volatile.Read(ref _state))) await RefreshCoreAsync(ct).ConfigureAwait(false);
                }
                finally { _gate.Release(); }
                state = Volatile.Read(ref _state);
            }
            return new AccessToken(Secrets.Reveal(state.Token), state.Generation);
        }

        public async Task RefreshAsync(int rejectedGeneration, CancellationToken ct)
        {
            await _gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                // Another caller already replaced the rejected token: use theirs.
                if (Volatile.Read(ref _state)?.Generation != rejectedGeneration) return;
                await RefreshCoreAsync(ct).ConfigureAwait(false);
            }
            finally { _gate.Release(); }
        }

        private async Task RefreshCoreAsync(CancellationToken ct)
        {
            var now = DateTimeOffset.UtcNow;
            while (_recentRefreshes.Count > 0 && now - _recentRefreshes.Peek() >= RefreshWindow) _recentRefreshes.Dequeue();
            if (_recentRefreshes.Count >= RefreshLimit)
            {
                var next = _recentRefreshes.Peek() + RefreshWindow;
                throw new ZohoClientException("ZohoCrm.RefreshLimit",
                    $"This connection already obtained {RefreshLimit} access tokens in the last {RefreshWindow.TotalMinutes:0} minutes, Zoho's limit per refresh token; asking again would lock the refresh token out. The next refresh is possible at {next.ToLocalTime():u}. (If tokens expire that fast, check the clock and the token lifetime.)",
                    // No token can be had: an authentication failure for every call that follows.
                    ZohoErrorKind.AuthenticationError);
            }

            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    await RefreshOnceAsync(now, ct).ConfigureAwait(false);
                    return;
                }
                catch (ZohoClientException ex) when (attempt < 3 && (ex.Kind == ZohoErrorKind.ConnectionError || ex.Code == "ZohoCrm.Timeout"))
                {
                    // No answer, or a server error: Zoho Accounts issued no token we know of. Try again shortly, within the limit.
                    OperationLog.Verbose($"Token refresh failed ({ex.Message}); trying again ({attempt + 1} of 3).");
                    await Task.Delay(TimeSpan.FromMilliseconds(500 * attempt), ct).ConfigureAwait(false);
                    now = DateTimeOffset.UtcNow;
                    while (_recentRefreshes.Count > 0 && now - _recentRefreshes.Peek() >= RefreshWindow) _recentRefreshes.Dequeue();
                    if (_recentRefreshes.Count >= RefreshLimit) throw;
                }
            }
        }

        private async Task RefreshOnceAsync(DateTimeOffset now, CancellationToken ct)
        {
            var form = new FormUrlEncodedContent(new[]
            {
                new KeyValuePair<string, string>("grant_type", "refresh_token"),
                new KeyValuePair<string, string>("client_id", _clientId),
                new KeyValuePair<string, string>("client_secret", Secrets.Reveal(_clientSecret)),
                new KeyValuePair<string, string>("refresh_token", Secrets.Reveal(_refreshToken)),
            });
            string request = "POST " + _tokenUrl;
            _recentRefreshes.Enqueue(now);
            var started = DateTimeOffset.UtcNow;
            HttpResponseMessage response;
            string body;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timeout.CancelAfter(_requestTimeout);
                try
                {
                    using (form)
                    using (response = await _http.PostAsync(_tokenUrl, form, timeout.Token).ConfigureAwait(false))
                        body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new ZohoClientException("ZohoCrm.Timeout", $"Zoho Accounts did not answer the token refresh within {_requestTimeout.TotalSeconds:0} s ({request}).", ZohoErrorKind.OperationTimeout);
                }
                catch (Exception ex) when (ex is HttpRequestException || ex is System.IO.IOException)
                {
                    throw new ZohoClientException("ZohoCrm.ConnectionFailed", $"Could not reach Zoho Accounts for a token refresh ({request}): {ex.GetBaseException().Message}", ZohoErrorKind.ConnectionError, ex);
                }
            }
            OperationLog.Verbose($"{request} -> {(int)response.StatusCode} ({(DateTimeOffset.UtcNow - started).TotalMilliseconds:0} ms): access token refresh");
            if ((int)response.StatusCode >= 500)
                throw new ZohoClientException("ZohoCrm.ServerError", $"Zoho Accounts answered the token refresh with HTTP {(int)response.StatusCode} ({request}).", ZohoErrorKind.ConnectionError);

            JsonDocument doc = null;
            try { doc = JsonDocument.Parse(body); } catch (JsonException) { }
            using (doc)
            {
                var root = doc?.RootElement;
                string access = root.HasValue ? Json.GetString(root.Value, "access_token") : null;
                if (string.IsNullOrEmpty(access))
                {
                    string error = root.HasValue ? Json.GetString(root.Value, "error") : null;
                    if (error == null && body != null && body.IndexOf("Access Denied", StringComparison.OrdinalIgnoreCase) >= 0) error = "Access Denied";
                    throw RefreshFailure(error, (int)response.StatusCode, request);
                }
                long? expiresSec = Json.GetInt64(root.Value, "expires_in_sec");
                long? expiresIn = Json.GetInt64(root.Value, "expires_in");
                // Older answers carry expires_in_sec, and then expires_in is in milliseconds.
                long seconds = expiresSec ?? expiresIn ?? 3600;
                if (seconds <= 0) seconds = 3600;
                var lifetime = TimeSpan.FromSeconds(seconds);
                ApiDomainFromZoho = Json.GetString(root.Value, "api_domain");
                // The old token is not disposed: a reader may still hold it for a request in flight.
                var previous = Volatile.Read(ref _state);
                if (previous != null)
                    lock (_pastTokens)
                    {
                        _pastTokens.Enqueue(previous.Token);
                        while (_pastTokens.Count > PastTokensKept) _pastTokens.Dequeue();
                    }
                Volatile.Write(ref _state, new TokenState(Secrets.Protect(access), (previous?.Generation ?? 0) + 1, started + lifetime, lifetime));
            }
        }

        private ZohoApiException RefreshFailure(string error, int status, string request)
        {
            string host = _tokenUrl.Host;
            string why;
            switch ((error ?? "").ToLowerInvariant())
            {
                case "invalid_client":
                    why = $"Zoho Accounts ({host}) does not know this client id and secret. Check -ClientId and -ClientSecret, and that -DataCenter is the one where the client was registered.";
                    break;
                case "invalid_code":
                    why = $"Zoho Accounts ({host}) refused the refresh token: it is wrong, revoked, or belongs to another data center. Generate a new one, and check -DataCenter.";
                    break;
                case "access denied":
                    why = $"Zoho Accounts ({host}) denied the refresh (Access Denied): more than 10 access tokens were requested for this refresh token in 10 minutes. Wait up to 10 minutes and connect again.";
                    break;
                case "":
                    why = $"Zoho Accounts ({host}) answered the token refresh with HTTP {status} and no access token.";
                    break;
                default:
                    why = $"Zoho Accounts ({host}) refused the token refresh ({error}).";
                    break;
            }
            return new ZohoApiException(string.IsNullOrEmpty(error) ? "ZohoCrm.TokenRefreshFailed" : error, null, status, null, request, why);
        }
    }
}
