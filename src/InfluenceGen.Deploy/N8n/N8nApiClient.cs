using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.N8n
{
    /// <summary>An n8n API call that failed; <see cref="StatusCode"/> is null for transport failures.</summary>
    public sealed class N8nApiException : DeployException
    {
        public N8nApiException(string errorId, ErrorKind category, string message, HttpStatusCode? status, object? target = null, Exception? inner = null)
            : base(errorId, category, message, target, inner)
        {
            StatusCode = status;
        }

        public HttpStatusCode? StatusCode { get; }
    }

    /// <summary>
    /// n8n's public REST API (<c>{base}/api/v1</c>, header X-N8N-API-KEY), the calls the publisher
    /// needs, over the module's <see cref="HttpStack"/>. Idempotent calls (GET, PUT, activate/deactivate,
    /// DELETE) go through the one <see cref="RetryPolicy"/> (429 with Retry-After, 5xx, connection resets);
    /// POST create does not retry (a retried create could make two workflows). The key is only ever put in
    /// the header; no message of this class contains it.
    /// </summary>
    public sealed class N8nApiClient : IDisposable
    {
        public const string ApiKeyHeader = "X-N8N-API-KEY";
        private readonly HttpStack _http;
        private readonly Uri _root;
        private readonly TimeSpan _timeout;
        private readonly RetryPolicy _retry;
        /// <summary>Where retries are reported (the publisher points it at the log of the current step).</summary>
        public IDeployLog Log { get; set; }
        private readonly string _display;

        /// <summary>Number of requests that changed something on the server (POST/PUT/DELETE), for tests and benches.</summary>
        public int Writes => _writes;
        private int _writes;

        /// <param name="baseUri">The n8n base URL (e.g. https://n8n.example.com); /api/v1 is appended
        /// unless the URL already ends with it.</param>
        /// <param name="handler">Transport (tests); default the module's shared <see cref="HttpStack"/>.</param>
        public N8nApiClient(Uri baseUri, string apiKey, IDeployLog log, RetryPolicy? retry = null, HttpMessageHandler? handler = null, TimeSpan? timeout = null)
        {
            if (string.IsNullOrEmpty(apiKey))
                throw new DeployException(ErrorIds.N8nApiKeyMissing, ErrorKind.InvalidArgument, "no n8n API key was given (-ApiKey, or the environment's *_N8N_API_KEY variable)");
            string root = baseUri.AbsoluteUri.TrimEnd('/');
            if (!root.EndsWith("/api/v1", StringComparison.OrdinalIgnoreCase)) root += "/api/v1";
            _display = root;
            _root = new Uri(root + "/");
            _http = handler != null ? new HttpStack(handler) : HttpStack.Default;
            _apiKey = apiKey;
            _timeout = timeout ?? TimeSpan.FromSeconds(60);
            _retry = retry ?? RetryPolicy.Default;
            Log = log;
        }

        private readonly string _apiKey;

        public string ApiRoot => _display;

        // ---- workflows ---------------------------------------------------------------------------

        /// <summary>The server's workflows (all pages), with nodes, connections, settings and tags;
        /// filtered on the server by a tag and/or a name when given.</summary>
        public async Task<List<JObject>> ListWorkflowsAsync(CancellationToken ct, string? tag = null, string? name = null)
        {
            var all = new List<JObject>();
            string? cursor = null;
            string filter = "&excludePinnedData=true" + (tag != null ? "&tags=" + Uri.EscapeDataString(tag) : "") + (name != null ? "&name=" + Uri.EscapeDataString(name) : "");
            do
            {
                string url = "workflows?limit=250" + filter + (cursor != null ? "&cursor=" + Uri.EscapeDataString(cursor) : "");
                JToken page = await SendAsync(HttpMethod.Get, url, null, idempotent: true, "list workflows", ct).ConfigureAwait(false);
                if (page["data"] is JArray data) all.AddRange(data.OfType<JObject>());
                cursor = (string?)page["nextCursor"];
            } while (!string.IsNullOrEmpty(cursor));
            return all;
        }

        /// <summary>One workflow, or null when the server has none with that id.</summary>
        public async Task<JObject?> GetWorkflowAsync(string id, CancellationToken ct)
        {
            try
            {
                return (JObject)await SendAsync(HttpMethod.Get, "workflows/" + Uri.EscapeDataString(id) + "?excludePinnedData=true", null, idempotent: true, $"read workflow {id}", ct).ConfigureAwait(false);
            }
            catch (N8nApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound || ex.StatusCode == HttpStatusCode.BadRequest) { return null; }
        }

        public async Task<JObject> CreateWorkflowAsync(JObject body, CancellationToken ct)
            => (JObject)await SendAsync(HttpMethod.Post, "workflows", body, idempotent: false, $"create workflow '{body["name"]}'", ct).ConfigureAwait(false);

        public async Task<JObject> UpdateWorkflowAsync(string id, JObject body, CancellationToken ct)
            => (JObject)await SendAsync(HttpMethod.Put, "workflows/" + Uri.EscapeDataString(id), body, idempotent: true, $"update workflow {id}", ct).ConfigureAwait(false);

        public async Task<JObject> ActivateAsync(string id, CancellationToken ct)
            => (JObject)await SendAsync(HttpMethod.Post, $"workflows/{Uri.EscapeDataString(id)}/activate", null, idempotent: true, $"activate workflow {id}", ct).ConfigureAwait(false);

        public async Task<JObject> DeactivateAsync(string id, CancellationToken ct)
            => (JObject)await SendAsync(HttpMethod.Post, $"workflows/{Uri.EscapeDataString(id)}/deactivate", null, idempotent: true, $"deactivate workflow {id}", ct).ConfigureAwait(false);

        /// <summary>Deletes a workflow; one already gone (404, e.g. after a retried delete) counts as deleted.</summary>
        public async Task DeleteWorkflowAsync(string id, CancellationToken ct)
        {
            try
            {
                await SendAsync(HttpMethod.Delete, "workflows/" + Uri.EscapeDataString(id), null, idempotent: true, $"delete workflow {id}", ct).ConfigureAwait(false);
            }
            catch (N8nApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound) { }
        }

        // ---- tags --------------------------------------------------------------------------------

        public async Task<List<JObject>> ListTagsAsync(CancellationToken ct)
        {
            var all = new List<JObject>();
            string? cursor = null;
            do
            {
                string url = "tags?limit=250" + (cursor != null ? "&cursor=" + Uri.EscapeDataString(cursor) : "");
                JToken page = await SendAsync(HttpMethod.Get, url, null, idempotent: true, "list tags", ct).ConfigureAwait(false);
                if (page["data"] is JArray data) all.AddRange(data.OfType<JObject>());
                cursor = (string?)page["nextCursor"];
            } while (!string.IsNullOrEmpty(cursor));
            return all;
        }

        public async Task<JObject> CreateTagAsync(string name, CancellationToken ct)
            => (JObject)await SendAsync(HttpMethod.Post, "tags", new JObject { ["name"] = name }, idempotent: false, $"create tag '{name}'", ct).ConfigureAwait(false);

        public async Task SetWorkflowTagsAsync(string id, IEnumerable<string> tagIds, CancellationToken ct)
            => await SendAsync(HttpMethod.Put, $"workflows/{Uri.EscapeDataString(id)}/tags", new JArray(tagIds.Select(t => new JObject { ["id"] = t })),
                idempotent: true, $"set tags of workflow {id}", ct).ConfigureAwait(false);

        // ---- transport ---------------------------------------------------------------------------

        private async Task<JToken> SendAsync(HttpMethod method, string relative, JToken? body, bool idempotent, string what, CancellationToken ct)
        {
            var call = new HttpCall(method, new Uri(_root, relative))
            {
                JsonBody = body?.ToString(Formatting.None),
                Timeout = _timeout,
                What = $"n8n {what}",
                // activate/deactivate are POSTs that n8n carries out idempotently; a create is never repeated.
                SafeToRepeat = idempotent,
                RetryOnTimeout = idempotent,
                AlsoRetry = StillUnpublishing,
            };
            if (!idempotent && method != HttpMethod.Post) throw new ArgumentException("only a POST may be non-idempotent", nameof(idempotent));
            call.Headers[ApiKeyHeader] = _apiKey;
            call.Headers["Accept"] = "application/json";
            HttpAnswer answer;
            try
            {
                answer = await _http.SendAsync(call, idempotent ? _retry : null, Log, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException || ex is IOException || ex is HttpCallTimeoutException || ex is System.Net.Sockets.SocketException)
            {
                throw new N8nApiException(ErrorIds.N8nUnreachable, ErrorKind.ConnectionError,
                    $"n8n at {_display} is unreachable while trying to {what}: {Innermost(ex)}", null, _display, ex)
                { RecommendedAction = "Check -BaseUri (or the environment's *_N8N_API_URL) and that n8n is running." };
            }
            var status = (HttpStatusCode)answer.StatusCode;
            if (!answer.IsSuccess)
            {
                int code = answer.StatusCode;
                string message = ServerMessage(answer.Body);
                if (code == 401 || code == 403)
                    throw new N8nApiException(ErrorIds.N8nUnauthorized, ErrorKind.AuthenticationError,
                        $"n8n at {_display} refused the API key ({code} {status}: {message}) while trying to {what}", status, _display)
                    { RecommendedAction = "Check the API key (-ApiKey or the environment's *_N8N_API_KEY): it must be a valid, unexpired n8n API key with workflow scopes." };
                throw new N8nApiException(code == 404 ? ErrorIds.N8nNotFound : code == 400 ? ErrorIds.N8nRejected : ErrorIds.N8nApiError,
                    code == 400 ? ErrorKind.InvalidData : code == 404 ? ErrorKind.ObjectNotFound : ErrorKind.InvalidResult,
                    $"n8n could not {what}: {code} {status}: {message}", status, _display);
            }
            if (method != HttpMethod.Get) Interlocked.Increment(ref _writes);
            if (string.IsNullOrWhiteSpace(answer.Body)) return new JObject();
            try { return JToken.Parse(answer.Body); }
            catch (JsonReaderException)
            {
                throw new N8nApiException(ErrorIds.N8nApiError, ErrorKind.InvalidResult,
                    $"n8n could not {what}: {answer.StatusCode} {status}: the server's answer is not JSON (is the URL n8n's?): {Shorten(answer.Body)}", status, _display);
            }
        }

        /// <summary>Beside the usual (429, 5xx, resets), n8n 2.x answers a delete right after a deactivation with
        /// 409 "Workflow is still being unpublished. Please try again in a few moments.": a conflict the server
        /// itself calls transient is retried too (only idempotent calls are ever retried).</summary>
        private static bool StillUnpublishing(HttpAnswer answer) =>
            answer.StatusCode == (int)HttpStatusCode.Conflict && ServerMessage(answer.Body).IndexOf("try again", StringComparison.OrdinalIgnoreCase) >= 0;

        private static string Innermost(Exception ex)
        {
            while (ex.InnerException != null) ex = ex.InnerException;
            return ex is HttpCallTimeoutException || ex is TaskCanceledException ? "the request timed out" : ex.Message;
        }

        private static string ServerMessage(string text)
        {
            try
            {
                if (JToken.Parse(text) is JObject o && o["message"] != null) return (string?)o["message"] ?? string.Empty;
            }
            catch (JsonReaderException) { }
            return Shorten(text);
        }

        private static string Shorten(string text)
        {
            text = text.Replace("\r", " ").Replace("\n", " ").Trim();
            return text.Length > 300 ? text.Substring(0, 300) + "…" : text;
        }

        /// <summary>Nothing to free: the stack is shared (or owned by the test that passed a handler).</summary>
        public void Dispose() { }
    }
}
