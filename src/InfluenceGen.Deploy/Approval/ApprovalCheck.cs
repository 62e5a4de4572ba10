using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Infrastructure;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Approval
{
    /// <summary>
    /// One check of a change request (Test-ChangeApproval): the skip rule, the request's shape, then JIRA's
    /// issue (project, status, approvers). Fail closed: every failure to reach JIRA or to understand its answer
    /// is "not approved" with the reason.
    /// <para>Dual approval (environments with RequireDualApproval): the issue must name a technical
    /// approver in the field ChangeTechnicalApproverField and a business approver in
    /// ChangeBusinessApproverField (user pickers, multi-user pickers, or text fields; any non-empty
    /// value counts as that approval), and they must be different people.</para>
    /// </summary>
    internal sealed class ApprovalCheck
    {
        internal static readonly Regex IssueKey = new Regex(@"^[A-Z][A-Z0-9_]{0,49}-[1-9][0-9]{0,9}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private readonly ChangeGateSettings _settings;
        private readonly ChangeGateOptions _options;
        private readonly JiraClient _jira;

        public ApprovalCheck(ChangeGateSettings settings, ChangeGateOptions options, JiraClient jira)
        {
            _settings = settings; _options = options; _jira = jira;
        }

        public static bool IsProduction(string environment) => Configuration.DeployEnvironment.IsProduction(environment);

        private bool DualApprovalRequiredFor(string environment) =>
            string.Equals(Normalize(environment), Normalize(_settings.ConfiguredEnvironment), StringComparison.OrdinalIgnoreCase)
                ? _settings.RequireDualApproval
                : IsProduction(environment);

        private static string Normalize(string env) => Configuration.DeployEnvironment.Normalize(env);

        public async Task<ChangeApproval> CheckAsync(string changeRequestId, string environment, IDeployLog log, CancellationToken cancellationToken)
        {
            log ??= NullDeployLog.Instance;
            string env = Normalize(environment);
            string key = (changeRequestId ?? string.Empty).Trim();
            var result = new ChangeApproval
            {
                ChangeRequestId = key,
                Environment = env,
                CheckedAt = _options.Clock(),
                DualApprovalRequired = DualApprovalRequiredFor(env),
            };

            bool production = IsProduction(env);
            if (!string.IsNullOrWhiteSpace(_options.SkipReason))
            {
                if (production && !_settings.IntegrationEnabledForProduction)
                {
                    result.Approved = true;
                    result.Outcome = ApprovalOutcome.Skipped;
                    result.SkipReason = _options.SkipReason!.Trim();
                    result.Reason = "change approval skipped: JIRA integration for production is disabled (ENABLE_JIRA_INTEGRATION_FOR_PROD_DEPLOY=false); reason given: " + result.SkipReason;
                    log.Warning(result.Reason);
                    return Masked(result);
                }
                return Deny(result, ApprovalOutcome.Invalid,
                    "-SkipApproval is only honoured for production while ENABLE_JIRA_INTEGRATION_FOR_PROD_DEPLOY is false; the change request must be approved in JIRA");
            }
            if (production && !_settings.IntegrationEnabledForProduction)
                return Deny(result, ApprovalOutcome.Invalid,
                    "JIRA integration for production is disabled (ENABLE_JIRA_INTEGRATION_FOR_PROD_DEPLOY=false): a production deploy then needs -SkipApproval with -SkipReason");

            if (key.Length == 0)
                return Deny(result, ApprovalOutcome.Invalid, "no change request id: pass -ChangeRequestId or set CHANGE_REQUEST_ID");
            if (!IssueKey.IsMatch(key))
                return Deny(result, ApprovalOutcome.Invalid, $"'{JiraClient.Truncate(key, 60)}' is not a JIRA issue key (PROJECT-123)");
            key = key.ToUpperInvariant();
            result.ChangeRequestId = key;
            if (string.IsNullOrEmpty(_settings.ProjectKey))
                return Deny(result, ApprovalOutcome.Invalid, "CHANGE_MANAGEMENT_PROJECT_KEY is not set: the gate cannot tell a change request from any other issue");
            if (result.DualApprovalRequired && (_settings.TechnicalApproverField == null || _settings.BusinessApproverField == null))
                return Deny(result, ApprovalOutcome.Invalid,
                    $"environment '{env}' requires dual approval but CHANGE_TECHNICAL_APPROVER_FIELD and CHANGE_BUSINESS_APPROVER_FIELD are not both set (or set {SettingCatalog.Get("RequireDualApproval").VariableFor(SettingCatalog.PrefixOf(env))}=false)");

            JiraConnection jira;
            try { jira = _jira.Connect(); }
            catch (DeployException ex) { return Deny(result, ApprovalOutcome.Invalid, ex.Message); }
            result.Url = jira.Browse(key);

            var fields = new List<string> { "summary", "status", "project" };
            if (_settings.TechnicalApproverField != null) fields.Add(_settings.TechnicalApproverField);
            if (_settings.BusinessApproverField != null) fields.Add(_settings.BusinessApproverField);
            Uri uri = jira.Api($"issue/{Uri.EscapeDataString(key)}?fields={string.Join(",", fields.Select(Uri.EscapeDataString))}&expand=changelog");

            log.Verbose($"Checking change request {key} in JIRA ({jira.Flavor}, REST v{jira.ApiVersion})");
            HttpAnswer response;
            try
            {
                response = await _jira.GetAsync(jira, uri, $"GET JIRA issue {key}", log, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpCallTimeoutException ex)
            {
                return Deny(result, ApprovalOutcome.Unavailable, $"JIRA did not answer ({ex.Message}): not approved");
            }
            catch (Exception ex) when (ex is HttpRequestException || ex is System.IO.IOException || ex is System.Net.Sockets.SocketException)
            {
                return Deny(result, ApprovalOutcome.Unavailable, $"JIRA could not be reached ({HttpStack.Describe(ex)}): not approved");
            }

            result.HttpStatus = response.StatusCode;
            if (!response.IsSuccess)
                return DenyStatus(result, response, key);

            JObject issue;
            try
            {
                issue = JiraClient.ParseJson(response.Body);
            }
            catch (JsonException ex)
            {
                return Deny(result, ApprovalOutcome.Unavailable, $"JIRA answered {response.StatusCode} with a body that is not valid JSON ({JiraClient.Truncate(ex.Message, 120)}): not approved");
            }

            if (!(issue["fields"] is JObject f))
                return Deny(result, ApprovalOutcome.Unavailable, "JIRA's answer has no \"fields\" object: not approved");
            string? status = (string?)(f["status"] as JObject)?["name"];
            string? project = (string?)(f["project"] as JObject)?["key"];
            result.Summary = (string?)f["summary"] ?? string.Empty;
            if (string.IsNullOrEmpty(status))
                return Deny(result, ApprovalOutcome.Unavailable, "JIRA's answer has no fields.status.name: not approved");
            if (string.IsNullOrEmpty(project))
                return Deny(result, ApprovalOutcome.Unavailable, "JIRA's answer has no fields.project.key: not approved");
            result.Status = status!;
            result.Project = project!;
            if (issue["key"] is JValue k && k.Type == JTokenType.String) result.ChangeRequestId = (string)k!;

            if (!string.Equals(project, _settings.ProjectKey, StringComparison.OrdinalIgnoreCase))
                return Deny(result, ApprovalOutcome.Invalid, $"{result.ChangeRequestId} belongs to project {project}, not to the change management project {_settings.ProjectKey}");

            if (!string.Equals(status, _settings.ApprovedStatus, StringComparison.OrdinalIgnoreCase))
            {
                bool rejected = _settings.RejectedStatuses.Any(r => string.Equals(r, status, StringComparison.OrdinalIgnoreCase));
                return Deny(result, rejected ? ApprovalOutcome.Rejected : ApprovalOutcome.Pending,
                    rejected ? $"the change request is '{status}'" : $"status is '{status}', not '{_settings.ApprovedStatus}'");
            }

            var approvers = new List<string>();
            string? statusApprover = Approvers.StatusApprover(issue, _settings.ApprovedStatus);
            if (result.DualApprovalRequired)
            {
                Approvers.Person? technical = Approvers.ReadPerson(f[_settings.TechnicalApproverField!]);
                Approvers.Person? business = Approvers.ReadPerson(f[_settings.BusinessApproverField!]);
                result.TechnicalApprover = technical?.Display;
                result.BusinessApprover = business?.Display;
                if (technical == null)
                    return Deny(result, ApprovalOutcome.Pending, $"no technical approver: field {_settings.TechnicalApproverField} is empty (dual approval is required for {env})");
                if (business == null)
                    return Deny(result, ApprovalOutcome.Pending, $"no business approver: field {_settings.BusinessApproverField} is empty (dual approval is required for {env})");
                if (technical.SameAs(business))
                    return Deny(result, ApprovalOutcome.Pending, $"the technical and the business approver are the same person ({technical.Display}); dual approval needs two people");
                approvers.Add(technical.Display);
                approvers.Add(business.Display);
            }
            if (statusApprover != null && !approvers.Contains(statusApprover)) approvers.Add(statusApprover);

            result.ApprovedBy = approvers.ToArray();
            result.Approved = true;
            result.Outcome = ApprovalOutcome.Approved;
            result.Reason = $"status '{status}' in project {project}" +
                            (result.DualApprovalRequired ? $"; technical approver {result.TechnicalApprover}, business approver {result.BusinessApprover}" : string.Empty);
            log.Verbose($"{result.ChangeRequestId} is approved: {result.Reason}");
            return Masked(result);
        }

        private ChangeApproval DenyStatus(ChangeApproval result, HttpAnswer response, string key)
        {
            string detail = JiraClient.ErrorText(response.Body);
            string suffix = detail.Length > 0 ? $": {detail}" : string.Empty;
            switch (response.StatusCode)
            {
                case 401:
                    return Deny(result, ApprovalOutcome.Invalid, $"JIRA refused the credentials (401 Unauthorized){suffix}; check JIRA_USERNAME / JIRA_API_TOKEN_SECRET and JIRA_FLAVOR");
                case 403:
                    return Deny(result, ApprovalOutcome.Invalid, $"JIRA denied access to {key} (403 Forbidden){suffix}");
                case 404:
                    return Deny(result, ApprovalOutcome.Invalid, $"{key} was not found in JIRA (404){suffix}");
                default:
                    return response.StatusCode >= 500 || response.StatusCode == 429 || response.StatusCode == 408
                        ? Deny(result, ApprovalOutcome.Unavailable, $"JIRA answered {response.StatusCode} after {response.Attempts} attempt(s){suffix}: not approved")
                        : Deny(result, ApprovalOutcome.Invalid, $"JIRA answered {response.StatusCode}{suffix}: not approved");
            }
        }

        private ChangeApproval Deny(ChangeApproval result, ApprovalOutcome outcome, string reason)
        {
            result.Approved = false;
            result.Outcome = outcome;
            result.Reason = reason;
            return Masked(result);
        }

        private static ChangeApproval Masked(ChangeApproval result)
        {
            result.Reason = SecretMasker.Default.Apply(result.Reason) ?? string.Empty;
            result.Summary = SecretMasker.Default.Apply(result.Summary) ?? string.Empty;
            return result;
        }
    }
}
