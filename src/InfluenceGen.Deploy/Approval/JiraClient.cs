using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Approval
{
    /// <summary>
    /// The gate's JIRA calls over the module's <see cref="HttpStack"/>: GETs through the retry policy, POSTs
    /// (comment, transition) exactly once, because a POST may have been carried out even when its answer was
    /// lost. Turns JIRA's answers and errors into messages without the token.
    /// </summary>
    internal sealed class JiraClient
    {
        private readonly ChangeGateSettings _settings;
        private readonly ChangeGateOptions _options;

        public JiraClient(ChangeGateSettings settings, ChangeGateOptions options) { _settings = settings; _options = options; }

        /// <summary>Where JIRA is and how to authenticate; DeployException ConfigurationMissing names the setting that is not set.</summary>
        public JiraConnection Connect()
        {
            if (_settings.JiraBaseUrl == null)
                throw new DeployException(ErrorIds.ConfigurationMissing, ErrorKind.InvalidArgument, "JIRA_BASE_URL (JiraBaseUrl) is not set", "JiraBaseUrl");
            JiraFlavor flavor = JiraConnection.ParseFlavor(_settings.JiraFlavor, _settings.JiraBaseUrl);
            if (string.IsNullOrEmpty(_settings.Token))
                throw new DeployException(ErrorIds.ConfigurationMissing, ErrorKind.InvalidArgument,
                    "no JIRA token: set JIRA_API_TOKEN_SECRET or pass -Credential", "JiraApiToken");
            if (flavor == JiraFlavor.Cloud && string.IsNullOrEmpty(_settings.Username))
                throw new DeployException(ErrorIds.ConfigurationMissing, ErrorKind.InvalidArgument,
                    "JIRA Cloud needs the account e-mail: set JIRA_USERNAME or pass -Credential", "JiraUsername");
            return new JiraConnection(_settings.JiraBaseUrl, flavor, _settings.Username, _settings.Token!);
        }

        private HttpCall Call(JiraConnection jira, HttpMethod method, Uri uri, string what)
        {
            var call = new HttpCall(method, uri) { Timeout = _options.RequestTimeout, What = what, RetryOnTimeout = method == HttpMethod.Get };
            call.Headers["Authorization"] = jira.AuthorizationHeader;
            call.Headers["Accept"] = "application/json";
            return call;
        }

        /// <summary>A GET through the retry policy; the last answer whatever its status, or a transport exception.</summary>
        public Task<HttpAnswer> GetAsync(JiraConnection jira, Uri uri, string what, IDeployLog log, CancellationToken ct) =>
            _options.Http.SendAsync(Call(jira, HttpMethod.Get, uri, what), _options.Retry, log, ct);

        /// <summary>A GET whose failure (transport: JiraUnavailable; status: JiraRequestFailed) is a DeployException.</summary>
        public async Task<JObject> GetOrThrowAsync(JiraConnection jira, Uri uri, string what, string key, IDeployLog log, CancellationToken ct)
        {
            HttpAnswer answer;
            try
            {
                answer = await GetAsync(jira, uri, what, log, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTransport(ex))
            {
                throw new DeployException(ErrorIds.JiraUnavailable, ErrorKind.ConnectionError, $"{what}: {HttpStack.Describe(ex)}", key);
            }
            if (!answer.IsSuccess) throw StatusError(ErrorIds.JiraRequestFailed, what, answer, key);
            return ParseOrThrow(answer, key);
        }

        /// <summary>One POST (never repeated); its failure is a DeployException with <paramref name="errorId"/>.</summary>
        public async Task<HttpAnswer> PostOrThrowAsync(JiraConnection jira, Uri uri, JObject body, string what, string key, string errorId, CancellationToken ct)
        {
            HttpCall call = Call(jira, HttpMethod.Post, uri, what);
            call.JsonBody = body.ToString(Formatting.None);
            HttpAnswer answer;
            try
            {
                answer = await _options.Http.SendOnceAsync(call, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTransport(ex))
            {
                throw new DeployException(errorId, ErrorKind.ConnectionError, $"{what}: {HttpStack.Describe(ex)}", key);
            }
            if (!answer.IsSuccess) throw StatusError(errorId, what, answer, key);
            return answer;
        }

        public static bool IsTransport(Exception ex) =>
            ex is HttpCallTimeoutException || ex is HttpRequestException || ex is System.IO.IOException || ex is System.Net.Sockets.SocketException;

        private static DeployException StatusError(string errorId, string what, HttpAnswer answer, string key)
        {
            string detail = ErrorText(answer.Body);
            ErrorKind category = answer.StatusCode == 401 ? ErrorKind.AuthenticationError
                : answer.StatusCode == 403 ? ErrorKind.PermissionDenied
                : answer.StatusCode == 404 ? ErrorKind.ObjectNotFound
                : answer.StatusCode >= 500 ? ErrorKind.ConnectionError : ErrorKind.InvalidOperation;
            return new DeployException(errorId, category, $"{what}: JIRA answered {answer.StatusCode}" + (detail.Length > 0 ? $": {detail}" : string.Empty), key);
        }

        private static JObject ParseOrThrow(HttpAnswer answer, string key)
        {
            try { return ParseJson(answer.Body); }
            catch (JsonException ex)
            {
                throw new DeployException(ErrorIds.JiraMalformedAnswer, ErrorKind.InvalidResult, $"JIRA answered with a body that is not valid JSON ({Truncate(ex.Message, 120)})", key);
            }
        }

        /// <summary>Parses an object, keeping dates as text (JIRA's "created" is compared as written).</summary>
        public static JObject ParseJson(string body)
        {
            using var reader = new JsonTextReader(new System.IO.StringReader(body)) { DateParseHandling = DateParseHandling.None };
            JObject result = JObject.Load(reader);
            if (reader.Read() && reader.TokenType != JsonToken.Comment)
                throw new JsonReaderException("additional text after the JSON object");
            return result;
        }

        /// <summary>JIRA's error shape: {"errorMessages": [...], "errors": {"field": "message"}}.</summary>
        public static string ErrorText(string body)
        {
            if (string.IsNullOrWhiteSpace(body)) return string.Empty;
            try
            {
                JToken token = JToken.Parse(body);
                if (token is JObject o)
                {
                    var parts = new List<string>();
                    if (o["errorMessages"] is JArray messages) parts.AddRange(messages.Select(m => m.ToString()));
                    if (o["errors"] is JObject errors) parts.AddRange(errors.Properties().Select(p => $"{p.Name}: {p.Value}"));
                    if (o["message"] is JValue message) parts.Add(message.ToString());
                    return Truncate(SecretMasker.Default.Apply(string.Join("; ", parts.Where(p => p.Length > 0))) ?? string.Empty, 300);
                }
            }
            catch (JsonException) { }
            // Not JSON (a proxy's HTML page): no body text in the reason, just that.
            return body.TrimStart().StartsWith("<", StringComparison.Ordinal) ? "(an HTML page, not JIRA's JSON)" : Truncate(SecretMasker.Default.Apply(body.Trim()) ?? string.Empty, 200);
        }

        public static string Truncate(string s, int max) => s.Length <= max ? s : s.Substring(0, max) + "…";
    }
}
