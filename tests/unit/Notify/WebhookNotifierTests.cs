using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Notify;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Tests.Notify
{
    /// <summary>The notifier against fake Slack / Mattermost webhooks (see FakeWebhook for the
    /// documentation followed: api.slack.com/messaging/webhooks, developers.mattermost.com/integrate/webhooks/incoming/).</summary>
    [Trait("Category", "Fast")]
    public sealed class WebhookNotifierTests
    {
        private static readonly JobContext Ci = JobContext.From(new Dictionary<string, string>
        {
            ["CI_PROJECT_PATH"] = "influencegen/deploy",
            ["CI_COMMIT_REF_NAME"] = "main",
            ["CI_COMMIT_SHA"] = "abc1234def5678900000000000000000000000000",
            ["CI_PIPELINE_URL"] = "https://gitlab.com/influencegen/deploy/-/pipelines/4711",
            ["CI_JOB_URL"] = "https://gitlab.com/influencegen/deploy/-/jobs/99",
            ["CI_JOB_NAME"] = "deploy:production",
        });

        private static Notice Notice(NoticeStatus status = NoticeStatus.Success, NoticeChannel channel = NoticeChannel.Info) => new()
        {
            Message = "Release 20261123 deployed: 3 addons, 2 workflows <ok> & done",
            Status = status,
            Channel = channel,
            Environment = "production",
            Fields = { new("Release", "20261123-0600-abc1234"), new("Addons upgraded", "ig_base, ig_influencer") },
            Context = Ci,
        };

        private static NotifierOptions Fast(TimeSpan? timeout = null) => new()
        {
            RequestTimeout = timeout ?? TimeSpan.FromSeconds(5),
            Retry = new RetryPolicy(maxAttempts: 4, baseDelay: TimeSpan.FromMilliseconds(10), maxDelay: TimeSpan.FromMilliseconds(50), maxTotal: TimeSpan.FromSeconds(20)),
        };

        private static async Task<(NoticeResult Result, RecordingLog Log)> Send(FakeWebhook hook, Notice notice, NotifierOptions? options = null, bool enabled = true, Uri? critical = null)
        {
            var log = new RecordingLog();
            var notifier = new WebhookNotifier(hook.Url, critical, enabled, WebhookFlavor.Auto, options ?? Fast());
            NoticeResult result = await notifier.SendAsync(notice, log, CancellationToken.None);
            string all = log.All + result.Reason + result.Response + result.WebhookHost + result.Message;
            Assert.DoesNotContain(hook.SecretPart, all);
            Assert.DoesNotContain(hook.HookPath, all);
            return (result, log);
        }

        [Fact]
        public async Task Slack_gets_block_kit_with_the_gitlab_context()
        {
            using var hook = new FakeWebhook();
            var (result, _) = await Send(hook, Notice());
            Assert.True(result.Delivered, result.Reason);
            Assert.Equal(WebhookFlavor.Slack, result.Flavor);
            Assert.Equal(200, result.HttpStatus);
            Assert.Equal("ok", result.Response);
            Assert.Equal(1, result.Attempts);
            Assert.Equal("127.0.0.1", result.WebhookHost);

            JObject payload = Assert.Single(hook.Payloads);
            Assert.StartsWith("influencegen/deploy → production: Succeeded: Release 20261123", (string?)payload["text"]);
            var blocks = (JArray)payload["blocks"]!;
            Assert.Equal(new[] { "header", "section", "section", "context" }, blocks.Select(b => (string?)b["type"]));
            Assert.Equal("plain_text", (string?)blocks[0]["text"]!["type"]);
            Assert.Contains("&lt;ok&gt; &amp; done", (string?)blocks[1]["text"]!["text"]);
            Assert.Equal(new[] { "*Environment*\nproduction", "*Release*\n20261123-0600-abc1234", "*Addons upgraded*\nig_base, ig_influencer" },
                blocks[2]["fields"]!.Select(f => (string?)f["text"]));
            string context = string.Join(" ", blocks[3]["elements"]!.Select(e => (string?)e["text"]));
            Assert.Contains("influencegen/deploy", context);
            Assert.Contains("ref `main`", context);
            Assert.Contains("commit `abc1234d`", context);
            Assert.Contains("<https://gitlab.com/influencegen/deploy/-/pipelines/4711|pipeline>", context);
            Assert.Contains("<https://gitlab.com/influencegen/deploy/-/jobs/99|job deploy:production>", context);
            Assert.Equal("application/json; charset=utf-8", hook.Requests.Single().Header("Content-Type"));
        }

        [Fact]
        public async Task Mattermost_is_detected_from_the_hooks_path_and_gets_text_and_attachments()
        {
            using var hook = new FakeWebhook(mattermost: true);
            var (result, _) = await Send(hook, Notice(NoticeStatus.Failure));
            Assert.True(result.Delivered, result.Reason);
            Assert.Equal(WebhookFlavor.Mattermost, result.Flavor);
            JObject payload = Assert.Single(hook.Payloads);
            Assert.Null(payload["blocks"]);
            Assert.Equal(":x: **influencegen/deploy → production: Failed**", (string?)payload["text"]);
            var attachment = (JObject)payload["attachments"]![0]!;
            Assert.Equal("#E01E5A", (string?)attachment["color"]);
            Assert.Contains(attachment["fields"]!, f => (string?)f["title"] == "Release" && (string?)f["value"] == "20261123-0600-abc1234");
            Assert.Contains(attachment["fields"]!, f => (string?)f["title"] == "GitLab" && ((string?)f["value"])!.Contains("[pipeline](https://gitlab.com/influencegen/deploy/-/pipelines/4711)"));
        }

        [Fact]
        public void Detects_the_flavor_from_the_url()
        {
            Assert.Equal(WebhookFlavor.Slack, WebhookNotifier.Detect(new Uri("https://hooks.slack.com/services/T000/B000/XXXX")));
            Assert.Equal(WebhookFlavor.Mattermost, WebhookNotifier.Detect(new Uri("https://chat.influencegen.example/hooks/xi8qczz9q3ft9xyd4z5sgbbdqh")));
            Assert.Equal(WebhookFlavor.Slack, WebhookNotifier.Detect(new Uri("https://proxy.example/slack/relay")));
        }

        [Fact]
        public async Task Slack_429_is_retried_after_the_advertised_delay()
        {
            using var hook = new FakeWebhook();
            hook.Script.Enqueue(new FakeResponse { Status = 429, Body = "rate_limited", ContentType = "text/plain", Headers = { ["Retry-After"] = "1" } });
            var (result, log) = await Send(hook, Notice());
            Assert.True(result.Delivered, result.Reason);
            Assert.Equal(2, result.Attempts);
            var requests = hook.Requests;
            Assert.Equal(2, requests.Count);
            TimeSpan gap = requests[1].At - requests[0].At;
            Assert.True(gap >= TimeSpan.FromMilliseconds(950), $"retried after {gap.TotalMilliseconds} ms, Retry-After said 1 s");
            Assert.True(gap < TimeSpan.FromSeconds(3), $"retried after {gap.TotalMilliseconds} ms");
            Assert.Contains("retrying in 1 s", log.All);
        }

        [Fact]
        public async Task Server_errors_are_retried_then_delivered()
        {
            using var hook = new FakeWebhook();
            hook.Script.Enqueue(FakeResponse.Text(500, "internal_error"));
            hook.Script.Enqueue(FakeResponse.Text(503, "service_unavailable"));
            var (result, _) = await Send(hook, Notice());
            Assert.True(result.Delivered, result.Reason);
            Assert.Equal(3, result.Attempts);
        }

        [Fact]
        public async Task Persistent_server_errors_end_undelivered_within_the_policy()
        {
            using var hook = new FakeWebhook();
            for (int i = 0; i < 10; i++) hook.Script.Enqueue(FakeResponse.Text(500, "internal_error"));
            var (result, _) = await Send(hook, Notice());
            Assert.False(result.Delivered);
            Assert.Equal(4, result.Attempts);
            Assert.Equal(4, hook.Requests.Count);
            Assert.Contains("Slack answered 500 internal_error (server error) after 4 attempts", result.Reason);
        }

        [Fact]
        public async Task Invalid_payload_is_not_retried()
        {
            using var hook = new FakeWebhook();
            hook.Script.Enqueue(FakeResponse.Text(400, "invalid_payload"));
            var (result, _) = await Send(hook, Notice());
            Assert.False(result.Delivered);
            Assert.Equal(400, result.HttpStatus);
            Assert.Equal("Slack answered 400 invalid_payload (the message was malformed)", result.Reason);
            Assert.Single(hook.Requests);
        }

        [Fact]
        public async Task Revoked_webhook_404_no_service_is_reported_without_the_url()
        {
            using var hook = new FakeWebhook();
            var wrong = new Uri(hook.Url, "/services/T0IGTEST01/B0IGTEST02/revokedrevokedrevoked1");
            var log = new RecordingLog();
            NoticeResult result = await new WebhookNotifier(wrong, null, options: Fast()).SendAsync(Notice(), log, CancellationToken.None);
            Assert.False(result.Delivered);
            Assert.Equal(404, result.HttpStatus);
            Assert.Contains("no_service", result.Reason);
            Assert.DoesNotContain("revokedrevoked", log.All + result.Reason);
        }

        [Fact]
        public async Task A_slow_webhook_is_bounded_by_the_timeout_and_not_repeated()
        {
            using var hook = new FakeWebhook();
            hook.Script.Enqueue(new FakeResponse { Status = 200, Body = "ok", Delay = TimeSpan.FromSeconds(5) });
            var watch = Stopwatch.StartNew();
            var (result, _) = await Send(hook, Notice(), Fast(TimeSpan.FromMilliseconds(300)));
            Assert.False(result.Delivered);
            Assert.Contains("did not answer (no answer within 0.3 s)", result.Reason);
            Assert.Single(hook.Requests);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
        }

        [Fact]
        public async Task A_refused_connection_is_retried_within_the_policy_and_reported_without_the_url()
        {
            int port;
            using (var probe = new FakeHttpServer(_ => new FakeResponse())) port = probe.BaseUrl.Port;
            var url = new Uri($"http://127.0.0.1:{port}/services/T0IGTEST01/B0IGTEST02/closedclosedclosed");
            var log = new RecordingLog();
            NoticeResult result = await new WebhookNotifier(url, null, options: Fast()).SendAsync(Notice(), log, CancellationToken.None);
            Assert.False(result.Delivered);
            Assert.Equal(4, result.Attempts);
            Assert.Contains("could not be reached", result.Reason);
            Assert.EndsWith("after 4 attempts", result.Reason);
            Assert.DoesNotContain("closedclosed", log.All + result.Reason);
        }

        [Fact]
        public async Task Disabled_notifications_are_a_no_op_that_says_so()
        {
            using var hook = new FakeWebhook();
            var (result, log) = await Send(hook, Notice(), enabled: false);
            Assert.True(result.Skipped);
            Assert.False(result.Delivered);
            Assert.Empty(hook.Requests);
            Assert.Contains("V notifications are disabled (ENABLE_SLACK_NOTIFICATIONS=false): not sent", log.All);
        }

        [Fact]
        public async Task Critical_notices_go_to_the_critical_webhook()
        {
            using var info = new FakeWebhook();
            using var critical = new FakeWebhook();
            var (result, _) = await Send(info, Notice(NoticeStatus.Failure, NoticeChannel.Critical), critical: critical.Url);
            Assert.True(result.Delivered, result.Reason);
            Assert.Empty(info.Requests);
            Assert.Single(critical.Requests);
        }

        [Fact]
        public async Task Without_a_webhook_the_notice_is_undelivered_with_the_variable_to_set()
        {
            var notifier = new WebhookNotifier(null, null, options: Fast());
            NoticeResult result = await notifier.SendAsync(Notice(), new RecordingLog(), CancellationToken.None);
            Assert.False(result.Delivered);
            Assert.Contains("SLACK_WEBHOOK_URL_INFO is not set", result.Reason);
        }

        [Fact]
        public void Many_fields_are_split_into_sections_of_ten()
        {
            var notice = Notice();
            for (int i = 0; i < 15; i++) notice.Fields.Add(new($"F{i}", i.ToString()));
            JObject payload = WebhookNotifier.SlackPayload(notice);
            var sections = payload["blocks"]!.Where(b => b["fields"] != null).ToList();
            Assert.Equal(new[] { 10, 8 }, sections.Select(s => s["fields"]!.Count()));
        }
    }
}
