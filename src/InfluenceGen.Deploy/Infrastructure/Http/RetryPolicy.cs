using System;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;

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
    /// The one retry policy (design principle 8), on Polly.Core's retry strategy: exponential backoff with
    /// jitter capped at <see cref="MaxDelay"/>, a server's Retry-After honoured instead of the backoff,
    /// bounded in attempts and in total time (a Retry-After that would not fit in what is left of
    /// <see cref="MaxTotal"/> ends the retries at once). The caller's classification decides what is
    /// worth repeating: use it only for calls whose effect cannot double. HTTP goes through
    /// <see cref="HttpStack"/>, which classifies for its callers; SSH and S3 callers classify themselves.
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
        /// <summary>The clock the waits run on (tests pass one that records the waits instead of sleeping).</summary>
        public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

        /// <summary>
        /// Runs <paramref name="attempt"/> (given the 1-based attempt number) until it succeeds,
        /// <paramref name="classify"/> says stop, or the attempts/total time are spent; the last exception is
        /// rethrown. Cancellation of <paramref name="cancellationToken"/> is never retried.
        /// </summary>
        public async Task<T> ExecuteAsync<T>(Func<int, CancellationToken, Task<T>> attempt, Func<Exception, RetryDecision> classify,
            IDeployLog? log, string what, CancellationToken cancellationToken)
        {
            if (MaxAttempts == 1) return await attempt(1, cancellationToken).ConfigureAwait(false);
            long started = TimeProvider.GetTimestamp();
            int number = 0;
            TimeSpan? retryAfter = null;
            var options = new RetryStrategyOptions
            {
                MaxRetryAttempts = MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = BaseDelay,
                MaxDelay = MaxDelay,
                Randomizer = () => { lock (_random) return _random.NextDouble(); },
                ShouldHandle = args =>
                {
                    Exception? ex = args.Outcome.Exception;
                    if (ex == null || ex is OperationCanceledException && cancellationToken.IsCancellationRequested) return new ValueTask<bool>(false);
                    RetryDecision decision = classify(ex);
                    retryAfter = decision.RetryAfter;
                    if (!decision.ShouldRetry) return new ValueTask<bool>(false);
                    TimeSpan spent = TimeProvider.GetElapsedTime(started);
                    return new ValueTask<bool>(spent + (retryAfter ?? TimeSpan.Zero) <= MaxTotal);
                },
                DelayGenerator = _ => new ValueTask<TimeSpan?>(retryAfter),
                OnRetry = args =>
                {
                    log?.Verbose($"{what}: attempt {args.AttemptNumber + 1} failed ({args.Outcome.Exception?.Message}); retrying in {args.RetryDelay.TotalSeconds:0.##} s");
                    return default;
                },
            };
            ResiliencePipeline pipeline = new ResiliencePipelineBuilder { TimeProvider = TimeProvider }.AddRetry(options).Build();
            return await pipeline.ExecuteAsync(async token => await attempt(++number, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
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

        /// <summary>Parses a Retry-After header value (delta-seconds or HTTP date; a date in the past is no wait).</summary>
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
