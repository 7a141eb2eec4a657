using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ZohoCrm.Http
{
    internal sealed partial class ZohoClient
    {
        /// <summary>
        /// The generation of a token that Zoho refused right after a refresh made for it: refreshing again would not
        /// help, so later calls with that token do not refresh (the refresh limit is not spent in a loop of calls).
        /// </summary>
        private int _refreshDidNotHelp = -1;

        /// <summary>
        /// Adds the access token and X-CRM-ORG to each attempt. When Zoho rejects the token (401 INVALID_TOKEN,
        /// AUTHENTICATION_FAILURE or INVALID_OAUTHTOKEN) and the connection can refresh, refreshes it and sends again,
        /// once per request whatever the number of retries (under concurrency: the token another call already
        /// refreshed is used without a refresh, and a token Zoho accepted that then expired is refreshed once more).
        /// A rejection that stays (or cannot be refreshed away) is one <see cref="ZohoApiException"/> (an authentication error: it ends the command) saying what to check.
        /// </summary>
        private sealed class AuthStep
        {
            /// <summary>Rejections one request answers (by a refresh, or by the token another call already refreshed) before it gives up.</summary>
            private const int MaxRoundsPerRequest = 4;
            /// <summary>Refreshes one request may make: a second only when Zoho had accepted the token it now rejects (it expired: concurrent calls, short lifetimes).</summary>
            private const int MaxRefreshesPerRequest = 2;
            private readonly ZohoClient _client;
            private readonly ZohoRequest _request;
            private readonly string _describe;
            private int _refreshes;
            private int _rounds;

            public AuthStep(ZohoClient client, ZohoRequest request, string describe) { _client = client; _request = request; _describe = describe; }

            public async Task<ZohoResponse> SendAsync(CancellationToken ct)
            {
                while (true)
                {
                    var tokens = _client._tokens;
                    AccessToken token = await tokens.GetAsync(ct).ConfigureAwait(false);
                    var headers = new List<KeyValuePair<string, string>> { new KeyValuePair<string, string>("Authorization", "Zoho-oauthtoken " + token.Value) };
                    if (!string.IsNullOrEmpty(_client._orgId)) headers.Add(new KeyValuePair<string, string>("X-CRM-ORG", _client._orgId));
                    var answer = await _client.ExchangeAsync(_request, _describe, headers, ct).ConfigureAwait(false);
                    string code = answer.StatusCode == 401 ? ErrorCode(answer.Body) : null;
                    if (!IsTokenRejection(code))
                    {
                        if (answer.StatusCode < 400) _client.Accepted(token.Generation);
                        return answer;
                    }

                    // Zoho accepted this very token before: its rejection now is an expiry, not a refresh that cannot help
                    // (wrong data center, revoked client), so one more refresh is worth it.
                    bool acceptedBefore = Volatile.Read(ref _client._acceptedGeneration) >= token.Generation;
                    if (tokens.CanRefresh && ++_rounds <= MaxRoundsPerRequest)
                    {
                        // Another call already replaced the rejected token (concurrent calls): send again with the new one, no refresh.
                        if ((await tokens.GetAsync(ct).ConfigureAwait(false)).Generation != token.Generation) continue;
                        bool futile = Volatile.Read(ref _client._refreshDidNotHelp) == token.Generation;
                        if (!futile && (_refreshes == 0 || (acceptedBefore && _refreshes < MaxRefreshesPerRequest)))
                        {
                            OperationLog.Verbose($"Zoho rejected the access token ({code}): refreshing it and sending the request again.");
                            // Single flight: the provider refreshes once for every call that saw this token rejected.
                            await tokens.RefreshAsync(token.Generation, ct).ConfigureAwait(false);
                            _refreshes++;
                            continue;
                        }
                    }
                    // A token Zoho never accepted, rejected right after a refresh: refreshing again would not help.
                    if (_refreshes > 0 && !acceptedBefore) Volatile.Write(ref _client._refreshDidNotHelp, token.Generation);
                    throw Rejected(answer, code, tokens.CanRefresh);
                }
            }
        }

        /// <summary>The newest token generation Zoho accepted (an answer that was no error).</summary>
        private int _acceptedGeneration = -1;

        private void Accepted(int generation)
        {
            int seen;
            while (generation > (seen = Volatile.Read(ref _acceptedGeneration)) && Interlocked.CompareExchange(ref _acceptedGeneration, generation, seen) != seen) { }
        }

        /// <summary>The 401 codes that say the token itself is not (or no longer) good; a refresh may cure them.</summary>
        internal static bool IsTokenRejection(string code) =>
            code == "INVALID_TOKEN" || code == "AUTHENTICATION_FAILURE" || code == "INVALID_OAUTHTOKEN";

        /// <summary>Zoho's error for a token it still rejects, with what to check.</summary>
        private static ZohoApiException Rejected(ZohoResponse answer, string code, bool canRefresh)
        {
            string hint;
            if (code == "INVALID_OAUTHTOKEN")
                hint = "Zoho does not accept this token at this host: it belongs to another data center (or was invalidated by Zoho's cap on active tokens). "
                       + "Check -DataCenter (or -ApiDomain): it must be the data center where the client and the refresh token were created.";
            else if (!canRefresh)
                hint = "This connection was made with -AccessToken, which the module cannot refresh: connect again with a new access token, "
                       + "or with -ClientId, -ClientSecret and -RefreshToken so that it is refreshed for you.";
            else
                hint = "The access token was refreshed and Zoho still rejects it: check that -DataCenter (or -ApiDomain) is the org's data center, "
                       + "that the client and refresh token are still valid in Zoho's API console, and that no proxy changes the Authorization header.";
            try
            {
                using (var doc = JsonDocument.Parse(answer.Body))
                {
                    var error = ZohoErrors.FromEnvelope(doc.RootElement, answer.StatusCode, answer.Request, hint: hint);
                    if (error != null) return error;
                }
            }
            catch (JsonException) { }
            return new ZohoApiException(code, null, answer.StatusCode, null, answer.Request, hint: hint);
        }

        private static string ErrorCode(string body)
        {
            try
            {
                using (var doc = JsonDocument.Parse(body)) return Json.GetString(doc.RootElement, "code");
            }
            catch (JsonException) { return null; }
        }
    }
}
