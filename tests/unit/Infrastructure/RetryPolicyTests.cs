using System.Net;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Tests.Infrastructure
{
    public class RetryPolicyTests
    {
        private sealed class Transient : Exception { public TimeSpan? After; }

        private static (RetryPolicy Policy, List<TimeSpan> Waits) Policy(int attempts = 5, TimeSpan? maxTotal = null)
        {
            var waits = new List<TimeSpan>();
            var policy = new RetryPolicy(attempts, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2), maxTotal ?? TimeSpan.FromMinutes(1), seed: 42)
            {
                Delay = (d, _) => { waits.Add(d); return Task.CompletedTask; },
            };
            return (policy, waits);
        }

        [Fact]
        public async Task RetriesTransientFailuresWithGrowingJitteredBackoff()
        {
            var (policy, waits) = Policy();
            int calls = 0;
            int result = await policy.ExecuteAsync((n, _) => ++calls < 4 ? throw new Transient() : Task.FromResult(n),
                _ => RetryDecision.Retry(), null, "test", default);
            Assert.Equal(4, result);
            Assert.Equal(3, waits.Count);
            for (int i = 0; i < waits.Count; i++)
            {
                double cap = Math.Min(2000, 100 * Math.Pow(2, i));
                Assert.InRange(waits[i].TotalMilliseconds, cap / 2, cap);
            }
        }

        [Fact]
        public async Task HonoursRetryAfter()
        {
            var (policy, waits) = Policy();
            int calls = 0;
            await policy.ExecuteAsync((_, _) => ++calls == 1 ? throw new Transient { After = TimeSpan.FromSeconds(7) } : Task.FromResult(0),
                ex => RetryDecision.Retry(((Transient)ex).After), null, "test", default);
            Assert.Equal(new[] { TimeSpan.FromSeconds(7) }, waits);
        }

        [Fact]
        public async Task StopsAtTheAttemptLimitAndOnPermanentErrors()
        {
            var (policy, waits) = Policy(attempts: 3);
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
            var (policy, waits) = Policy(attempts: 10, maxTotal: TimeSpan.FromSeconds(5));
            int calls = 0;
            await Assert.ThrowsAsync<Transient>(() => policy.ExecuteAsync<int>((_, _) => { calls++; throw new Transient { After = TimeSpan.FromSeconds(6) }; },
                ex => RetryDecision.Retry(((Transient)ex).After), null, "t", default));
            Assert.Equal(1, calls);
            Assert.Empty(waits);
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
