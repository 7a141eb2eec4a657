using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using ZohoCrm.Module;

namespace ZohoCrm.Http
{
    /// <summary>One request to Zoho. The content is made anew for each attempt, so retries resend it whole.</summary>
    internal sealed class ZohoRequest
    {
        public ZohoRequest(HttpMethod method, Uri url) { Method = method; Url = url; }
        public HttpMethod Method { get; }
        public Uri Url { get; }
        public Func<HttpContent> Content { get; set; }
        /// <summary>Safe to send again after a 5xx, a timeout or a broken connection (GETs, mass update by ids).</summary>
        public bool Idempotent { get; set; }
        /// <summary>Extra request headers (the upload's feature and X-CRM-ORG).</summary>
        public System.Collections.Generic.Dictionary<string, string> Headers { get; } = new System.Collections.Generic.Dictionary<string, string>();
        /// <summary>The caller vetted a host outside the connection's own (a Zoho download host).</summary>
        public bool AllowedHost { get; set; }
        /// <summary>When set, a successful answer's body is streamed into this file instead of being read as text.</summary>
        public string ResponseFile { get; set; }
        public string Describe() => Method.Method + " " + Url;
    }

    internal sealed class ZohoResponse
    {
        public ZohoResponse(int status, string body, string request) { StatusCode = status; Body = body; Request = request; }
        public int StatusCode { get; }
        public string Body { get; }
        public string Request { get; }

        /// <summary>An answer whose JSON this module does not recognise, as an error naming the request.</summary>
        public ZohoClientException Unrecognised() =>
            new ZohoClientException("ZohoCrm.UnexpectedResponse",
                $"Zoho answered {Request} with HTTP {StatusCode} and a body this module does not recognise: {Redactor.Redact(Body.Length > 300 ? Body.Substring(0, 300) + "..." : Body)}",
                ZohoErrorKind.InvalidResult);

        /// <summary>
        /// The body as JSON, once it is known not to be an error: Zoho's error envelope (at the root, or in the element
        /// <paramref name="envelopeAt"/> picks, such as data[0]) is thrown, as is what <paramref name="otherError"/>
        /// reads from the root (another host's error shape). The caller disposes the document.
        /// </summary>
        public JsonDocument EnsureSuccess(Func<JsonElement, JsonElement?> envelopeAt = null, Func<JsonElement, ZohoApiException> otherError = null)
        {
            var doc = ParseJson();
            try
            {
                var root = doc.RootElement;
                var error = ZohoErrors.FromEnvelope(envelopeAt?.Invoke(root) ?? root, StatusCode, Request) ?? otherError?.Invoke(root);
                if (error != null) throw error;
                return doc;
            }
            catch
            {
                doc.Dispose();
                throw;
            }
        }

        /// <summary>The body as JSON; a body that is not JSON is an error naming the request and the status.</summary>
        public JsonDocument ParseJson()
        {
            try
            {
                return JsonDocument.Parse(string.IsNullOrWhiteSpace(Body) ? "null" : Body);
            }
            catch (JsonException)
            {
                string snippet = Redactor.Redact(Body.Length > 200 ? Body.Substring(0, 200) + "..." : Body).Replace("\r", " ").Replace("\n", " ");
                // A 5xx or 429 page from a proxy or an overloaded server is a passing failure, not a broken answer.
                bool serverTrouble = StatusCode >= 500 || StatusCode == 429;
                throw new ZohoClientException(serverTrouble ? "ZohoCrm.ServerError" : "ZohoCrm.InvalidResponse",
                    $"Zoho answered {Request} with HTTP {StatusCode} and a body that is not JSON: {snippet}",
                    serverTrouble ? ZohoErrorKind.ConnectionError : ZohoErrorKind.InvalidResult);
            }
        }
    }

    /// <summary>
    /// The one way requests leave the module: adds the access token (only for the connection's own hosts),
    /// refreshes once on INVALID_TOKEN, retries 429 always and 5xx/timeouts/broken connections only for requests
    /// that are safe to repeat, with exponential backoff and jitter honouring Retry-After, and logs each call
    /// (method, URL, status, milliseconds) with secrets redacted.
    /// </summary>
    internal sealed class ZohoClient : IDisposable
    {
        private static readonly Random Jitter = new Random();
        private readonly HttpClient _http;
        private readonly ITokenProvider _tokens;
        private readonly Func<Uri, bool> _mayCarryToken;
        private readonly string _orgId;

        public ZohoClient(HttpClient http, ITokenProvider tokens, Func<Uri, bool> mayCarryToken, RetryPolicy retry, TimeSpan requestTimeout, string orgId)
        {
            _http = http; _tokens = tokens; _mayCarryToken = mayCarryToken; Retry = retry; RequestTimeout = requestTimeout; _orgId = orgId;
        }

