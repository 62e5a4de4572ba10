using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace InfluenceGen.Deploy.Infrastructure
{
    /// <summary>What a failed attempt means for the retry policy.</summary>
    public sealed class RetryDecision
    {
        public static readonly RetryDecision Stop = new RetryDecision(false, null);
        public static RetryDecision Retry(TimeSpan? after = null) => new RetryDecision(true, after);

        private RetryDecision(bool retry, TimeSpan? after) { ShouldRetry = retry; RetryAfter = after; }
        public bool ShouldRetry { get; }
        /// <summary>The server's Retry-After, honoured instead of the backoff when present.</summary>
        public TimeSpan? RetryAfter { get; }
    }

    /// <summary>
    /// The one retry policy (docs/design.md, principle 8): exponential backoff with full jitter, honours
    /// Retry-After, bounded in attempts and in total time. Use it only for idempotent calls.
    /// </summary>
    public sealed class RetryPolicy
    {
        private readonly Random _random;

        public RetryPolicy(int maxAttempts = 5, TimeSpan? baseDelay = null, TimeSpan? maxDelay = null, TimeSpan? maxTotal = null, int? seed = null)
        {
            MaxAttempts = Math.Max(1, maxAttempts);
            BaseDelay = baseDelay ?? TimeSpan.FromMilliseconds(500);
            MaxDelay = maxDelay ?? TimeSpan.FromSeconds(30);
            MaxTotal = maxTotal ?? TimeSpan.FromMinutes(2);
            _random = seed.HasValue ? new Random(seed.Value) : new Random();
        }

        public static RetryPolicy Default { get; } = new RetryPolicy();

        public int MaxAttempts { get; }
        public TimeSpan BaseDelay { get; }
        public TimeSpan MaxDelay { get; }
        public TimeSpan MaxTotal { get; }
        /// <summary>Waits go through here (tests may replace it to observe the delays).</summary>
        public Func<TimeSpan, CancellationToken, Task> Delay { get; set; } = (d, ct) => Task.Delay(d, ct);

        /// <summary>The wait before attempt <paramref name="attempt"/>+1 (1-based) without Retry-After.</summary>
        public TimeSpan Backoff(int attempt)
        {
            double cap = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
            lock (_random) return TimeSpan.FromMilliseconds(cap / 2 + _random.NextDouble() * cap / 2);
        }

        /// <summary>
        /// Runs <paramref name="attempt"/> until it succeeds, <paramref name="classify"/> says stop,
        /// or the attempts/total time are spent; the last exception is rethrown.
        /// </summary>
        public async Task<T> ExecuteAsync<T>(Func<int, CancellationToken, Task<T>> attempt, Func<Exception, RetryDecision> classify,
            IDeployLog? log, string what, CancellationToken cancellationToken)
        {
            DateTime started = DateTime.UtcNow;
            for (int n = 1; ; n++)
            {
                try
                {
                    return await attempt(n, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
                {
                    RetryDecision decision = classify(ex);
                    if (!decision.ShouldRetry || n >= MaxAttempts) throw;
                    TimeSpan wait = decision.RetryAfter ?? Backoff(n);
                    if (wait > MaxDelay && decision.RetryAfter == null) wait = MaxDelay;
                    if (DateTime.UtcNow - started + wait > MaxTotal) throw;
                    log?.Verbose($"{what}: attempt {n} failed ({ex.Message}); retrying in {wait.TotalSeconds:0.##} s");
                    await Delay(wait, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        /// <summary>The usual HTTP classification: 408, 429, 5xx and connection failures retry;
        /// Retry-After (seconds or date) is honoured.</summary>
        public static RetryDecision ClassifyHttp(HttpStatusCode? status, TimeSpan? retryAfter, Exception? transportError)
        {
            if (transportError != null)
                return transportError is HttpRequestException || transportError is System.IO.IOException || transportError is System.Net.Sockets.SocketException
                       || transportError is TaskCanceledException
                    ? RetryDecision.Retry()
                    : RetryDecision.Stop;
            if (status == null) return RetryDecision.Stop;
            int code = (int)status.Value;
            if (code == 408 || code == 429 || code >= 500) return RetryDecision.Retry(retryAfter);
            return RetryDecision.Stop;
        }

        /// <summary>Parses a Retry-After header value (delta-seconds or HTTP date).</summary>
        public static TimeSpan? ParseRetryAfter(string? value, DateTimeOffset now)
        {
            if (string.IsNullOrWhiteSpace(value)) return null;
            if (int.TryParse(value!.Trim(), out int seconds) && seconds >= 0) return TimeSpan.FromSeconds(seconds);
            if (DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out DateTimeOffset at))
            {
                TimeSpan delta = at - now;
                return delta > TimeSpan.Zero ? delta : TimeSpan.Zero;
            }
            return null;
        }
    }
}
