using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ZohoCrm.Http
{
    internal sealed partial class ZohoClient
    {
        /// <summary>Shared by every call (RetryPolicy.Delay locks it while drawing), so concurrent backoffs are thread-safe.</summary>
        private static readonly Random Jitter = new Random();

        /// <summary>The most exchanges one connection has in flight, whatever the number of commands and runspaces using it (Zoho allows 5 to 25 concurrent calls per org by edition).</summary>
        public const int MaxConcurrentCalls = 25;
        private readonly SemaphoreSlim _callSlots = new SemaphoreSlim(MaxConcurrentCalls, MaxConcurrentCalls);

        /// <summary>
        /// UTC ticks until which no call on this connection is sent: set when any call is told to slow down (429), so
        /// every call waits out the same backoff instead of each adding its own retries to the storm.
        /// </summary>
        private long _pausedUntil;

        /// <summary>Calls on this connection in flight now (for tests).</summary>
        internal int CallsInFlight => MaxConcurrentCalls - _callSlots.CurrentCount;

        /// <summary>When the shared 429 pause ends (null: not paused).</summary>
        internal DateTimeOffset? PausedUntil
        {
            get
            {
                long t = Interlocked.Read(ref _pausedUntil);
                return t > DateTimeOffset.UtcNow.UtcTicks ? new DateTimeOffset(t, TimeSpan.Zero) : (DateTimeOffset?)null;
            }
        }

        /// <summary>Every call on the connection waits until <paramref name="until"/> (a later pause already set is kept).</summary>
        private void PauseAll(DateTimeOffset until)
        {
            long ticks = until.UtcTicks, seen;
            while ((seen = Interlocked.Read(ref _pausedUntil)) < ticks)
                if (Interlocked.CompareExchange(ref _pausedUntil, ticks, seen) == seen) return;
        }

        /// <summary>Waits out the connection's 429 pause, if any (again if another 429 made it longer meanwhile).</summary>
        private async Task WaitPauseAsync(CancellationToken ct)
        {
            while (true)
            {
                long left = Interlocked.Read(ref _pausedUntil) - DateTimeOffset.UtcNow.UtcTicks;
                if (left <= 0) return;
                await Task.Delay(TimeSpan.FromTicks(left), ct).ConfigureAwait(false);
            }
        }

        /// <summary>One attempt: after the connection's 429 pause, within its slots.</summary>
        private async Task<ZohoResponse> GatedAsync(Func<CancellationToken, Task<ZohoResponse>> send, CancellationToken ct)
        {
            await WaitPauseAsync(ct).ConfigureAwait(false);
            await _callSlots.WaitAsync(ct).ConfigureAwait(false);
            try { return await send(ct).ConfigureAwait(false); }
            finally { _callSlots.Release(); }
        }

        /// <summary>
        /// Retries 429 always (Zoho refused before doing anything), and 5xx, timeouts and broken connections only for
        /// requests that are safe to repeat (or never reached Zoho), with exponential backoff and jitter honouring
        /// Retry-After, within the policy's budget.
        /// </summary>
        private async Task<ZohoResponse> WithRetriesAsync(ZohoRequest request, string describe, Func<CancellationToken, Task<ZohoResponse>> send, CancellationToken ct)
        {
            int attempt = 0;
            var started = Stopwatch.StartNew();
            while (true)
            {
                attempt++;
                ZohoResponse answer;
                try
                {
                    answer = await GatedAsync(send, ct).ConfigureAwait(false);
                }
                catch (ExchangeFailedException failed)
                {
                    // A request that never reached Zoho may always be sent again; one whose outcome is unknown only if it is safe to repeat.
                    bool neverSent = IsConnectionRefused(failed.InnerException);
                    if ((request.Idempotent || neverSent) && await BackOffAsync(attempt, null, started, describe, failed.What, false, ct).ConfigureAwait(false)) continue;
                    string advice = request.Idempotent || neverSent ? "" : " Zoho may or may not have carried it out: check before sending it again.";
                    throw new ZohoClientException(failed.TimedOut ? "ZohoCrm.Timeout" : "ZohoCrm.ConnectionFailed",
                        $"{describe} failed after {attempt} attempt(s): {failed.What}.{advice}",
                        failed.TimedOut ? ZohoErrorKind.OperationTimeout : ZohoErrorKind.ConnectionError, failed.InnerException);
                }

                int status = answer.StatusCode;
                bool retryable = status == 429 || (request.Idempotent && (status == 500 || status == 502 || status == 503 || status == 504));
                if (retryable)
                {
                    var retryAfter = answer.RetryAfter ?? RetryAfterDetail(answer.Body);
                    if (await BackOffAsync(attempt, retryAfter, started, describe, "HTTP " + status, status == 429, ct).ConfigureAwait(false)) continue;
                }
                return answer;
            }
        }

        /// <param name="pauseAll">Zoho said to slow down (429): every call on the connection waits the same delay.</param>
        private async Task<bool> BackOffAsync(int attempt, TimeSpan? retryAfter, Stopwatch started, string describe, string why, bool pauseAll, CancellationToken ct)
        {
            if (attempt > Retry.MaxRetries) return false;
            TimeSpan delay = retryAfter ?? Retry.Delay(attempt, Jitter);
            if (delay > Retry.MaxDelay) delay = Retry.MaxDelay;
            if (started.Elapsed + delay > Retry.MaxTotal)
            {
                OperationLog.Verbose($"Not retrying {describe}: the retry budget of {Retry.MaxTotal.TotalSeconds:0} s would be exceeded.");
                return false;
            }
            OperationLog.Verbose($"{describe}: {why}; retry {attempt} of {Retry.MaxRetries} in {delay.TotalSeconds:0.##} s (budget left {(Retry.MaxTotal - started.Elapsed).TotalSeconds:0} s){(pauseAll ? "; every call on this connection waits as long" : "")}.");
            if (pauseAll)
            {
                // The retry goes after the shared pause (GatedAsync waits it out), which another 429 may have made longer.
                PauseAll(DateTimeOffset.UtcNow + delay);
                return true;
            }
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
    }
}
