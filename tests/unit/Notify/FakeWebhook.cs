using System.Collections.Concurrent;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Tests.Notify
{
    /// <summary>
    /// A fake incoming-webhook endpoint with the documented behaviour of
    ///   Slack (api.slack.com/messaging/webhooks, "Handling errors"): POST JSON to
    ///     /services/T…/B…/secret; 200 "ok"; 400 "invalid_payload" (not JSON, or neither text nor
    ///     blocks); 404 "no_service" (unknown or revoked URL); 429 with Retry-After (rate limits:
    ///     api.slack.com/apis/rate-limits); all bodies text/plain.
    ///   Mattermost (developers.mattermost.com/integrate/webhooks/incoming/): POST JSON to
    ///     /hooks/&lt;26-character id&gt;; "text" and/or "attachments" (Slack-style attachments with
    ///     color, title, fields); 200 "ok"; 400 with Mattermost's JSON error
    ///     {"id","message","detailed_error","request_id","status_code"}.
    /// Scripted answers (429, 500, delays) are taken from <see cref="Script"/> first.
    /// </summary>
    public sealed class FakeWebhook : IDisposable
    {
        private readonly FakeHttpServer _server;

        public FakeWebhook(bool mattermost = false)
        {
            Mattermost = mattermost;
            string secret = Guid.NewGuid().ToString("N");
            HookPath = mattermost ? "/hooks/" + secret[..26] : $"/services/T0IGTEST01/B0IGTEST02/{secret[..24]}";
            _server = new FakeHttpServer(Handle);
        }

        public bool Mattermost { get; }
        public string HookPath { get; }
        /// <summary>The secret webhook URL.</summary>
        public Uri Url => new(_server.BaseUrl, HookPath);
        /// <summary>The secret part of the URL, for leak scans.</summary>
        public string SecretPart => HookPath.Split('/').Last();
        public ConcurrentQueue<FakeResponse> Script { get; } = new();
        public IReadOnlyList<RecordedRequest> Requests => _server.Requests;
        public List<JObject> Payloads => Requests.Where(r => r.Path == HookPath).Select(r => { try { return JObject.Parse(r.Body); } catch (JsonException) { return new JObject(); } }).ToList();

        private FakeResponse Handle(RecordedRequest r)
        {
            if (Script.TryDequeue(out FakeResponse? scripted)) return scripted;
            if (r.Method != "POST") return FakeResponse.Text(405, "invalid_method");
            if (r.Path != HookPath)
                return Mattermost
                    ? FakeResponse.Json(400, "{\"id\":\"web.incoming_webhook.invalid.app_error\",\"message\":\"Invalid webhook.\",\"detailed_error\":\"\",\"request_id\":\"x\",\"status_code\":400}")
                    : FakeResponse.Text(404, "no_service");
            JObject payload;
            try { payload = JObject.Parse(r.Body); }
            catch (JsonException)
            {
                return Mattermost
                    ? FakeResponse.Json(400, "{\"id\":\"web.incoming_webhook.parse.app_error\",\"message\":\"Unable to parse incoming data.\",\"detailed_error\":\"\",\"request_id\":\"x\",\"status_code\":400}")
                    : FakeResponse.Text(400, "invalid_payload");
            }
            if (Mattermost)
            {
                bool hasText = payload["text"] is JValue t && ((string?)t)?.Length > 0;
                if (!hasText && payload["attachments"] == null)
                    return FakeResponse.Json(400, "{\"id\":\"web.incoming_webhook.text.app_error\",\"message\":\"No text specified.\",\"detailed_error\":\"\",\"request_id\":\"x\",\"status_code\":400}");
                return FakeResponse.Text(200, "ok");
            }
            if (payload["text"] == null && payload["blocks"] == null) return FakeResponse.Text(400, "invalid_payload");
            if (payload["blocks"] is JToken blocks && !(blocks is JArray)) return FakeResponse.Text(400, "invalid_blocks");
            return FakeResponse.Text(200, "ok");
        }

        public void Dispose() => _server.Dispose();
    }
}
