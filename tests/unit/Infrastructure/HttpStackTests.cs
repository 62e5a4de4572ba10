using System.Diagnostics;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Threading;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Tests.Approval;
using InfluenceGen.Deploy.Tests.Notify;

namespace InfluenceGen.Deploy.Tests.Infrastructure
{
    /// <summary>The one HTTP stack (Flurl.Http + the Polly retry policy) against real listeners on 127.0.0.1:
    /// what is repeated and how often, what never is, Retry-After in both forms, and cancellation.</summary>
    [Trait("Category", "Fast")]
    public class HttpStackTests
    {
        private static RetryPolicy Fast(int attempts = 4, TimeProvider? clock = null) =>
            new(maxAttempts: attempts, baseDelay: TimeSpan.FromMilliseconds(10), maxDelay: TimeSpan.FromMilliseconds(50), maxTotal: TimeSpan.FromSeconds(20))
            { TimeProvider = clock ?? TimeProvider.System };

        private static HttpCall Get(Uri url, string path = "/x") => new(HttpMethod.Get, new Uri(url, path)) { Timeout = TimeSpan.FromSeconds(5), What = "test GET" };
        private static HttpCall Post(Uri url, string path = "/x") => new(HttpMethod.Post, new Uri(url, path)) { JsonBody = "{\"a\":1}", Timeout = TimeSpan.FromSeconds(5), What = "test POST" };

        /// <summary>Answers the scripted responses in order, then 200.</summary>
        private static FakeHttpServer Scripted(params FakeResponse[] answers)
        {
            var queue = new System.Collections.Concurrent.ConcurrentQueue<FakeResponse>(answers);
            return new FakeHttpServer(_ => queue.TryDequeue(out FakeResponse? r) ? r : FakeResponse.Json(200, "{\"ok\":true}"));
        }

        private static FakeResponse TooMany(string retryAfter) => new() { Status = 429, Body = "slow down", ContentType = "text/plain", Headers = { ["Retry-After"] = retryAfter } };

        /// <summary>Accepts connections, reads the request, and resets the connection (RST) without answering.</summary>
        private sealed class ResettingServer : IDisposable
        {
            private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
            private int _connections;
            public ResettingServer()
            {
                _listener.Start();
                _ = Task.Run(async () =>
                {
                    while (true)
                    {
                        Socket socket;
                        try { socket = await _listener.AcceptSocketAsync(); } catch (Exception) { return; }
                        Interlocked.Increment(ref _connections);
                        try { await socket.ReceiveAsync(new byte[4096], SocketFlags.None); } catch (Exception) { }
                        socket.LingerState = new LingerOption(true, 0);
                        socket.Close();
                    }
                });
            }
            public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
            public int Connections => Volatile.Read(ref _connections);
            public void Dispose() => _listener.Stop();
        }

        [Fact]
        public async Task A_429_is_repeated_after_its_Retry_After_in_seconds()
        {
            using var server = Scripted(TooMany("1"));
            var log = new RecordingLog();
            HttpAnswer answer = await HttpStack.Default.SendAsync(Get(server.BaseUrl), Fast(), log, default);
            Assert.Equal(200, answer.StatusCode);
            Assert.Equal(2, answer.Attempts);
            TimeSpan gap = server.Requests[1].At - server.Requests[0].At;
            Assert.InRange(gap.TotalMilliseconds, 950, 3000);
            Assert.Contains("test GET: attempt 1 failed (HTTP 429); retrying in 1 s", log.All);
        }

        [Fact]
        public async Task A_429_is_repeated_after_its_Retry_After_as_an_HTTP_date()
        {
            var clock = new RecordingTimeProvider();
            string at = DateTimeOffset.UtcNow.AddSeconds(3).ToString("r");
            using var server = Scripted(TooMany(at));
            HttpAnswer answer = await HttpStack.Default.SendAsync(Get(server.BaseUrl), Fast(clock: clock), null, default);
            Assert.Equal(200, answer.StatusCode);
            Assert.Equal(2, server.Requests.Count);
            TimeSpan wait = Assert.Single(clock.Waits);
            Assert.InRange(wait.TotalSeconds, 1, 3); // the date has whole seconds; the backoff alone would be <= 50 ms
        }

        [Fact]
        public async Task A_Retry_After_beyond_the_total_budget_ends_the_retries_with_the_429()
        {
            var clock = new RecordingTimeProvider();
            using var server = Scripted(TooMany("3600"));
            HttpAnswer answer = await HttpStack.Default.SendAsync(Get(server.BaseUrl), Fast(clock: clock), null, default);
            Assert.Equal(429, answer.StatusCode);
            Assert.Equal(1, answer.Attempts);
            Assert.Single(server.Requests);
            Assert.Empty(clock.Waits);
        }

        [Fact]
        public async Task Server_errors_are_repeated_up_to_the_attempt_limit_and_the_last_answer_returned()
        {
            using var server = new FakeHttpServer(_ => FakeResponse.Text(503, "busy"));
            HttpAnswer answer = await HttpStack.Default.SendAsync(Get(server.BaseUrl), Fast(attempts: 4), null, default);
            Assert.Equal(503, answer.StatusCode);
            Assert.Equal("busy", answer.Body);
            Assert.Equal(4, answer.Attempts);
            Assert.Equal(4, server.Requests.Count);
        }

