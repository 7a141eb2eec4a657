using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace ZohoCrm.Http
{
    internal sealed partial class ZohoClient
    {
        /// <summary>
        /// One HTTP exchange: the request with <paramref name="authHeaders"/> and its own headers, within the
        /// request timeout; the body read as text or streamed into the request's ResponseFile. Logs the call and
        /// its answer through OperationLog (which redacts). A timeout or a broken connection is an
        /// <see cref="ExchangeFailedException"/> for the retry step to judge; a redirect is refused.
        /// </summary>
        private async Task<ZohoResponse> ExchangeAsync(ZohoRequest request, string describe, IEnumerable<KeyValuePair<string, string>> authHeaders, CancellationToken ct)
        {
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
                    foreach (var h in authHeaders) message.Headers.TryAddWithoutValidation(h.Key, h.Value);
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
                throw new ExchangeFailedException(what, timedOut, ex);
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
            OperationLog.Debug($"{describe} answer: {Truncate(Redactor.Redact(body), 2000)}");
            return new ZohoResponse(status, body, describe) { RetryAfter = retryAfter };
        }

        private static TimeSpan? RetryAfterHeader(HttpResponseMessage response)
        {
            var ra = response.Headers.RetryAfter;
            if (ra == null) return null;
            if (ra.Delta.HasValue) return ra.Delta.Value;
            if (ra.Date.HasValue) { var d = ra.Date.Value - DateTimeOffset.UtcNow; return d > TimeSpan.Zero ? d : TimeSpan.Zero; }
            return null;
        }

        /// <summary>An exchange that got no answer: a timeout or a broken connection (the retry step decides what follows).</summary>
        private sealed class ExchangeFailedException : Exception
        {
            public ExchangeFailedException(string what, bool timedOut, Exception inner) : base(what, inner) { What = what; TimedOut = timedOut; }
            public string What { get; }
            public bool TimedOut { get; }
        }
    }
}
