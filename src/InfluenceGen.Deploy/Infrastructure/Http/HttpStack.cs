using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Flurl.Http;

namespace InfluenceGen.Deploy.Infrastructure
{
    /// <summary>One request: what to send, how patiently, and whether it may be repeated.</summary>
    public sealed class HttpCall
    {
        public HttpCall(HttpMethod method, Uri uri) { Method = method; Uri = uri; }
        public HttpMethod Method { get; }
        public Uri Uri { get; }
        public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        /// <summary>A JSON body (sent as application/json; charset=utf-8), or null.</summary>
        public string? JsonBody { get; set; }
        /// <summary>Any other body (e.g. XML-RPC) with its media type; ignored when <see cref="JsonBody"/> is set.</summary>
        public string? Body { get; set; }
        public string BodyType { get; set; } = "text/plain";
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
        /// <summary>
        /// May the retry policy repeat this call? By default only idempotent methods (GET, HEAD, OPTIONS, PUT,
        /// DELETE). A POST is repeated only when its caller sets this, because it knows a repeat cannot double
        /// anything (a read-only RPC, an activation that is idempotent on the server, a webhook that posts
        /// nothing when it answers 429/5xx). Never set it for a create.
        /// </summary>
        public bool SafeToRepeat { get; set; }
        /// <summary>Repeat after a timeout too (only for calls whose effect cannot double: GETs).</summary>
        public bool RetryOnTimeout { get; set; }
        /// <summary>Also repeat answers the usual rule keeps (e.g. n8n's 409 "try again in a few moments").</summary>
        public Func<HttpAnswer, bool>? AlsoRetry { get; set; }
        /// <summary>Shown in retry messages instead of the URL (which may be a secret).</summary>
        public string What { get; set; } = "HTTP request";

        internal bool Repeatable => SafeToRepeat || Method == HttpMethod.Get || Method == HttpMethod.Head || Method == HttpMethod.Options
                                    || Method == HttpMethod.Put || Method == HttpMethod.Delete;
    }

    /// <summary>One HTTP answer, read whole (these APIs answer small JSON or text bodies).</summary>
    public sealed class HttpAnswer
    {
        private readonly IReadOnlyDictionary<string, string> _headers;

        public HttpAnswer(int statusCode, string body, TimeSpan? retryAfter, string? contentType, IReadOnlyDictionary<string, string>? headers = null)
        {
            StatusCode = statusCode; Body = body; RetryAfter = retryAfter; ContentType = contentType;
            _headers = headers ?? new Dictionary<string, string>();
        }

        public int StatusCode { get; }
        public string Body { get; }
        /// <summary>The server's Retry-After (seconds or an HTTP date), as a wait from when it answered.</summary>
        public TimeSpan? RetryAfter { get; }
        public string? ContentType { get; }
        public bool IsSuccess => StatusCode >= 200 && StatusCode < 300;
        /// <summary>How many attempts it took (the retry policy may have repeated it).</summary>
        public int Attempts { get; internal set; } = 1;
        /// <summary>A response header (several values joined with ","), or null.</summary>
        public string? Header(string name) => _headers.TryGetValue(name, out string? v) ? v : null;
        /// <summary>Whether the one retry rule repeats this answer: 408, 429 and 5xx.</summary>
        public bool IsTransient => StatusCode == 408 || StatusCode == 429 || StatusCode >= 500;
    }

    /// <summary>No answer within the request's time limit (the caller did not cancel).</summary>
    public sealed class HttpCallTimeoutException : TimeoutException
    {
        public HttpCallTimeoutException(TimeSpan timeout) : base($"no answer within {timeout.TotalSeconds:0.##} s") { Timeout = timeout; }
        public TimeSpan Timeout { get; }
    }

