using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Approval
{
    /// <summary>Everything the gate reads, normally from a <see cref="DeployConfiguration"/>.</summary>
    public sealed class ChangeGateSettings
    {
        public Uri? JiraBaseUrl { get; set; }
        public string? JiraFlavor { get; set; }
        public string? Username { get; set; }
        public string? Token { get; set; }
        public string? ProjectKey { get; set; }
        public string ApprovedStatus { get; set; } = "Approved for Deployment";
        public IReadOnlyList<string> RejectedStatuses { get; set; } = new[] { "Rejected", "Declined", "Cancelled", "Canceled" };
        public string CompleteTransition { get; set; } = "Deployed";
        public string? TechnicalApproverField { get; set; }
        public string? BusinessApproverField { get; set; }
        /// <summary>The environment the configuration was resolved for, and whether it needs dual approval.</summary>
        public string ConfiguredEnvironment { get; set; } = Configuration.DeployEnvironment.Production;
        public bool RequireDualApproval { get; set; }
        public bool IntegrationEnabledForProduction { get; set; } = true;

        /// <summary>The GitLab pipeline a completion comment links to (CI_PIPELINE_URL of the resolved job).</summary>
        public string? PipelineUrl { get; set; }

        public static ChangeGateSettings From(DeployConfiguration config)
        {
            string? url = config.Get("JiraBaseUrl");
            return new ChangeGateSettings
            {
                JiraBaseUrl = string.IsNullOrEmpty(url) ? null : new Uri(url),
                JiraFlavor = config.Get("JiraFlavor"),
                Username = config.Get("JiraUsername"),
                Token = config.Get("JiraApiToken"),
                ProjectKey = config.Get("ChangeManagementProjectKey"),
                ApprovedStatus = NonEmpty(config.Get("ChangeApprovedStatus")) ?? "Approved for Deployment",
                RejectedStatuses = (config.Get("ChangeRejectedStatuses") ?? string.Empty)
                    .Split(new[] { ',' }, StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()).Where(s => s.Length > 0).ToArray(),
                CompleteTransition = NonEmpty(config.ChangeRequest.CompleteTransition) ?? "Deployed",
                TechnicalApproverField = NonEmpty(config.Get("ChangeTechnicalApproverField")),
                BusinessApproverField = NonEmpty(config.Get("ChangeBusinessApproverField")),
                ConfiguredEnvironment = config.Environment,
                PipelineUrl = config.Job.PipelineUrl,
                RequireDualApproval = config.Toggle("RequireDualApproval"),
                IntegrationEnabledForProduction = config.Switches.JiraForProduction,
            };
        }

        private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s!.Trim();
    }

    /// <summary>How the gate talks and waits; defaults suit CI, tests shorten them.</summary>
    public sealed class ChangeGateOptions
    {
        /// <summary>The reason given with -SkipApproval. Only honoured for production while
        /// ENABLE_JIRA_INTEGRATION_FOR_PROD_DEPLOY is false.</summary>
        public string? SkipReason { get; set; }
        /// <summary>Time limit of one HTTP request to JIRA.</summary>
        public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
        /// <summary>Retries of GETs (timeouts, 429, 5xx, refused connections); POSTs are never repeated.</summary>
        public RetryPolicy Retry { get; set; } = new RetryPolicy(maxAttempts: 3, maxTotal: TimeSpan.FromSeconds(90));
        public HttpStack Http { get; set; } = HttpStack.Default;
        public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;
        public Func<TimeSpan, CancellationToken, Task> Delay { get; set; } = (d, ct) => Task.Delay(d, ct);
    }
}
