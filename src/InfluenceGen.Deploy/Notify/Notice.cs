using System;
using System.Collections.Generic;

namespace InfluenceGen.Deploy.Notify
{
    public enum NoticeStatus { Info, Success, Warning, Failure }

    /// <summary>Which webhook: SLACK_WEBHOOK_URL_INFO or SLACK_WEBHOOK_URL_CRITICAL.</summary>
    public enum NoticeChannel { Info, Critical }

    public enum WebhookFlavor { Auto, Slack, Mattermost }

    /// <summary>The GitLab job a notice comes from (CI_* variables).</summary>
    public sealed class PipelineContext
    {
        public string? ProjectPath { get; set; }
        public string? Ref { get; set; }
        public string? CommitShortSha { get; set; }
        public string? PipelineUrl { get; set; }
        public string? JobUrl { get; set; }
        public string? JobName { get; set; }
        public string? UserLogin { get; set; }

        public bool IsEmpty => ProjectPath == null && Ref == null && CommitShortSha == null && PipelineUrl == null && JobUrl == null;

        public static PipelineContext FromVariables(IReadOnlyDictionary<string, string> variables)
        {
            string? Get(string name) => variables.TryGetValue(name, out string? v) && !string.IsNullOrWhiteSpace(v) ? v : null;
            string? sha = Get("CI_COMMIT_SHORT_SHA") ?? (Get("CI_COMMIT_SHA") is string full && full.Length >= 8 ? full.Substring(0, 8) : null);
            return new PipelineContext
            {
                ProjectPath = Get("CI_PROJECT_PATH"),
                Ref = Get("CI_COMMIT_REF_NAME"),
                CommitShortSha = sha,
                PipelineUrl = Get("CI_PIPELINE_URL"),
                JobUrl = Get("CI_JOB_URL"),
                JobName = Get("CI_JOB_NAME"),
                UserLogin = Get("GITLAB_USER_LOGIN"),
            };
        }
    }

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
        public PipelineContext Context { get; set; } = new PipelineContext();
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
