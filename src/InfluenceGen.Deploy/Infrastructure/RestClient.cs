using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace InfluenceGen.Deploy.Infrastructure
{
    /// <summary>One HTTP answer, read whole (these APIs answer small JSON or text bodies).</summary>
    public sealed class RestResponse
    {
        public RestResponse(HttpStatusCode status, string body, TimeSpan? retryAfter, string? contentType)
        {
            Status = status; Body = body; RetryAfter = retryAfter; ContentType = contentType;
        }

        public HttpStatusCode Status { get; }
        public int StatusCode => (int)Status;
        public string Body { get; }
        public TimeSpan? RetryAfter { get; }
        public string? ContentType { get; }
        public bool IsSuccess => StatusCode >= 200 && StatusCode < 300;
        /// <summary>How many attempts it took (the retry policy may have repeated it).</summary>
        public int Attempts { get; internal set; } = 1;
    }

    /// <summary>No answer within the request's time limit (the caller did not cancel).</summary>
    public sealed class RestTimeoutException : TimeoutException
    {
        public RestTimeoutException(TimeSpan timeout) : base($"no answer within {timeout.TotalSeconds:0.##} s") { Timeout = timeout; }
        public TimeSpan Timeout { get; }
    }

    /// <summary>One request: what to send and how patiently.</summary>
    public sealed class RestRequest
    {
        public RestRequest(HttpMethod method, Uri uri) { Method = method; Uri = uri; }
        public HttpMethod Method { get; }
        public Uri Uri { get; }
        public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        /// <summary>A JSON body (sent as application/json; charset=utf-8), or null.</summary>
        public string? JsonBody { get; set; }
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
        /// <summary>Repeat after a timeout (only for calls whose effect cannot double: GETs).</summary>
        public bool RetryOnTimeout { get; set; }
        /// <summary>Shown in retry messages instead of the URL (which may be a secret).</summary>
        public string What { get; set; } = "HTTP request";
    }

    /// <summary>
    /// The module's small HTTP helper for JSON/text APIs (JIRA, Slack/Mattermost webhooks, and any
    /// other REST client that wants it): one shared HttpClient per handler, a per-request time limit
    /// that is reported as <see cref="RestTimeoutException"/> (not as cancellation), and optional
    /// retries through the one <see cref="RetryPolicy"/> (429 with Retry-After, 408, 5xx, refused
    /// connections; timeouts only when <see cref="RestRequest.RetryOnTimeout"/>).
    /// It never writes the request URL into any message: callers name the request with
    /// <see cref="RestRequest.What"/>, because a webhook URL is a secret.
    /// </summary>
    public sealed class RestClient
    {
        private static readonly Lazy<HttpClient> SharedClient = new Lazy<HttpClient>(() => Create(new HttpClientHandler()));
        private readonly HttpClient _http;

        public RestClient() { _http = SharedClient.Value; }

        /// <summary>With a custom handler (proxy, certificates, tests).</summary>
        public RestClient(HttpMessageHandler handler) { _http = Create(handler); }

        public static RestClient Default { get; } = new RestClient();

        private static HttpClient Create(HttpMessageHandler handler) =>
            new HttpClient(handler, disposeHandler: false) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

        /// <summary>One attempt. Throws <see cref="RestTimeoutException"/>, <see cref="HttpRequestException"/>,
        /// or <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is cancelled.</summary>
        public async Task<RestResponse> SendOnceAsync(RestRequest request, CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(request.Timeout);
            using var message = new HttpRequestMessage(request.Method, request.Uri);
            foreach (KeyValuePair<string, string> header in request.Headers)
                message.Headers.TryAddWithoutValidation(header.Key, header.Value);
            if (request.JsonBody != null)
                message.Content = new StringContent(request.JsonBody, new UTF8Encoding(false), "application/json");
            try
            {
                using HttpResponseMessage response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                string body = response.Content == null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                TimeSpan? retryAfter = response.Headers.RetryAfter?.Delta
                    ?? (response.Headers.RetryAfter?.Date is DateTimeOffset at ? (at > DateTimeOffset.UtcNow ? at - DateTimeOffset.UtcNow : TimeSpan.Zero) : (TimeSpan?)null);
                if (retryAfter == null && response.Headers.TryGetValues("Retry-After", out IEnumerable<string>? raw))
                    retryAfter = RetryPolicy.ParseRetryAfter(string.Join(",", raw), DateTimeOffset.UtcNow);
                return new RestResponse(response.StatusCode, body, retryAfter, response.Content?.Headers.ContentType?.MediaType);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new RestTimeoutException(request.Timeout);
            }
        }

        /// <summary>
        /// Sends with retries: a retryable status (408, 429, 5xx) is repeated while the policy allows
        /// and the last answer is returned (never thrown); transport failures that outlast the policy
        /// are thrown. Use for idempotent calls, or for calls a 429/5xx proves were not carried out.
        /// </summary>
        public async Task<RestResponse> SendAsync(RestRequest request, RetryPolicy? retry, IDeployLog? log, CancellationToken cancellationToken)
        {
            if (retry == null) return await SendOnceAsync(request, cancellationToken).ConfigureAwait(false);
            int attempts = 0;
            try
            {
                RestResponse response = await retry.ExecuteAsync(async (n, ct) =>
                {
                    attempts = n;
                    RestResponse r = await SendOnceAsync(request, ct).ConfigureAwait(false);
                    int code = r.StatusCode;
                    if (code == 408 || code == 429 || code >= 500) throw new RetryableStatusException(r);
                    return r;
                }, ex => Classify(ex, request), log, request.What, cancellationToken).ConfigureAwait(false);
                response.Attempts = attempts;
                return response;
            }
            catch (RetryableStatusException last)
            {
                last.Response.Attempts = attempts;
                return last.Response;
            }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                ex.Data[AttemptsKey] = attempts;
                throw;
            }
        }

        private static RetryDecision Classify(Exception ex, RestRequest request)
        {
            switch (ex)
            {
                case RetryableStatusException s:
                    return RetryPolicy.ClassifyHttp(s.Response.Status, s.Response.RetryAfter, null);
                case RestTimeoutException _:
                    return request.RetryOnTimeout ? RetryDecision.Retry() : RetryDecision.Stop;
                case HttpRequestException _:
                case System.IO.IOException _:
                case System.Net.Sockets.SocketException _:
                    return RetryDecision.Retry();
                default:
                    return RetryDecision.Stop;
            }
        }

        /// <summary>Key of Exception.Data holding how many attempts were made before a transport failure.</summary>
        public const string AttemptsKey = "InfluenceGen.Attempts";

        /// <summary>How many attempts an exception thrown by <see cref="SendAsync"/> ended (1 when unknown).</summary>
        public static int AttemptsOf(Exception ex) => ex.Data[AttemptsKey] is int n ? n : 1;

        /// <summary>A short, URL-free description of a transport failure.</summary>
        public static string Describe(Exception ex)
        {
            if (ex is RestTimeoutException) return ex.Message;
            Exception inner = ex;
            while (inner.InnerException != null) inner = inner.InnerException;
            string text = inner.Message;
            return inner == ex || ex.Message.Contains(text) ? ex.Message : $"{ex.Message} ({text})";
        }

        private sealed class RetryableStatusException : Exception
        {
            public RetryableStatusException(RestResponse response) : base($"HTTP {response.StatusCode}") { Response = response; }
            public RestResponse Response { get; }
        }
    }
}
