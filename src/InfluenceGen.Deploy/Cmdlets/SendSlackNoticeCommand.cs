using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Notify;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>
    /// Posts a status message to a Slack (Block Kit) or Mattermost incoming webhook, with the
    /// GitLab job's context. A notice that cannot be delivered is a warning (a deploy must not fail
    /// because Slack is down) unless -Required or -ErrorAction Stop makes it a terminating error.
    /// The webhook URL is a secret and never appears in any stream. The work is in
    /// <see cref="WebhookNotifier"/>.
    /// </summary>
    [Cmdlet(VerbsCommunications.Send, "SlackNotice", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = HelpLinks.Readme + "#get-help-send-slacknotice")]
    [OutputType(typeof(NoticeResult))]
    public sealed class SendSlackNoticeCommand : InfluenceGenCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string Message { get; set; } = null!;

        [Parameter]
        [ValidateSet("success", "failure", "info", "warning", IgnoreCase = true)]
        public string Status { get; set; } = "info";

        /// <summary>info (SLACK_WEBHOOK_URL_INFO) or critical (SLACK_WEBHOOK_URL_CRITICAL); default
        /// critical for failures, info otherwise.</summary>
        [Parameter]
        [ValidateSet("info", "critical", IgnoreCase = true)]
        public string? Channel { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(EnvironmentCompleter))]
        public string? Environment { get; set; }

        /// <summary>Extra name/value pairs (use [ordered]@{} to keep their order).</summary>
        [Parameter]
        public IDictionary? Fields { get; set; }

        /// <summary>The headline (default: project → environment: status).</summary>
        [Parameter]
        public string? Title { get; set; }

        /// <summary>The webhook URL, instead of SLACK_WEBHOOK_URL_INFO / _CRITICAL.</summary>
        [Parameter]
        public SecureString? WebhookUri { get; set; }

        /// <summary>Slack, Mattermost, or Auto (Mattermost for a /hooks/&lt;id&gt; path).</summary>
        [Parameter]
        [ValidateSet("Auto", "Slack", "Mattermost", IgnoreCase = true)]
        public string? Flavor { get; set; }

        /// <summary>An undelivered notice is a terminating error instead of a warning.</summary>
        [Parameter]
        public SwitchParameter Required { get; set; }

        [Parameter]
        public string? ConfigurationPath { get; set; }

        /// <summary>Time limit of one POST, in seconds.</summary>
        [Parameter]
        [ValidateRange(0.1, 300)]
        public double TimeoutSec { get; set; } = 15;

        protected override void Process()
        {
            DeployConfiguration config;
            try
            {
                config = ResolveConfiguration(Environment ?? DeployEnvironment.Production, ConfigurationPath);
            }
            catch (DeployException ex) when (ex.ErrorId == ErrorIds.UnknownEnvironment)
            {
                config = ResolveConfiguration(DeployEnvironment.Production, ConfigurationPath); // webhooks are global settings
            }

            Uri? webhook = null;
            if (WebhookUri != null)
            {
                string plain = Plain(WebhookUri);
                Resolver.RegisterSecretUrl(plain);
                if (!Uri.TryCreate(plain.Trim(), UriKind.Absolute, out webhook) || (webhook.Scheme != "https" && webhook.Scheme != "http"))
                    throw new DeployException(ErrorIds.InvalidWebhookUri, ErrorKind.InvalidArgument, "-WebhookUri is not an absolute http(s) URL (value not shown: it is a secret)", "WebhookUri");
            }
            WebhookFlavor? flavor = Flavor == null ? (WebhookFlavor?)null : WebhookNotifier.ParseFlavor(Flavor);
            var options = new NotifierOptions { RequestTimeout = TimeSpan.FromSeconds(TimeoutSec) };
            WebhookNotifier notifier = WebhookNotifier.FromConfiguration(config, options, webhook, flavor);

            NoticeStatus status = (NoticeStatus)Enum.Parse(typeof(NoticeStatus), Status, ignoreCase: true);
            var notice = new Notice
            {
                Message = Message,
                Title = Title,
                Status = status,
                Channel = Channel != null
                    ? (NoticeChannel)Enum.Parse(typeof(NoticeChannel), Channel, ignoreCase: true)
                    : status == NoticeStatus.Failure ? NoticeChannel.Critical : NoticeChannel.Info,
                Environment = Environment,
                Context = config.Job,
            };
            if (Fields != null)
                foreach (DictionaryEntry entry in Fields)
                    notice.Fields.Add(new KeyValuePair<string, string>(Convert.ToString(entry.Key) ?? string.Empty, ToText(entry.Value)));

            if (!notifier.Enabled)
            {
                // Nothing will be sent, so there is nothing to confirm: say why (verbose) and return the skipped result.
                WriteObject(Run("Sending notice", (log, ct) => notifier.SendAsync(notice, log, ct)));
                return;
            }
            string preview = notice.Message.Length > 80 ? notice.Message.Substring(0, 79) + "…" : notice.Message;
            if (!ShouldProcess($"the {notice.Channel.ToString().ToLowerInvariant()} webhook" + (webhook != null ? $" on {webhook.Host}" : string.Empty),
                    $"Send {(notice.Status == NoticeStatus.Info ? "an" : "a")} {notice.Status.ToString().ToLowerInvariant()} notice: {preview}"))
                return;
            NoticeResult result = Run("Sending notice", (log, ct) => notifier.SendAsync(notice, log, ct));
            if (!result.Delivered && !result.Skipped)
            {
                string text = $"the {notice.Status.ToString().ToLowerInvariant()} notice was not delivered: {result.Reason}";
                bool stop = Required.IsPresent
                            || (MyInvocation.BoundParameters.TryGetValue("ErrorAction", out object? ea) && ea is ActionPreference pref && pref == ActionPreference.Stop);
                if (stop)
                    Fail(new DeployException(ErrorIds.NoticeNotDelivered, ErrorKind.ConnectionError, text, result.WebhookHost)
                    { RecommendedAction = "Check SLACK_WEBHOOK_URL_INFO / SLACK_WEBHOOK_URL_CRITICAL (or -WebhookUri) and the service's status." });
                Warning(text);
            }
            WriteObject(result);
        }

        private static string ToText(object? value)
        {
            object? v = value is PSObject ps ? ps.BaseObject : value;
            if (v is IEnumerable list && !(v is string))
            {
                var parts = new List<string>();
                foreach (object? item in list) parts.Add(Convert.ToString(item is PSObject p ? p.BaseObject : item, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty);
                return string.Join(", ", parts);
            }
            return Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
        }

        private static string Plain(SecureString secure)
        {
            IntPtr ptr = Marshal.SecureStringToGlobalAllocUnicode(secure);
            try { return Marshal.PtrToStringUni(ptr) ?? string.Empty; }
            finally { Marshal.ZeroFreeGlobalAllocUnicode(ptr); }
        }
    }
}
