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
            int status = 0;
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
                    // Every read of the body takes the token (BoundedBody), so the timeout covers the whole exchange,
                    // a trickling body included. Where a read does not honour it (.NET Framework), a timeout or
                    // Ctrl+C aborts the stalled body by disposing the response.
                    using (timeout.Token.Register(response.Dispose))
                    {
                        status = (int)response.StatusCode;
                        retryAfter = RetryAfterHeader(response);
                        location = response.Headers.Location?.GetLeftPart(UriPartial.Authority);
                        string mediaType = response.Content?.Headers.ContentType?.MediaType ?? "";
                        if (request.ResponseFile != null && status >= 200 && status < 300 && !mediaType.Contains("json"))
                        {
                            await ReadIntoFileAsync(request, response.Content, timeout.Token).ConfigureAwait(false);
                            body = "";
                        }
                        else
                        {
                            body = await BoundedBody.ReadStringAsync(response.Content, MaxResponseBytes, timeout.Token).ConfigureAwait(false);
                        }
                    }
                }
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                throw new OperationCanceledException(ct);
            }
            catch (AnswerTooLargeException tooLarge)
            {
                OperationLog.Verbose($"{describe} -> {status} ({watch.ElapsedMilliseconds} ms), answer refused: {tooLarge.Message}");
                throw AnswerTooLarge(request, tooLarge);
            }
            catch (Exception ex) when (ex is OperationCanceledException || ex is HttpRequestException || ex is IOException || ex is ObjectDisposedException)
            {
                bool timedOut = timeout.IsCancellationRequested;
                // The timeout covers the whole exchange: a body still arriving at the end of it is named as such.
                string what = !timedOut ? "connection failed: " + ex.GetBaseException().Message
                    : status == 0 ? $"no answer within {RequestTimeout.TotalSeconds:0.#} s"
                    : $"no complete answer within {RequestTimeout.TotalSeconds:0.#} s (HTTP {status} came, its body was still arriving)";
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
            // Only when shown: redacting a whole answer (a mass update's is ~150 KB) for nothing cost more CPU than the rest of the call.
            // The first 64 KB are redacted whole before the cut at 2,000 characters, so no secret is shown cut in two.
            if (OperationLog.DebugWanted)
                OperationLog.Debug($"{describe} answer: {RedactedStart(body, 2000)}");
            return new ZohoResponse(status, body, describe) { RetryAfter = retryAfter };
        }

        /// <summary>The first <paramref name="max"/> characters of an answer, its secrets redacted (from its first 64 KB, whole), and its length.</summary>
        private static string RedactedStart(string body, int max)
        {
            if (body == null) return "";
            string redacted = Redactor.Redact(body.Length > 65536 ? body.Substring(0, 65536) : body);
            return body.Length <= max && redacted.Length <= max ? redacted : redacted.Substring(0, Math.Min(max, redacted.Length)) + $"... ({body.Length} chars)";
        }

        /// <summary>The body into the request's ResponseFile, within its bound; whatever goes wrong, no partial file is left.</summary>
        private async Task ReadIntoFileAsync(ZohoRequest request, HttpContent content, CancellationToken ct)
        {
            try
            {
                await BoundedBody.CopyToFileAsync(content, request.ResponseFile, request.ResponseFileMaxBytes ?? MaxResponseBytes, ct).ConfigureAwait(false);
            }
            catch
            {
                try { File.Delete(request.ResponseFile); }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException) { OperationLog.Verbose($"Could not delete the partial file {request.ResponseFile}: {ex.Message}"); }
                throw;
            }
        }

        /// <summary>
        /// ZohoCrm.AnswerTooLarge: names the URL (no query, no user info), the bound and how to raise it. It is no
        /// passing failure, so the retry step lets it through and the call is not sent again.
        /// </summary>
        private ZohoClientException AnswerTooLarge(ZohoRequest request, AnswerTooLargeException tooLarge)
        {
            bool file = request.ResponseFile != null && request.ResponseFileMaxBytes.HasValue && tooLarge.Limit == request.ResponseFileMaxBytes.Value;
            string bound = file ? request.ResponseFileBoundNote ?? "the bound for this download" : "the bound for one answer";
            string what = tooLarge.Announced
                ? $"announced a body of {BoundedBody.Size(tooLarge.Seen)}, more than {BoundedBody.Size(tooLarge.Limit)} ({bound}), so it was not read"
                : $"sent more than {BoundedBody.Size(tooLarge.Limit)} ({bound}), so reading stopped there";
            string partial = request.ResponseFile != null ? "; the partial file was deleted" : "";
            var error = new ZohoClientException("ZohoCrm.AnswerTooLarge",
                $"{request.Method.Method} {request.Where()} {what}{partial}. The call is not retried. If an answer this large is expected, raise the bound with Connect-Zcrm -MaxResponseSizeMB (now {MaxResponseBytes / (1024 * 1024)}).",
                ZohoErrorKind.LimitsExceeded, tooLarge);
            // For scripts and tests: the bound and the bytes of the body read before stopping (0 when refused by its Content-Length).
            error.Data["LimitBytes"] = tooLarge.Limit;
            error.Data["BytesRead"] = tooLarge.Announced ? 0L : tooLarge.Seen;
            return error;
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
