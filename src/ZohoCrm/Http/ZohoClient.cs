using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
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
        /// <summary>The most bytes the ResponseFile may take (null: the connection's bound for JSON answers); past it the file is deleted.</summary>
        public long? ResponseFileMaxBytes { get; set; }
        /// <summary>What the ResponseFile bound is made of, for the error (e.g. "the bound for the result of a 25,000-row job").</summary>
        public string ResponseFileBoundNote { get; set; }
        /// <summary>Scheme, host, port and path: the URL without query (which may carry a signature) or user info, for messages.</summary>
        public string Where() => Url.Scheme + "://" + Url.Authority + Url.AbsolutePath;
        public string Describe() => Method.Method + " " + Url;
    }

    internal sealed class ZohoResponse
    {
        public ZohoResponse(int status, string body, string request) { StatusCode = status; Body = body; Request = request; }
        public int StatusCode { get; }
        public string Body { get; }
        public string Request { get; }
        /// <summary>The Retry-After header, if the answer had one.</summary>
        public TimeSpan? RetryAfter { get; set; }

        /// <summary>An answer whose JSON this module does not recognise, as an error naming the request.</summary>
        public ZohoClientException Unrecognised() =>
            new ZohoClientException("ZohoCrm.UnexpectedResponse",
                $"Zoho answered {Request} with HTTP {StatusCode} and a body this module does not recognise: {Snip(Redactor.Redact(Body), 300)}",
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

        private static string Snip(string s, int max) => s.Length > max ? s.Substring(0, max) + "..." : s;

        /// <summary>The body as JSON; a body that is not JSON is an error naming the request and the status.</summary>
        public JsonDocument ParseJson()
        {
            try
            {
                return JsonDocument.Parse(string.IsNullOrWhiteSpace(Body) ? "null" : Body);
            }
            catch (JsonException)
            {
                // Redacted before it is cut, so a secret across the cut cannot leave its first part.
                string snippet = Snip(Redactor.Redact(Body), 200).Replace("\r", " ").Replace("\n", " ");
                // A 5xx or 429 page from a proxy or an overloaded server is a passing failure, not a broken answer.
                bool serverTrouble = StatusCode >= 500 || StatusCode == 429;
                throw new ZohoClientException(serverTrouble ? "ZohoCrm.ServerError" : "ZohoCrm.InvalidResponse",
                    $"Zoho answered {Request} with HTTP {StatusCode} and a body that is not JSON: {snippet}",
                    serverTrouble ? ZohoErrorKind.ConnectionError : ZohoErrorKind.InvalidResult);
            }
        }
    }

    /// <summary>
    /// The one way requests leave the module, as a chain of small steps: the host guard (the token goes only to the
    /// connection's own hosts), retries (429 always; 5xx, timeouts and broken connections only for requests that
    /// are safe to repeat; ZohoClient.Retry.cs), the token with X-CRM-ORG and the one refresh when Zoho rejects the
    /// token (AuthStep, ZohoClient.Auth.cs), and one exchange logged with secrets redacted (ZohoClient.Exchange.cs).
    /// </summary>
    internal sealed partial class ZohoClient : IDisposable
    {
        private readonly HttpClient _http;
        private readonly ITokenProvider _tokens;
        private readonly Func<Uri, bool> _mayCarryToken;
        private readonly string _orgId;

        /// <summary>The default bound on one answer's body: 64 MB (Connect-Zcrm -MaxResponseSizeMB).</summary>
        public const int DefaultMaxResponseSizeMB = 64;

        public ZohoClient(HttpClient http, ITokenProvider tokens, Func<Uri, bool> mayCarryToken, RetryPolicy retry, TimeSpan requestTimeout, string orgId,
            long maxResponseBytes = DefaultMaxResponseSizeMB * 1024L * 1024L)
        {
            _http = http; _tokens = tokens; _mayCarryToken = mayCarryToken; Retry = retry; RequestTimeout = requestTimeout; _orgId = orgId;
            MaxResponseBytes = maxResponseBytes;
        }

        public RetryPolicy Retry { get; }
        /// <summary>The most one exchange may take, from sending to the last byte of the body.</summary>
        public TimeSpan RequestTimeout { get; }
        /// <summary>The most bytes one answer's body may have (JSON answers; the floor of result downloads).</summary>
        public long MaxResponseBytes { get; }

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

        /// <summary>
        /// Sends a request through the steps, outermost first: the host guard, retries (RetryStep), the token, org
        /// header and one refresh (AuthStep), one HTTP exchange with its timeout and redacted log (ExchangeAsync).
        /// </summary>
        public Task<ZohoResponse> SendAsync(ZohoRequest request, CancellationToken ct)
        {
            GuardHost(request);
            string describe = request.Describe();
            var auth = new AuthStep(this, request, describe);
            return WithRetriesAsync(request, describe, auth.SendAsync, ct);
        }

        /// <summary>The access token goes only to the connection's own hosts (or a URL the caller vouched for).</summary>
        private void GuardHost(ZohoRequest request)
        {
            if (!request.AllowedHost && !_mayCarryToken(request.Url))
                throw new ZohoClientException("ZohoCrm.ForeignHost",
                    $"Refusing to send the access token to {request.Url.GetLeftPart(UriPartial.Authority)}: it is not one of this connection's hosts.", ZohoErrorKind.SecurityError);
        }

        public void Dispose() => _http.Dispose();
    }
}
