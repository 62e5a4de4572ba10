using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Infrastructure;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Notify
{
    /// <summary>How the notifier sends; defaults suit CI, tests shorten them.</summary>
    public sealed class NotifierOptions
    {
        /// <summary>Time limit of one POST. A timed-out POST is not repeated (it may have been delivered).</summary>
        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);
        /// <summary>Repeats 429 (after Retry-After), 5xx and refused connections; bounded in attempts and time.</summary>
        public RetryPolicy Retry { get; set; } = new RetryPolicy(maxAttempts: 4, maxDelay: TimeSpan.FromSeconds(10), maxTotal: TimeSpan.FromSeconds(60));
        public HttpStack Http { get; set; } = HttpStack.Default;
        public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;
    }

    /// <summary>
    /// Sends notices to Slack incoming webhooks (Block Kit: <c>text</c> + <c>blocks</c>) or Mattermost
    /// incoming webhooks (<c>text</c> + <c>attachments</c>). The webhook URLs are secrets: they are
    /// registered with the masker and never written into a message or result. Also the deploy's
    /// <see cref="INotifier"/>: a notice that cannot be delivered is a warning there.
    /// </summary>
    public sealed class WebhookNotifier : INotifier
    {
        private static readonly Regex MattermostPath = new Regex(@"^/hooks/[A-Za-z0-9]{10,}/?$", RegexOptions.CultureInvariant);
        private readonly Uri? _info;
        private readonly Uri? _critical;
        private readonly bool _enabled;

        /// <summary>False when ENABLE_SLACK_NOTIFICATIONS is off: <see cref="SendAsync"/> then sends nothing.</summary>
        public bool Enabled => _enabled;
        private readonly WebhookFlavor _flavor;
        private readonly NotifierOptions _options;

        /// <summary>The job the deploy's notices come from (the resolved configuration's <see cref="DeployConfiguration.Job"/>).</summary>
        public JobContext Context { get; set; } = JobContext.None;

        public WebhookNotifier(Uri? infoWebhook, Uri? criticalWebhook, bool enabled = true, WebhookFlavor flavor = WebhookFlavor.Auto, NotifierOptions? options = null)
        {
            _info = infoWebhook;
            _critical = criticalWebhook;
            _enabled = enabled;
            _flavor = flavor;
            _options = options ?? new NotifierOptions();
            // The webhooks are secrets: the resolver registered them (and the forms a URL is printed in) with the masker.
        }

        /// <summary>From SlackWebhookUrlInfo / SlackWebhookUrlCritical / EnableSlackNotifications / SlackWebhookFlavor.</summary>
        public static WebhookNotifier FromConfiguration(DeployConfiguration config, NotifierOptions? options = null, Uri? webhookOverride = null, WebhookFlavor? flavorOverride = null)
        {
            SlackSettings slack = config.Slack;
            WebhookFlavor flavor = flavorOverride ?? ParseFlavor(slack.Flavor);
            WebhookNotifier notifier = webhookOverride != null
                ? new WebhookNotifier(webhookOverride, webhookOverride, slack.Enabled, flavor, options)
                : new WebhookNotifier(slack.InfoWebhook, slack.CriticalWebhook, slack.Enabled, flavor, options);
            notifier.Context = config.Job;
            return notifier;
        }

        public static WebhookFlavor ParseFlavor(string? value)
        {
            switch ((value ?? "auto").Trim().ToLowerInvariant())
            {
                case "": case "auto": return WebhookFlavor.Auto;
                case "slack": return WebhookFlavor.Slack;
                case "mattermost": return WebhookFlavor.Mattermost;
                default:
                    throw new DeployException(ErrorIds.InvalidConfigurationValue, ErrorKind.InvalidArgument,
                        $"SlackWebhookFlavor (SLACK_WEBHOOK_FLAVOR) '{value}' is not slack, mattermost or auto", "SlackWebhookFlavor");
            }
        }

        /// <summary>Slack for hooks.slack.com, Mattermost for a /hooks/&lt;id&gt; path, else Slack.</summary>
        public static WebhookFlavor Detect(Uri webhook)
        {
            if (webhook.Host.Equals("hooks.slack.com", StringComparison.OrdinalIgnoreCase)) return WebhookFlavor.Slack;
            return MattermostPath.IsMatch(webhook.AbsolutePath) ? WebhookFlavor.Mattermost : WebhookFlavor.Slack;
        }

        public async Task<NoticeResult> SendAsync(Notice notice, IDeployLog log, CancellationToken cancellationToken)
        {
            log ??= NullDeployLog.Instance;
            DateTimeOffset started = _options.Clock();
            var result = new NoticeResult
            {
                Status = notice.Status,
                Channel = notice.Channel,
                Environment = notice.Environment,
                Message = SecretMasker.Default.Apply(notice.Message) ?? string.Empty,
                SentAt = started,
                Flavor = _flavor,
            };
            if (!_enabled)
            {
                result.Skipped = true;
                result.Reason = "notifications are disabled (ENABLE_SLACK_NOTIFICATIONS=false): not sent";
                log.Verbose(result.Reason);
                return result;
            }

            Uri? webhook = notice.Channel == NoticeChannel.Critical ? _critical ?? _info : _info;
            if (notice.Channel == NoticeChannel.Critical && _critical == null && _info != null)
                log.Verbose("SLACK_WEBHOOK_URL_CRITICAL is not set: sending the critical notice to the info webhook");
            if (webhook == null)
            {
                result.NotConfigured = true;
                result.Reason = notice.Channel == NoticeChannel.Critical
                    ? "no webhook: SLACK_WEBHOOK_URL_CRITICAL and SLACK_WEBHOOK_URL_INFO are not set (or pass -WebhookUri)"
                    : "no webhook: SLACK_WEBHOOK_URL_INFO is not set (or pass -WebhookUri)";
                return result;
            }

            WebhookFlavor flavor = _flavor == WebhookFlavor.Auto ? Detect(webhook) : _flavor;
            result.Flavor = flavor;
            result.WebhookHost = webhook.Host;
            JObject payload = flavor == WebhookFlavor.Mattermost ? MattermostPayload(notice) : SlackPayload(notice);
            string name = flavor == WebhookFlavor.Mattermost ? "Mattermost" : "Slack";
            // Marked safe to repeat: Slack and Mattermost post nothing when they answer 429 or 5xx, and a refused
            // connection sent nothing. A timeout is not repeated: the notice may have been posted.
            var request = new HttpCall(HttpMethod.Post, webhook)
            {
                JsonBody = payload.ToString(Formatting.None),
                Timeout = _options.RequestTimeout,
                What = $"{name} notice to the {notice.Channel.ToString().ToLowerInvariant()} webhook",
                SafeToRepeat = true,
                RetryOnTimeout = false,
            };

            log.Verbose($"Sending the {notice.Status.ToString().ToLowerInvariant()} notice to the {notice.Channel.ToString().ToLowerInvariant()} {name} webhook on {webhook.Host}");
            try
            {
                HttpAnswer response = await _options.Http.SendAsync(request, _options.Retry, log, cancellationToken).ConfigureAwait(false);
                result.Attempts = response.Attempts;
                result.HttpStatus = response.StatusCode;
                result.Response = Short(response.Body);
                result.Delivered = response.IsSuccess;
                if (!response.IsSuccess)
                    result.Reason = $"{name} answered {response.StatusCode}" + (result.Response is string r && r.Length > 0 ? $" {r}" : string.Empty) + Explain(response.StatusCode, response.Body)
                                    + (response.Attempts > 1 ? $" after {response.Attempts} attempts" : string.Empty);
            }
            catch (HttpCallTimeoutException ex)
            {
                result.Reason = $"{name} did not answer ({ex.Message}); not repeated, as it may have been delivered";
                result.Attempts = HttpStack.AttemptsOf(ex);
            }
            catch (Exception ex) when (ex is HttpRequestException || ex is System.IO.IOException || ex is System.Net.Sockets.SocketException)
            {
                result.Attempts = HttpStack.AttemptsOf(ex);
                result.Reason = $"{name} could not be reached ({HttpStack.Describe(ex)})" + (result.Attempts > 1 ? $" after {result.Attempts} attempts" : string.Empty);
            }
            result.Reason = SecretMasker.Default.Apply(result.Reason);
            result.Duration = _options.Clock() - started;
            if (result.Delivered) log.Verbose($"{name} accepted the notice ({result.HttpStatus}, {result.Attempts} attempt(s))");
            return result;
        }

        /// <summary>The deploy's notice: info or critical webhook; a configured webhook that fails is a warning,
        /// an environment without one (the quick start, a laptop) is said quietly.</summary>
        async Task INotifier.SendAsync(DeployNotice notice, IDeployLog log, CancellationToken cancellationToken)
        {
            bool critical = notice.Level == NoticeLevel.Critical;
            var message = new Notice
            {
                Title = notice.Title,
                Message = notice.Text,
                Status = critical ? NoticeStatus.Failure : NoticeStatus.Success,
                Channel = critical ? NoticeChannel.Critical : NoticeChannel.Info,
                Environment = notice.Environment,
                Context = Context,
            };
            if (notice.Release != null) message.Fields.Add(new KeyValuePair<string, string>("Release", notice.Release));
            NoticeResult result = await SendAsync(message, log, cancellationToken).ConfigureAwait(false);
            if (result.NotConfigured) log.Verbose($"{(critical ? "critical" : "info")} notice not sent: {result.Reason}");
            else if (!result.Delivered && !result.Skipped)
                log.Warning($"the {(critical ? "critical" : "info")} notice was not delivered: {result.Reason}");
        }

        private static string? Short(string body)
        {
            string text = (body ?? string.Empty).Trim();
            if (text.StartsWith("<", StringComparison.Ordinal)) return "(an HTML page)";
            if (text.Length > 120) text = text.Substring(0, 120) + "…";
            return SecretMasker.Default.Apply(text);
        }

        /// <summary>Slack's documented webhook errors (api.slack.com/messaging/webhooks#handling_errors).</summary>
        private static string Explain(int status, string body)
        {
            switch ((body ?? string.Empty).Trim())
            {
                case "invalid_payload": return " (the message was malformed)";
                case "no_service": return " (the webhook is disabled, removed or the URL is wrong)";
                case "channel_not_found": return " (the webhook's channel does not exist)";
                case "channel_is_archived": return " (the webhook's channel is archived)";
                case "action_prohibited": return " (an admin restricted posting to this channel)";
                case "posting_to_general_channel_denied": return " (only admins may post to this channel)";
                case "no_text": return " (the message had no text)";
                case "too_many_attachments": return " (too many attachments)";
                case "invalid_token": case "no_team": case "team_disabled": return " (the webhook's workspace or token is no longer valid)";
            }
            return status == 429 ? " (rate limited)" : status >= 500 ? " (server error)" : string.Empty;
        }

        // ---- payloads -------------------------------------------------------------------------

        private static string Emoji(NoticeStatus s) => s switch
        {
            NoticeStatus.Success => ":white_check_mark:",
            NoticeStatus.Failure => ":x:",
            NoticeStatus.Warning => ":warning:",
            _ => ":information_source:",
        };

        private static string Color(NoticeStatus s) => s switch
        {
            NoticeStatus.Success => "#2EB67D",
            NoticeStatus.Failure => "#E01E5A",
            NoticeStatus.Warning => "#ECB22E",
            _ => "#36C5F0",
        };

        public static string TitleOf(Notice n)
        {
            if (!string.IsNullOrWhiteSpace(n.Title)) return n.Title!.Trim();
            string what = n.Status switch
            {
                NoticeStatus.Success => "Succeeded",
                NoticeStatus.Failure => "Failed",
                NoticeStatus.Warning => "Warning",
                _ => "Info",
            };
            string project = n.Context.ProjectPath ?? "InfluenceGen";
            return string.IsNullOrEmpty(n.Environment) ? $"{project}: {what}" : $"{project} → {n.Environment}: {what}";
        }

        /// <summary>Slack mrkdwn needs &amp;, &lt; and &gt; escaped (api.slack.com/reference/surfaces/formatting#escaping).</summary>
        public static string EscapeMrkdwn(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

        private static string Limit(string text, int max) => text.Length <= max ? text : text.Substring(0, max - 1) + "…";

        private static IEnumerable<KeyValuePair<string, string>> AllFields(Notice n)
        {
            if (!string.IsNullOrEmpty(n.Environment)) yield return new KeyValuePair<string, string>("Environment", n.Environment!);
            foreach (KeyValuePair<string, string> f in n.Fields) yield return f;
        }

        /// <summary>Block Kit (api.slack.com/messaging/webhooks, api.slack.com/reference/block-kit/blocks):
        /// header, the message as a mrkdwn section, fields (at most 10 per section), GitLab context.</summary>
        public static JObject SlackPayload(Notice n)
        {
            string title = SecretMasker.Default.Apply(TitleOf(n))!;
            string message = SecretMasker.Default.Apply(n.Message) ?? string.Empty;
            var blocks = new JArray
            {
                new JObject { ["type"] = "header", ["text"] = new JObject { ["type"] = "plain_text", ["text"] = Limit(title, 150), ["emoji"] = true } },
            };
            if (message.Length > 0)
                blocks.Add(new JObject { ["type"] = "section", ["text"] = new JObject { ["type"] = "mrkdwn", ["text"] = Limit($"{Emoji(n.Status)} {EscapeMrkdwn(message)}", 3000) } });
            List<KeyValuePair<string, string>> fields = AllFields(n).ToList();
            for (int i = 0; i < fields.Count; i += 10)
            {
                var chunk = new JArray(fields.Skip(i).Take(10).Select(f => new JObject
                {
                    ["type"] = "mrkdwn",
                    ["text"] = Limit($"*{EscapeMrkdwn(f.Key)}*\n{EscapeMrkdwn(SecretMasker.Default.Apply(f.Value) ?? string.Empty)}", 2000),
                }));
                blocks.Add(new JObject { ["type"] = "section", ["fields"] = chunk });
            }
            var context = new JArray();
            JobContext c = n.Context;
            if (c.ProjectPath != null) context.Add(Mrkdwn($"*{EscapeMrkdwn(c.ProjectPath)}*"));
            if (c.Ref != null) context.Add(Mrkdwn($"ref `{EscapeMrkdwn(c.Ref)}`"));
            if (c.CommitShortSha != null) context.Add(Mrkdwn($"commit `{EscapeMrkdwn(c.CommitShortSha)}`"));
            if (c.PipelineUrl != null) context.Add(Mrkdwn($"<{c.PipelineUrl}|pipeline>"));
            if (c.JobUrl != null) context.Add(Mrkdwn($"<{c.JobUrl}|job{(c.JobName != null ? " " + EscapeMrkdwn(c.JobName) : string.Empty)}>"));
            if (c.UserLogin != null) context.Add(Mrkdwn($"by {EscapeMrkdwn(c.UserLogin)}"));
            if (context.Count > 0) blocks.Add(new JObject { ["type"] = "context", ["elements"] = context });

            // "text" is the fallback shown in notifications and by clients without Block Kit.
            return new JObject
            {
                ["text"] = Limit($"{title}: {message}", 3000),
                ["blocks"] = blocks,
            };
        }

        private static JObject Mrkdwn(string text) => new JObject { ["type"] = "mrkdwn", ["text"] = text };

        /// <summary>Mattermost incoming webhook (developers.mattermost.com/integrate/webhooks/incoming/):
        /// <c>text</c> (Markdown) plus Slack-style <c>attachments</c> with color, fields and footer;
        /// Mattermost does not render Block Kit.</summary>
        public static JObject MattermostPayload(Notice n)
        {
            string title = SecretMasker.Default.Apply(TitleOf(n))!;
            string message = SecretMasker.Default.Apply(n.Message) ?? string.Empty;
            var fields = new JArray(AllFields(n).Select(f => new JObject
            {
                ["short"] = true,
                ["title"] = f.Key,
                ["value"] = SecretMasker.Default.Apply(f.Value) ?? string.Empty,
            }));
            JobContext c = n.Context;
            if (c.ProjectPath != null) fields.Add(new JObject { ["short"] = true, ["title"] = "Project", ["value"] = c.ProjectPath });
            if (c.Ref != null) fields.Add(new JObject { ["short"] = true, ["title"] = "Ref", ["value"] = c.Ref });
            if (c.CommitShortSha != null) fields.Add(new JObject { ["short"] = true, ["title"] = "Commit", ["value"] = c.CommitShortSha });
            var links = new List<string>();
            if (c.PipelineUrl != null) links.Add($"[pipeline]({c.PipelineUrl})");
            if (c.JobUrl != null) links.Add($"[job{(c.JobName != null ? " " + c.JobName : string.Empty)}]({c.JobUrl})");
            if (links.Count > 0) fields.Add(new JObject { ["short"] = false, ["title"] = "GitLab", ["value"] = string.Join(" · ", links) });

            var attachment = new JObject
            {
                ["fallback"] = Limit($"{title}: {message}", 3000),
                ["color"] = Color(n.Status),
                ["title"] = title,
                ["text"] = message,
                ["fields"] = fields,
            };
            if (c.UserLogin != null) attachment["footer"] = "by " + c.UserLogin;
            return new JObject
            {
                ["text"] = $"{Emoji(n.Status)} **{title}**",
                ["attachments"] = new JArray(attachment),
            };
        }
    }
}