    /// <summary>
    /// The module's one HTTP stack: Flurl.Http for the calls and the one <see cref="RetryPolicy"/> (Polly.Core)
    /// for retries. JIRA, the Slack/Mattermost webhooks, n8n's API, the deploy's health probe and
    /// Test-InfluenceGenEnvironment all go through it. Every answer comes back as an <see cref="HttpAnswer"/>
    /// (no status is an exception); transport failures are <see cref="HttpRequestException"/> or
    /// <see cref="HttpCallTimeoutException"/>; the caller's cancellation is an <see cref="OperationCanceledException"/>.
    /// Retries: 408, 429 (after its Retry-After), 5xx and connection failures, only for calls that may be
    /// repeated (<see cref="HttpCall.SafeToRepeat"/>), timeouts only with <see cref="HttpCall.RetryOnTimeout"/>.
    /// No message of this class contains the request URL: callers name a request with <see cref="HttpCall.What"/>,
    /// because a webhook URL is a secret (Flurl's own exception messages, which carry the URL, never leave here).
    /// </summary>
    public sealed class HttpStack
    {
        private static readonly Lazy<HttpStack> Shared = new Lazy<HttpStack>(() => new HttpStack(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }));
        private readonly IFlurlClient _client;

        /// <summary>The process-wide stack (one connection pool).</summary>
        public static HttpStack Default => Shared.Value;

        /// <summary>Over a handler of the caller's (proxy, certificates, a test's transport).</summary>
        public HttpStack(HttpMessageHandler handler)
            : this(new HttpClient(handler, disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan }) { }

        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<HttpClient, HttpStack> Wrapped =
            new System.Runtime.CompilerServices.ConditionalWeakTable<HttpClient, HttpStack>();

        /// <summary>The stack over an HttpClient of the caller's, one per client: Flurl takes the client's timeout
        /// over (and sets the client's own to infinite), which it can only do before the client's first request.</summary>
        public static HttpStack For(HttpClient http) => Wrapped.GetValue(http, h => new HttpStack(h));

        private HttpStack(HttpClient http)
        {
            ClientTimeout = http.Timeout;
            _client = new FlurlClient(http);
            _client.WithSettings(s =>
            {
                s.AllowedHttpStatusRange = "*";
                s.Redirects.Enabled = false;
                s.Timeout = null; // each call has its own limit (below), reported as HttpCallTimeoutException
            });
        }

        /// <summary>The wrapped client's Timeout as it was given (callers use it as their calls' limit).</summary>
        public TimeSpan ClientTimeout { get; }

        /// <summary>One attempt. Throws <see cref="HttpCallTimeoutException"/>, <see cref="HttpRequestException"/>,
        /// or <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is cancelled.</summary>
        public async Task<HttpAnswer> SendOnceAsync(HttpCall call, CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(call.Timeout);
            IFlurlRequest request = _client.Request(new Flurl.Url(call.Uri));
            foreach (KeyValuePair<string, string> header in call.Headers) request.WithHeader(header.Key, header.Value);
            HttpContent? content = call.JsonBody != null ? new StringContent(call.JsonBody, new UTF8Encoding(false), "application/json")
                : call.Body != null ? new StringContent(call.Body, new UTF8Encoding(false), call.BodyType) : null;
            try
            {
                using IFlurlResponse response = await request.SendAsync(call.Method, content, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                HttpResponseMessage message = response.ResponseMessage;
                string body = message.Content == null ? string.Empty : await message.Content.ReadAsStringAsync().ConfigureAwait(false);
                var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var (name, value) in response.Headers) headers[name] = headers.TryGetValue(name, out string? before) ? before + "," + value : value;
                return new HttpAnswer(response.StatusCode, body, RetryAfterOf(message), message.Content?.Headers.ContentType?.MediaType, headers);
            }
            catch (Exception ex) when (ex is OperationCanceledException || ex is FlurlHttpException)
            {
                if (cancellationToken.IsCancellationRequested) throw new OperationCanceledException(cancellationToken);
                if (ex is FlurlHttpTimeoutException || ex is OperationCanceledException || ex.InnerException is OperationCanceledException)
                    throw new HttpCallTimeoutException(call.Timeout);
                // Flurl's message names the URL; keep only the transport's own (host and port at most).
                Exception? inner = ex.InnerException;
                if (inner == null) throw new HttpRequestException($"{call.What} failed without an answer");
                throw inner as HttpRequestException ?? new HttpRequestException(inner.Message, inner);
            }
        }

