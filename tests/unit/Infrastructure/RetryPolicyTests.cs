using System.Net;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Tests.Infrastructure
{
    [Trait("Category", "Fast")]
    public class RetryPolicyTests
    {
        private sealed class Transient : Exception { public TimeSpan? After; }

        private static (RetryPolicy Policy, RecordingTimeProvider Clock) Policy(int attempts = 5, TimeSpan? maxTotal = null)
        {
            var clock = new RecordingTimeProvider();
            var policy = new RetryPolicy(attempts, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), maxTotal ?? TimeSpan.FromMinutes(1), seed: 42)
            {
                TimeProvider = clock,
            };
            return (policy, clock);
        }

        [Fact]
        public async Task RetriesTransientFailuresWithGrowingJitteredBackoff()
        {
            var (policy, clock) = Policy(attempts: 8);
            int calls = 0;
            int result = await policy.ExecuteAsync((n, _) => ++calls < 8 ? throw new Transient() : Task.FromResult(n),
                _ => RetryDecision.Retry(), null, "test", default);
            Assert.Equal(8, result);
            var waits = clock.Waits;
            Assert.Equal(7, waits.Count);
            // Polly's exponential backoff with jitter: every wait within the cap, not all alike, later ones longer.
            Assert.All(waits, w => Assert.InRange(w.TotalMilliseconds, 1, 2000));
            Assert.True(waits.Distinct().Count() > 1, "jittered");
            Assert.True(waits.Skip(4).Average(w => w.TotalMilliseconds) > waits.Take(2).Average(w => w.TotalMilliseconds), string.Join(", ", waits));
        }

        [Fact]
        public async Task HonoursRetryAfter()
        {
            var (policy, clock) = Policy();
            int calls = 0;
            await policy.ExecuteAsync((_, _) => ++calls == 1 ? throw new Transient { After = TimeSpan.FromSeconds(7) } : Task.FromResult(0),
                ex => RetryDecision.Retry(((Transient)ex).After), null, "test", default);
            Assert.Equal(new[] { TimeSpan.FromSeconds(7) }, clock.Waits); // beyond MaxDelay: the server's word counts
        }

        [Fact]
        public async Task StopsAtTheAttemptLimitAndOnPermanentErrors()
        {
            var (policy, _) = Policy(attempts: 3);
            int calls = 0;
            await Assert.ThrowsAsync<Transient>(() => policy.ExecuteAsync<int>((_, _) => { calls++; throw new Transient(); }, _ => RetryDecision.Retry(), null, "t", default));
            Assert.Equal(3, calls);
            calls = 0;
            await Assert.ThrowsAsync<InvalidOperationException>(() => policy.ExecuteAsync<int>((_, _) => { calls++; throw new InvalidOperationException(); }, _ => RetryDecision.Stop, null, "t", default));
            Assert.Equal(1, calls);
        }

        [Fact]
        public async Task StopsWhenTheNextWaitWouldExceedTheTotalBudget()
        {
            var (policy, clock) = Policy(attempts: 10, maxTotal: TimeSpan.FromSeconds(5));
            int calls = 0;
            await Assert.ThrowsAsync<Transient>(() => policy.ExecuteAsync<int>((_, _) => { calls++; throw new Transient { After = TimeSpan.FromSeconds(6) }; },
                ex => RetryDecision.Retry(((Transient)ex).After), null, "t", default));
            Assert.Equal(1, calls);
            Assert.Empty(clock.Waits);
        }

        [Theory]
        [InlineData(429, true)]
        [InlineData(503, true)]
        [InlineData(500, true)]
        [InlineData(408, true)]
        [InlineData(400, false)]
        [InlineData(401, false)]
        [InlineData(404, false)]
        public void HttpClassification(int status, bool retry)
        {
            Assert.Equal(retry, RetryPolicy.ClassifyHttp((HttpStatusCode)status, null, null).ShouldRetry);
        }

        [Fact]
        public void RetryAfterParsesSecondsAndDates()
        {
            var now = new DateTimeOffset(2026, 11, 23, 6, 0, 0, TimeSpan.Zero);
            Assert.Equal(TimeSpan.FromSeconds(3), RetryPolicy.ParseRetryAfter("3", now));
            Assert.Equal(TimeSpan.FromSeconds(30), RetryPolicy.ParseRetryAfter("Mon, 23 Nov 2026 06:00:30 GMT", now));
            Assert.Null(RetryPolicy.ParseRetryAfter("soon", now));
        }
    }
}
