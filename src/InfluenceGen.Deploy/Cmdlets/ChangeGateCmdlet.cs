using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Net;
using InfluenceGen.Deploy.Approval;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>The parameters Test-/Wait-ChangeApproval and Complete-ChangeRequest share: where JIRA
    /// is, how to authenticate, which configuration to read.</summary>
    public abstract class ChangeGateCmdlet : InfluenceGenCmdlet
    {
        /// <summary>JIRA Cloud: the account e-mail and an API token. Server/Data Center: any user
        /// name and a personal access token. Default: JIRA_USERNAME / JIRA_API_TOKEN_SECRET.</summary>
        [Parameter]
        [Credential]
        public PSCredential? Credential { get; set; }

        /// <summary>JIRA's base URL (default JIRA_BASE_URL).</summary>
        [Parameter]
        public Uri? JiraBaseUrl { get; set; }

        /// <summary>Cloud (REST v3) or Server (REST v2, Data Center too); default JIRA_FLAVOR or auto.</summary>
        [Parameter]
        [ValidateSet("Auto", "Cloud", "Server", IgnoreCase = true)]
        public string? JiraFlavor { get; set; }

        /// <summary>The environments file (default environments.json or $INFLUENCEGEN_ENVIRONMENTS_FILE).</summary>
        [Parameter]
        public string? ConfigurationPath { get; set; }

        /// <summary>Time limit of one request to JIRA, in seconds: -TimeoutSec of Test-ChangeApproval and
        /// Complete-ChangeRequest, -RequestTimeoutSec of Wait-ChangeApproval (whose -TimeoutSec is the whole wait).</summary>
        protected double RequestTimeoutSeconds { get; set; } = 30;

        protected DeployConfiguration ResolveGateConfiguration(string environment)
        {
            var explicitValues = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            if (JiraBaseUrl != null) explicitValues["JiraBaseUrl"] = JiraBaseUrl.AbsoluteUri;
            if (JiraFlavor != null) explicitValues["JiraFlavor"] = JiraFlavor.ToLowerInvariant();
            if (Credential != null)
            {
                string token = Credential.GetNetworkCredential().Password;
                Resolver.RegisterSecret(token);
                explicitValues["JiraUsername"] = Credential.UserName;
                explicitValues["JiraApiToken"] = token;
            }
            return ResolveConfiguration(string.IsNullOrWhiteSpace(environment) ? DeployEnvironment.Production : environment, ConfigurationPath, explicitValues);
        }

        protected ChangeGateOptions GateOptions(string? skipReason = null) => new ChangeGateOptions
        {
            RequestTimeout = TimeSpan.FromSeconds(RequestTimeoutSeconds),
            SkipReason = skipReason,
        };
    }
}
