using System;
using System.Threading;
using System.Threading.Tasks;

namespace ZohoCrm.Http
{
    /// <summary>How -Wait follows a Zoho job: poll, report, stop when finished; 0.5 s apart at first, then 1.5x, at most 10 s.</summary>
    internal static class Polling
    {
        /// <param name="poll">Reads the current state.</param>
        /// <param name="finished">The state will not change any more.</param>
        /// <param name="timedOut">The error for a -Timeout that runs out, given the last state.</param>
        public static async Task<T> UntilAsync<T>(Func<CancellationToken, Task<T>> poll, Func<T, bool> finished, Action<T> report,
            TimeSpan? timeout, Func<T, Exception> timedOut, CancellationToken ct)
        {
            var started = DateTimeOffset.UtcNow;
            var delay = TimeSpan.FromMilliseconds(500);
            while (true)
            {
                T current = await poll(ct).ConfigureAwait(false);
                report(current);
                if (finished(current)) return current;
                if (timeout.HasValue && DateTimeOffset.UtcNow - started + delay > timeout.Value) throw timedOut(current);
                await Task.Delay(delay, ct).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 1.5, 10_000));
            }
        }
    }
}
