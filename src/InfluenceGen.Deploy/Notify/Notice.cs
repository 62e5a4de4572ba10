using System;
using System.Collections.Generic;
using InfluenceGen.Deploy.Configuration;

namespace InfluenceGen.Deploy.Notify
{
    public enum NoticeStatus { Info, Success, Warning, Failure }

    /// <summary>Which webhook: SLACK_WEBHOOK_URL_INFO or SLACK_WEBHOOK_URL_CRITICAL.</summary>
    public enum NoticeChannel { Info, Critical }

    public enum WebhookFlavor { Auto, Slack, Mattermost }

    /// <summary>One status message for people.</summary>
    public sealed class Notice
    {
        public string Message { get; set; } = string.Empty;
        /// <summary>A short headline; defaults to the status and environment.</summary>
        public string? Title { get; set; }
        public NoticeStatus Status { get; set; } = NoticeStatus.Info;
        public NoticeChannel Channel { get; set; } = NoticeChannel.Info;
        public string? Environment { get; set; }
        /// <summary>Extra name/value pairs, shown in order.</summary>
        public IList<KeyValuePair<string, string>> Fields { get; set; } = new List<KeyValuePair<string, string>>();
        public JobContext Context { get; set; } = JobContext.None;
    }

    /// <summary>What happened to a notice (Send-SlackNotice's output). The webhook URL is never in it.</summary>
    public sealed class NoticeResult
    {
        public bool Delivered { get; set; }
        /// <summary>True when ENABLE_SLACK_NOTIFICATIONS=false made sending a no-op.</summary>
        public bool Skipped { get; set; }
        /// <summary>No webhook is configured for the channel (nothing was attempted).</summary>
        public bool NotConfigured { get; set; }
        public NoticeStatus Status { get; set; }
        public NoticeChannel Channel { get; set; }
        public WebhookFlavor Flavor { get; set; }
        public string? Environment { get; set; }
        /// <summary>The webhook's host only (the path is the secret).</summary>
        public string? WebhookHost { get; set; }
        public int? HttpStatus { get; set; }
        /// <summary>The service's answer text ("ok", "invalid_payload", "no_service", …), short.</summary>
        public string? Response { get; set; }
        public int Attempts { get; set; }
        /// <summary>Why it was not delivered (or skipped).</summary>
        public string? Reason { get; set; }
        public string Message { get; set; } = string.Empty;
        public DateTimeOffset SentAt { get; set; }
        public TimeSpan Duration { get; set; }
    }
}