        public RetryPolicy Retry { get; }
        public TimeSpan RequestTimeout { get; }

        public static HttpClient CreateHttpClient()
        {
            // No automatic redirects: a redirect must never carry the Authorization header to another host.
            var handler = new HttpClientHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate };
            Platform.RequireModernTls(handler);
            var http = new HttpClient(handler) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
            // .NET Framework sends "Expect: 100-continue" on every POST and waits for the server's go-ahead (or 350 ms);
            // Zoho needs no such handshake. .NET (PowerShell 7) does not send it by default.
            http.DefaultRequestHeaders.ExpectContinue = false;
            http.DefaultRequestHeaders.UserAgent.ParseAdd("ZohoCrm-PowerShell/" + typeof(ZohoClient).Assembly.GetName().Version.ToString(3));
            return http;
        }

        public async Task<ZohoResponse> SendAsync(ZohoRequest request, CancellationToken ct)
        {
            if (!request.AllowedHost && !_mayCarryToken(request.Url))
                throw new ZohoClientException("ZohoCrm.ForeignHost",
                    $"Refusing to send the access token to {request.Url.GetLeftPart(UriPartial.Authority)}: it is not one of this connection's hosts.", ZohoErrorKind.SecurityError);

            string describe = request.Describe();
            int attempt = 0;
            bool refreshed = false;
            var started = Stopwatch.StartNew();
            while (true)
            {
                attempt++;
                AccessToken token = await _tokens.GetAsync(ct).ConfigureAwait(false);
                int status;
                string body;
                TimeSpan? retryAfter = null;
                string location = null;
                var watch = Stopwatch.StartNew();
                var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                try
                {
                    using (var message = new HttpRequestMessage(request.Method, request.Url))
                    {
                        message.Headers.TryAddWithoutValidation("Authorization", "Zoho-oauthtoken " + token.Value);
                        if (!string.IsNullOrEmpty(_orgId)) message.Headers.TryAddWithoutValidation("X-CRM-ORG", _orgId);
                        foreach (var h in request.Headers) { message.Headers.Remove(h.Key); message.Headers.TryAddWithoutValidation(h.Key, h.Value); }
                        if (request.Content != null) message.Content = request.Content();
                        timeout.CancelAfter(RequestTimeout);
                        using (var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false))
                        // Reading the body does not take the token everywhere (.NET Framework): a timeout or Ctrl+C
                        // aborts a stalled body by disposing the response.
                        using (timeout.Token.Register(response.Dispose))
                        {
                            status = (int)response.StatusCode;
                            retryAfter = RetryAfterHeader(response);
                            location = response.Headers.Location?.GetLeftPart(UriPartial.Authority);
                            string mediaType = response.Content?.Headers.ContentType?.MediaType ?? "";
                            if (request.ResponseFile != null && status >= 200 && status < 300 && !mediaType.Contains("json"))
                            {
                                using (var source = await response.Content.ReadAsStreamAsync().ConfigureAwait(false))
                                using (var target = new FileStream(request.ResponseFile, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
                                    await source.CopyToAsync(target, 81920, timeout.Token).ConfigureAwait(false);
                                body = "";
                            }
                            else
                            {
                                body = response.Content == null ? "" : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                            }
                        }
                    }
                }
                catch (Exception) when (ct.IsCancellationRequested)
                {
                    throw new OperationCanceledException(ct);
                }
                catch (Exception ex) when (ex is OperationCanceledException || ex is HttpRequestException || ex is IOException || ex is ObjectDisposedException)
                {
                    bool timedOut = timeout.IsCancellationRequested;
                    string what = timedOut ? $"no answer within {RequestTimeout.TotalSeconds:0.#} s" : "connection failed: " + ex.GetBaseException().Message;
                    OperationLog.Verbose($"{describe} -> {what} ({watch.ElapsedMilliseconds} ms)");
                    // A request that never reached Zoho may always be sent again; one whose outcome is unknown only if it is safe to repeat.
                    bool neverSent = IsConnectionRefused(ex);
                    if ((request.Idempotent || neverSent) && await BackOffAsync(attempt, null, started, describe, what, ct).ConfigureAwait(false)) continue;
                    string advice = request.Idempotent || neverSent ? "" : " Zoho may or may not have carried it out: check before sending it again.";
                    throw new ZohoClientException(timedOut ? "ZohoCrm.Timeout" : "ZohoCrm.ConnectionFailed",
                        $"{describe} failed after {attempt} attempt(s): {what}.{advice}",
                        timedOut ? ZohoErrorKind.OperationTimeout : ZohoErrorKind.ConnectionError, ex);
                }
                finally
                {
                    timeout.Dispose();
                }

                OperationLog.Verbose($"{describe} -> {status} ({watch.ElapsedMilliseconds} ms)");
                if (status >= 300 && status < 400)
                    throw new ZohoClientException("ZohoCrm.Redirected",
                        $"{describe} answered HTTP {status} (a redirect{(location == null ? "" : " to " + location)}). The module does not follow redirects, so the access token never reaches another host: check -ApiDomain / -DataCenter.",
                        ZohoErrorKind.InvalidResult);
                OperationLog.Debug($"{describe} answer: {Truncate(body, 2000)}");
                var answer = new ZohoResponse(status, body, describe);

                if (status == 401 && !refreshed && _tokens.CanRefresh && ErrorCode(body) == "INVALID_TOKEN")
                {
                    OperationLog.Verbose("The access token was rejected as expired (INVALID_TOKEN): refreshing it and sending the request again.");
                    await _tokens.RefreshAsync(token.Generation, ct).ConfigureAwait(false);
                    refreshed = true;
                    attempt--;
                    continue;
                }

                // 429: Zoho refused before doing anything, so any request may be sent again.
                bool retryable = status == 429 || (request.Idempotent && (status == 500 || status == 502 || status == 503 || status == 504));
                if (retryable)
                {
                    retryAfter = retryAfter ?? RetryAfterDetail(body);
                    if (await BackOffAsync(attempt, retryAfter, started, describe, "HTTP " + status, ct).ConfigureAwait(false)) continue;
                }
                return answer;
            }
        }

        private async Task<bool> BackOffAsync(int attempt, TimeSpan? retryAfter, Stopwatch started, string describe, string why, CancellationToken ct)
        {
            if (attempt > Retry.MaxRetries) return false;
            TimeSpan delay = retryAfter ?? Retry.Delay(attempt, Jitter);
            if (delay > Retry.MaxDelay) delay = Retry.MaxDelay;
            if (started.Elapsed + delay > Retry.MaxTotal)
            {
                OperationLog.Verbose($"Not retrying {describe}: the retry budget of {Retry.MaxTotal.TotalSeconds:0} s would be exceeded.");
                return false;
            }
            OperationLog.Verbose($"{describe}: {why}; retry {attempt} of {Retry.MaxRetries} in {delay.TotalSeconds:0.##} s (budget left {(Retry.MaxTotal - started.Elapsed).TotalSeconds:0} s).");
            await Task.Delay(delay, ct).ConfigureAwait(false);
            return true;
        }

        private static bool IsConnectionRefused(Exception ex)
        {
            for (var e = ex; e != null; e = e.InnerException)
                if (e is SocketException se && (se.SocketErrorCode == SocketError.ConnectionRefused || se.SocketErrorCode == SocketError.HostNotFound))
                    return true;
            return false;
        }

        private static TimeSpan? RetryAfterHeader(HttpResponseMessage response)
        {
            var ra = response.Headers.RetryAfter;
            if (ra == null) return null;
            if (ra.Delta.HasValue) return ra.Delta.Value;
            if (ra.Date.HasValue) { var d = ra.Date.Value - DateTimeOffset.UtcNow; return d > TimeSpan.Zero ? d : TimeSpan.Zero; }
            return null;
        }

        /// <summary>details.retry_after: seconds, or an epoch time in milliseconds.</summary>
        private static TimeSpan? RetryAfterDetail(string body)
        {
            try
            {
                using (var doc = JsonDocument.Parse(body))
                {
                    var details = Json.GetObject(doc.RootElement, "details");
                    long? v = details.HasValue ? Json.GetInt64(details.Value, "retry_after") : null;
                    if (!v.HasValue || v < 0) return null;
                    if (v > 100_000_000_000L)
                    {
                        var d = DateTimeOffset.FromUnixTimeMilliseconds(v.Value) - DateTimeOffset.UtcNow;
                        return d > TimeSpan.Zero ? d : TimeSpan.Zero;
                    }
                    return TimeSpan.FromSeconds(v.Value);
                }
            }
            catch (JsonException) { return null; }
        }

        private static string ErrorCode(string body)
        {
            try
            {
                using (var doc = JsonDocument.Parse(body)) return Json.GetString(doc.RootElement, "code");
            }
            catch (JsonException) { return null; }
        }

        private static string Truncate(string s, int max) => s == null ? "" : s.Length <= max ? s : s.Substring(0, max) + $"... ({s.Length} chars)";

        public void Dispose() => _http.Dispose();
    }
}