        /// <summary>
        /// Sends through <paramref name="retry"/> when the call may be repeated: a retryable status (408, 429,
        /// 5xx, or <see cref="HttpCall.AlsoRetry"/>) is repeated while the policy allows and the last answer is
        /// returned (never thrown); transport failures that outlast the policy are thrown, with the number of
        /// attempts in <see cref="AttemptsOf"/>.
        /// </summary>
        public async Task<HttpAnswer> SendAsync(HttpCall call, RetryPolicy? retry, IDeployLog? log, CancellationToken cancellationToken)
        {
            if (retry == null || !call.Repeatable) return await SendOnceAsync(call, cancellationToken).ConfigureAwait(false);
            int attempts = 0;
            try
            {
                HttpAnswer answer = await retry.ExecuteAsync(async (n, ct) =>
                {
                    attempts = n;
                    HttpAnswer a = await SendOnceAsync(call, ct).ConfigureAwait(false);
                    if (a.IsTransient || call.AlsoRetry?.Invoke(a) == true) throw new RetryableAnswer(a);
                    return a;
                }, ex => Classify(ex, call), log, call.What, cancellationToken).ConfigureAwait(false);
                answer.Attempts = attempts;
                return answer;
            }
            catch (RetryableAnswer last)
            {
                last.Answer.Attempts = attempts;
                return last.Answer;
            }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                ex.Data[AttemptsKey] = attempts;
                throw;
            }
        }

        private static RetryDecision Classify(Exception ex, HttpCall call)
        {
            switch (ex)
            {
                case RetryableAnswer a:
                    return RetryDecision.Retry(a.Answer.RetryAfter);
                case HttpCallTimeoutException _:
                    return call.RetryOnTimeout ? RetryDecision.Retry() : RetryDecision.Stop;
                case HttpRequestException _:
                case System.IO.IOException _:
                case System.Net.Sockets.SocketException _:
                    return RetryDecision.Retry();
                default:
                    return RetryDecision.Stop;
            }
        }

        private static TimeSpan? RetryAfterOf(HttpResponseMessage message)
        {
            var header = message.Headers.RetryAfter;
            if (header?.Delta is TimeSpan delta) return delta;
            if (header?.Date is DateTimeOffset at) return at > DateTimeOffset.UtcNow ? at - DateTimeOffset.UtcNow : TimeSpan.Zero;
            return message.Headers.TryGetValues("Retry-After", out IEnumerable<string>? raw)
                ? RetryPolicy.ParseRetryAfter(string.Join(",", raw), DateTimeOffset.UtcNow)
                : null;
        }

        /// <summary>Key of Exception.Data holding how many attempts were made before a transport failure.</summary>
        public const string AttemptsKey = "InfluenceGen.Attempts";

        /// <summary>How many attempts an exception thrown by <see cref="SendAsync"/> ended (1 when unknown).</summary>
        public static int AttemptsOf(Exception ex) => ex.Data[AttemptsKey] is int n ? n : 1;

        /// <summary>A short, URL-free description of a transport failure.</summary>
        public static string Describe(Exception ex)
        {
            if (ex is HttpCallTimeoutException) return ex.Message;
            Exception inner = ex;
            while (inner.InnerException != null) inner = inner.InnerException;
            string text = inner.Message;
            return inner == ex || ex.Message.Contains(text) ? ex.Message : $"{ex.Message} ({text})";
        }

        private sealed class RetryableAnswer : Exception
        {
            public RetryableAnswer(HttpAnswer answer) : base($"HTTP {answer.StatusCode}") { Answer = answer; }
            public HttpAnswer Answer { get; }
        }
    }
}