        [Fact]
        public async Task A_POST_is_sent_once_unless_its_caller_marks_it_safe_to_repeat()
        {
            using var server = new FakeHttpServer(_ => FakeResponse.Text(503, "busy"));
            HttpAnswer once = await HttpStack.Default.SendAsync(Post(server.BaseUrl), Fast(), null, default);
            Assert.Equal(503, once.StatusCode);
            Assert.Equal(1, once.Attempts);
            Assert.Single(server.Requests);

            HttpCall safe = Post(server.BaseUrl);
            safe.SafeToRepeat = true;
            HttpAnswer repeated = await HttpStack.Default.SendAsync(safe, Fast(attempts: 3), null, default);
            Assert.Equal(3, repeated.Attempts);
            Assert.Equal(4, server.Requests.Count);
            Assert.All(server.Requests, r => Assert.Equal("{\"a\":1}", r.Body));
        }

        [Fact]
        public async Task Connection_resets_are_repeated_for_a_GET_but_not_for_a_POST_and_never_name_the_path()
        {
            using var server = new ResettingServer();
            var log = new RecordingLog();
            var ex = await Assert.ThrowsAsync<HttpRequestException>(() => HttpStack.Default.SendAsync(Get(server.Url, "/services/T0/B0/secretsecretpath"), Fast(attempts: 3), log, default));
            Assert.Equal(3, HttpStack.AttemptsOf(ex));
            Assert.Equal(3, server.Connections);
            Assert.DoesNotContain("secretsecretpath", ex.ToString() + HttpStack.Describe(ex) + log.All);

            var post = await Assert.ThrowsAsync<HttpRequestException>(() => HttpStack.Default.SendAsync(Post(server.Url, "/services/T0/B0/secretsecretpath"), Fast(attempts: 3), log, default));
            Assert.Equal(1, HttpStack.AttemptsOf(post));
            Assert.Equal(4, server.Connections);
            Assert.DoesNotContain("secretsecretpath", post.ToString());
        }

        [Fact]
        public async Task A_URL_the_transport_refuses_is_a_transport_error_without_the_URL()
        {
            // Flurl's exception names the URL; the stack keeps only the transport's reason.
            var call = new HttpCall(HttpMethod.Post, new Uri("ftp://127.0.0.1/services/T0/B0/secretsecretpath")) { JsonBody = "{}", What = "test POST" };
            var ex = await Assert.ThrowsAsync<HttpRequestException>(() => HttpStack.Default.SendAsync(call, Fast(), null, default));
            Assert.DoesNotContain("secretsecretpath", ex.ToString() + HttpStack.Describe(ex));
        }

        [Fact]
        public async Task A_callers_HttpClient_is_wrapped_once_and_keeps_its_timeout_as_the_calls_limit()
        {
            using var server = Scripted();
            var http = new HttpClient { Timeout = TimeSpan.FromSeconds(7) };
            HttpStack first = HttpStack.For(http);
            Assert.Equal(200, (await first.SendOnceAsync(Get(server.BaseUrl), default)).StatusCode);
            // a second user of the same client after its first request (a health check run again during an undo)
            HttpStack again = HttpStack.For(http);
            Assert.Same(first, again);
            Assert.Equal(TimeSpan.FromSeconds(7), again.ClientTimeout);
            Assert.Equal(200, (await again.SendOnceAsync(Get(server.BaseUrl), default)).StatusCode);
        }

        [Fact]
        public async Task A_timeout_is_its_own_exception_and_repeated_only_when_asked()
        {
            using var server = new FakeHttpServer(_ => new FakeResponse { Status = 200, Body = "late", Delay = TimeSpan.FromSeconds(5) });
            HttpCall call = Get(server.BaseUrl);
            call.Timeout = TimeSpan.FromMilliseconds(200);
            var ex = await Assert.ThrowsAsync<HttpCallTimeoutException>(() => HttpStack.Default.SendAsync(call, Fast(attempts: 3), null, default));
            Assert.Equal(1, HttpStack.AttemptsOf(ex));
            call.RetryOnTimeout = true;
            ex = await Assert.ThrowsAsync<HttpCallTimeoutException>(() => HttpStack.Default.SendAsync(call, Fast(attempts: 3), null, default));
            Assert.Equal(3, HttpStack.AttemptsOf(ex));
        }

        [Fact]
        public async Task Cancellation_ends_a_call_in_flight_and_a_retry_wait_at_once()
        {
            using var slow = new FakeHttpServer(_ => new FakeResponse { Status = 200, Body = "late", Delay = TimeSpan.FromSeconds(5) });
            using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200)))
            {
                var watch = Stopwatch.StartNew();
                var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => HttpStack.Default.SendAsync(Get(slow.BaseUrl), Fast(), null, cts.Token));
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
                Assert.Equal(cts.Token, ex.CancellationToken);
            }

            using var limited = new FakeHttpServer(_ => TooMany("10"));
            using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300)))
            {
                var watch = Stopwatch.StartNew();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => HttpStack.Default.SendAsync(Get(limited.BaseUrl), Fast(), null, cts.Token));
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
                Assert.Single(limited.Requests);
            }
        }
    }
}
