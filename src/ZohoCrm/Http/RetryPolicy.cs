using System;
using System.Globalization;

namespace ZohoCrm
{
    /// <summary>How often and how long a request that is safe to repeat is retried.</summary>
    public sealed class RetryPolicy
    {
        public RetryPolicy(int maxRetries, TimeSpan baseDelay, TimeSpan maxDelay, TimeSpan maxTotal)
        {
            MaxRetries = maxRetries; BaseDelay = baseDelay; MaxDelay = maxDelay; MaxTotal = maxTotal;
        }
        public int MaxRetries { get; }
        public TimeSpan BaseDelay { get; }
        public TimeSpan MaxDelay { get; }
        public TimeSpan MaxTotal { get; }

        /// <summary>Exponential backoff with equal jitter: between half and all of base * 2^(attempt-1), capped.</summary>
        internal TimeSpan Delay(int attempt, Random random)
        {
            double ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
            double ms;
            lock (random) ms = ceiling / 2 + random.NextDouble() * ceiling / 2;
            return TimeSpan.FromMilliseconds(ms);
        }

        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "{0} retries, base {1:0.###} s, cap {2:0.#} s, budget {3:0} s", MaxRetries, BaseDelay.TotalSeconds, MaxDelay.TotalSeconds, MaxTotal.TotalSeconds);
    }
}
