using System.Management.Automation;
using System.Security;
using InfluenceGen.Deploy.Tests.Harness;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Tests.Notify
{
    /// <summary>Send-SlackNotice through a real runspace against fake Slack and Mattermost webhooks
    /// (FakeWebhook.cs names the documentation). The webhook is passed as -WebhookUri (SecureString);
    /// every stream is scanned for it.</summary>
    [Trait("Category", "Fast")]
    public sealed class SlackCmdletTests : IDisposable
    {
        private readonly TempDir _dir = new("igslack");
        private readonly FakeWebhook _slack = new();
        private readonly PowerShellSession _ps;

        public SlackCmdletTests()
        {
            _ps = new PowerShellSession(_dir.Path);
            _ps.SetVariable("hook", Secure(_slack.Url.AbsoluteUri));
        }

        public static SecureString Secure(string text)
        {
            var s = new SecureString();
            foreach (char c in text) s.AppendChar(c);
            s.MakeReadOnly();
            return s;
        }

        public void Dispose()
        {
            foreach (string file in Directory.EnumerateFiles(_dir.Path, "*", SearchOption.AllDirectories))
                Assert.DoesNotContain(_slack.SecretPart, File.ReadAllText(file));
            _ps.Dispose();
            _slack.Dispose();
            _dir.Dispose();
        }

        private PsResult Invoke(string script, FakeWebhook? hook = null)
        {
            PsResult r = _ps.Invoke(script);
            string all = r.AllText();
            foreach (FakeWebhook h in new[] { _slack, hook }.OfType<FakeWebhook>())
            {
                Assert.DoesNotContain(h.SecretPart, all);
                Assert.DoesNotContain(h.HookPath, all);
            }
            return r;
        }

        [Fact]
        public void Sends_a_block_kit_notice_and_returns_the_result()
        {
            PsResult r = Invoke("Send-SlackNotice -Message 'Deployed release r1' -Status success -Environment production -Fields ([ordered]@{ Release = 'r1'; Addons = @('ig_base', 'ig_campaign') }) -WebhookUri $hook");
            Assert.Null(r.Terminating);
            Assert.Empty(r.Warnings);
            PSObject o = r.Single();
            Assert.Equal("InfluenceGen.Deploy.Notify.NoticeResult", o.TypeNames[0]);
            Assert.True((bool)o.Properties["Delivered"].Value);
            Assert.Equal("Slack", o.Properties["Flavor"].Value.ToString());
            JObject payload = Assert.Single(_slack.Payloads);
            var fields = payload["blocks"]!.Single(b => b["fields"] != null)["fields"]!.Select(f => (string?)f["text"]).ToArray();
            Assert.Equal(new[] { "*Environment*\nproduction", "*Release*\nr1", "*Addons*\nig_base, ig_campaign" }, fields);
        }

        [Fact]
        public void Mattermost_flavor_sends_text_and_attachments()
        {
            PsResult r = Invoke("Send-SlackNotice 'Rolled back' -Status failure -Flavor Mattermost -WebhookUri $hook");
            Assert.True((bool)r.Single().Properties["Delivered"].Value, r.AllText());
            JObject payload = Assert.Single(_slack.Payloads);
            Assert.Null(payload["blocks"]);
            Assert.NotNull(payload["attachments"]);
        }

        [Fact]
        public void Undelivered_is_a_warning_by_default()
        {
            _slack.Script.Enqueue(FakeResponse.Text(404, "no_service"));
            PsResult r = Invoke("Send-SlackNotice 'Deployed' -WebhookUri $hook; 'after'");
            Assert.Null(r.Terminating);
            Assert.Empty(r.Errors);
            Assert.Contains(r.Warnings, w => w.Contains("was not delivered: Slack answered 404 no_service"));
            Assert.Equal("after", r.Output.Last().BaseObject);
            Assert.False((bool)r.Output[0].Properties["Delivered"].Value);
        }

        [Theory]
        [InlineData("-Required")]
        [InlineData("-ErrorAction Stop")]
        public void Undelivered_is_a_terminating_error_when_required(string switches)
        {
            _slack.Script.Enqueue(FakeResponse.Text(400, "invalid_payload"));
            PsResult r = Invoke($"Send-SlackNotice 'Deployed' -WebhookUri $hook {switches}; 'after'");
            Assert.NotNull(r.Terminating);
            Assert.Equal("NoticeNotDelivered,InfluenceGen.Deploy.Cmdlets.SendSlackNoticeCommand", r.Terminating!.FullyQualifiedErrorId);
            Assert.Contains("invalid_payload", r.Terminating.Exception.Message);
            Assert.DoesNotContain(r.Output, o => "after".Equals(o?.BaseObject));
        }

        [Fact]
        public void Slack_429_is_retried_after_retry_after()
        {
            _slack.Script.Enqueue(new FakeResponse { Status = 429, Body = "rate_limited", ContentType = "text/plain", Headers = { ["Retry-After"] = "1" } });
            PsResult r = Invoke("Send-SlackNotice 'Deployed' -WebhookUri $hook");
            PSObject o = r.Single();
            Assert.True((bool)o.Properties["Delivered"].Value, r.AllText());
            Assert.Equal(2, o.Properties["Attempts"].Value);
            Assert.True(_slack.Requests[1].At - _slack.Requests[0].At >= TimeSpan.FromMilliseconds(950));
            Assert.Contains(r.Verbose, v => v.Contains("retrying in 1 s"));
        }

        [Fact]
        public void Disabled_notifications_are_a_no_op_that_says_so_in_verbose()
        {
            string cfg = _dir.Write("environments.json", "{ \"global\": { \"EnableSlackNotifications\": false } }");
            PsResult r = Invoke("Send-SlackNotice 'Deployed' -WebhookUri $hook -Required");
            Assert.Null(r.Terminating);
            Assert.True((bool)r.Single().Properties["Skipped"].Value);
            Assert.Contains(r.Verbose, v => v.Contains("ENABLE_SLACK_NOTIFICATIONS=false"));
            Assert.Empty(_slack.Requests);
            File.Delete(cfg);
        }

        [Fact]
        public void WhatIf_sends_nothing()
        {
            PsResult r = Invoke("Send-SlackNotice 'Deployed' -WebhookUri $hook -WhatIf");
            Assert.Null(r.Terminating);
            Assert.Empty(r.Output);
            Assert.Empty(_slack.Requests);
        }

        [Fact]
        public void A_bad_webhook_value_is_refused_without_showing_it()
        {
            _ps.SetVariable("bad", Secure("not a url SECRETVALUE123"));
            PsResult r = _ps.Invoke("Send-SlackNotice 'x' -WebhookUri $bad");
            Assert.Equal("InvalidWebhookUri,InfluenceGen.Deploy.Cmdlets.SendSlackNoticeCommand", r.Terminating?.FullyQualifiedErrorId);
            Assert.DoesNotContain("SECRETVALUE123", r.AllText());
        }
    }
}
