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
        public string ConfiguredEnvironment { get; set; } = "production";
        public bool RequireDualApproval { get; set; }
        public bool IntegrationEnabledForProduction { get; set; } = true;

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
                CompleteTransition = NonEmpty(config.Get("ChangeCompleteTransition")) ?? "Deployed",
                TechnicalApproverField = NonEmpty(config.Get("ChangeTechnicalApproverField")),
                BusinessApproverField = NonEmpty(config.Get("ChangeBusinessApproverField")),
                ConfiguredEnvironment = config.Environment,
                RequireDualApproval = config.Toggle("RequireDualApproval"),
                IntegrationEnabledForProduction = config.Get("EnableJiraIntegrationForProdDeploy") == null || config.Toggle("EnableJiraIntegrationForProdDeploy"),
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
        public RestClient Http { get; set; } = RestClient.Default;
        public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;
        public Func<TimeSpan, CancellationToken, Task> Delay { get; set; } = (d, ct) => Task.Delay(d, ct);
    }

    /// <summary>
    /// The change gate against JIRA Cloud (REST v3) or Server/Data Center (REST v2). See
    /// <see cref="IChangeGate"/> for the contract. Fail closed: every failure to reach JIRA or to
    /// understand its answer is "not approved" with the reason.
    /// <para>Dual approval (environments with RequireDualApproval): the issue must name a technical
    /// approver in the field ChangeTechnicalApproverField and a business approver in
    /// ChangeBusinessApproverField (user pickers, multi-user pickers, or text fields; any non-empty
    /// value counts as that approval), and they must be different people.</para>
    /// </summary>
    public sealed class ChangeApprovalService : IChangeGate
    {
        private static readonly Regex IssueKey = new Regex(@"^[A-Z][A-Z0-9_]{0,49}-[1-9][0-9]{0,9}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private readonly ChangeGateSettings _settings;
        private readonly ChangeGateOptions _options;

        public ChangeApprovalService(DeployConfiguration configuration, ChangeGateOptions? options = null)
            : this(ChangeGateSettings.From(configuration), options) { }

        public ChangeApprovalService(ChangeGateSettings settings, ChangeGateOptions? options = null)
        {
            _settings = settings;
            _options = options ?? new ChangeGateOptions();
            SecretMasker.Default.Add(settings.Token);
        }

        public ChangeGateSettings Settings => _settings;

        public static bool IsProduction(string environment)
        {
            string e = (environment ?? string.Empty).Trim().ToLowerInvariant();
            return e == "production" || e == "prod";
        }

        private bool DualApprovalRequiredFor(string environment) =>
            string.Equals(Normalize(environment), Normalize(_settings.ConfiguredEnvironment), StringComparison.OrdinalIgnoreCase)
                ? _settings.RequireDualApproval
                : IsProduction(environment);

        private static string Normalize(string env) => IsProduction(env) ? "production" : (env ?? string.Empty).Trim().ToLowerInvariant();

        // ---- check ----------------------------------------------------------------------------

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
                return Deny(result, ApprovalOutcome.Invalid, $"'{Truncate(key, 60)}' is not a JIRA issue key (PROJECT-123)");
            key = key.ToUpperInvariant();
            result.ChangeRequestId = key;
            if (string.IsNullOrEmpty(_settings.ProjectKey))
                return Deny(result, ApprovalOutcome.Invalid, "CHANGE_MANAGEMENT_PROJECT_KEY is not set: the gate cannot tell a change request from any other issue");
            if (result.DualApprovalRequired && (_settings.TechnicalApproverField == null || _settings.BusinessApproverField == null))
                return Deny(result, ApprovalOutcome.Invalid,
                    $"environment '{env}' requires dual approval but CHANGE_TECHNICAL_APPROVER_FIELD and CHANGE_BUSINESS_APPROVER_FIELD are not both set (or set {SettingCatalog.Get("RequireDualApproval").VariableFor(SettingCatalog.PrefixOf(env))}=false)");

            JiraConnection jira;
            try { jira = Connect(); }
            catch (DeployException ex) { return Deny(result, ApprovalOutcome.Invalid, ex.Message); }
            result.Url = jira.Browse(key);

            var fields = new List<string> { "summary", "status", "project" };
            if (_settings.TechnicalApproverField != null) fields.Add(_settings.TechnicalApproverField);
            if (_settings.BusinessApproverField != null) fields.Add(_settings.BusinessApproverField);
            Uri uri = jira.Api($"issue/{Uri.EscapeDataString(key)}?fields={string.Join(",", fields.Select(Uri.EscapeDataString))}&expand=changelog");

            log.Verbose($"Checking change request {key} in JIRA ({jira.Flavor}, REST v{jira.ApiVersion})");
            RestResponse response;
            try
            {
                response = await Get(jira, uri, $"GET JIRA issue {key}", log, cancellationToken).ConfigureAwait(false);
            }
            catch (RestTimeoutException ex)
            {
                return Deny(result, ApprovalOutcome.Unavailable, $"JIRA did not answer ({ex.Message}): not approved");
            }
            catch (Exception ex) when (ex is HttpRequestException || ex is System.IO.IOException || ex is System.Net.Sockets.SocketException)
            {
                return Deny(result, ApprovalOutcome.Unavailable, $"JIRA could not be reached ({RestClient.Describe(ex)}): not approved");
            }

            result.HttpStatus = response.StatusCode;
            if (!response.IsSuccess)
                return DenyStatus(result, response, key);

            JObject issue;
            try
            {
                issue = ParseJson(response.Body);
            }
            catch (JsonException ex)
            {
                return Deny(result, ApprovalOutcome.Unavailable, $"JIRA answered {response.StatusCode} with a body that is not valid JSON ({Truncate(ex.Message, 120)}): not approved");
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
            string? statusApprover = StatusApprover(issue, _settings.ApprovedStatus);
            if (result.DualApprovalRequired)
            {
                Person? technical = ReadPerson(f[_settings.TechnicalApproverField!]);
                Person? business = ReadPerson(f[_settings.BusinessApproverField!]);
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

        private ChangeApproval DenyStatus(ChangeApproval result, RestResponse response, string key)
        {
            string detail = JiraErrorText(response.Body);
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

        // ---- wait -----------------------------------------------------------------------------

        /// <summary>
        /// Polls <see cref="CheckAsync"/> every <paramref name="interval"/> until approved (returned),
        /// rejected or invalid (DeployException ChangeRequestRejected / ChangeApprovalNotPossible), or
        /// <paramref name="timeout"/> passed (DeployException ChangeApprovalTimeout; with a zero timeout, one
        /// check and DeployException ChangeNotApproved). Transient trouble
        /// (JIRA down, other status, approvers missing) keeps it waiting.
        /// </summary>
        public async Task<ChangeApproval> WaitAsync(string changeRequestId, string environment, TimeSpan interval, TimeSpan timeout,
            IDeployLog log, CancellationToken cancellationToken)
        {
            log ??= NullDeployLog.Instance;
            if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval));
            DateTimeOffset started = _options.Clock();
            DateTimeOffset deadline = started + timeout;
            for (int poll = 1; ; poll++)
            {
                ChangeApproval result = await CheckAsync(changeRequestId, environment, log, cancellationToken).ConfigureAwait(false);
                if (result.Approved) return result;
                if (result.IsFinal)
                {
                    bool rejected = result.Outcome == ApprovalOutcome.Rejected;
                    throw new DeployException(rejected ? ErrorIds.ChangeRequestRejected : ErrorIds.ChangeApprovalNotPossible,
                        rejected ? ErrorKind.PermissionDenied : ErrorKind.InvalidArgument,
                        $"{(result.ChangeRequestId.Length > 0 ? "change request " + result.ChangeRequestId : "the change request (no id was given)")} will not be approved: {result.Reason}", result.ChangeRequestId)
                    { RecommendedAction = rejected ? "Raise a new change request, or reopen this one in JIRA." : "Fix the change request id, the credentials or the configuration named in the message." };
                }
                DateTimeOffset now = _options.Clock();
                TimeSpan remaining = deadline - now;
                if (timeout <= TimeSpan.Zero)
                    throw new DeployException(ErrorIds.ChangeNotApproved, ErrorKind.PermissionDenied,
                        $"change request {(result.ChangeRequestId.Length > 0 ? result.ChangeRequestId : "(none)")} is not approved for {result.Environment}: {result.Reason}", result.ChangeRequestId)
                    { RecommendedAction = "Get the change request approved in JIRA, then retry the job." };
                if (remaining <= TimeSpan.Zero)
                    throw new DeployException(ErrorIds.ChangeApprovalTimeout, ErrorKind.OperationTimeout,
                        $"change request {result.ChangeRequestId} was not approved within {Format(timeout)} ({poll} check(s)); last: {result.Reason}", result.ChangeRequestId)
                    { RecommendedAction = "Get the change request approved, then retry the job; or raise -TimeoutSeconds." };
                TimeSpan wait = interval < remaining ? interval : remaining;
                double elapsed = (now - started).TotalSeconds;
                int percent = timeout.TotalSeconds <= 0 ? -1 : (int)Math.Min(99, 100 * elapsed / timeout.TotalSeconds);
                log.Progress($"Waiting for approval of {result.ChangeRequestId}",
                    $"check {poll}: {result.Reason}; next check in {Format(wait)}, giving up in {Format(remaining)}", percent);
                log.Verbose($"{result.ChangeRequestId} not approved yet (check {poll}): {result.Reason}");
                await _options.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }

        private static string Format(TimeSpan t) =>
            t.TotalHours >= 1 ? $"{t.TotalHours:0.#} h" : t.TotalMinutes >= 1 ? $"{t.TotalMinutes:0.#} min" : $"{t.TotalSeconds:0.##} s";

        // ---- complete -------------------------------------------------------------------------

        /// <summary>Comments on the change request with what was deployed, then takes the configured
        /// transition (looked up by name among the issue's available transitions, or by the name of
        /// its target status).</summary>
        public Task<ChangeRequestCompletion> CompleteAsync(string changeRequestId, DeploymentSummary deployment, IDeployLog log, CancellationToken cancellationToken)
            => CompleteAsync(changeRequestId, deployment, _settings.CompleteTransition, log, cancellationToken);

        public async Task<ChangeRequestCompletion> CompleteAsync(string changeRequestId, DeploymentSummary deployment, string transition,
            IDeployLog log, CancellationToken cancellationToken)
        {
            log ??= NullDeployLog.Instance;
            string key = (changeRequestId ?? string.Empty).Trim();
            if (key.Length == 0)
                throw new DeployException(ErrorIds.ChangeRequestIdMissing, ErrorKind.InvalidArgument, "no change request id: pass -ChangeRequestId or set CHANGE_REQUEST_ID", "ChangeRequestId");
            if (!IssueKey.IsMatch(key))
                throw new DeployException(ErrorIds.InvalidChangeRequestId, ErrorKind.InvalidArgument, $"'{Truncate(key, 60)}' is not a JIRA issue key (PROJECT-123)", key);
            key = key.ToUpperInvariant();
            if (string.IsNullOrWhiteSpace(transition))
                throw new DeployException(ErrorIds.TransitionMissing, ErrorKind.InvalidArgument, "no transition named: pass -Transition or set CHANGE_COMPLETE_TRANSITION", "Transition");
            JiraConnection jira = Connect();

            // 1. Where the issue is, and that it is a change request.
            RestResponse issueResponse = await GetOrThrow(jira, jira.Api($"issue/{Uri.EscapeDataString(key)}?fields=status,project"), $"GET JIRA issue {key}", key, log, cancellationToken).ConfigureAwait(false);
            JObject issue = ParseOrThrow(issueResponse, key);
            string fromStatus = (string?)issue.SelectToken("fields.status.name") ?? string.Empty;
            string? project = (string?)issue.SelectToken("fields.project.key");
            if (!string.IsNullOrEmpty(_settings.ProjectKey) && !string.Equals(project, _settings.ProjectKey, StringComparison.OrdinalIgnoreCase))
                throw new DeployException(ErrorIds.NotAChangeRequest, ErrorKind.InvalidArgument,
                    $"{key} belongs to project {project}, not to the change management project {_settings.ProjectKey}", key);

            // 2. The transition, by name.
            RestResponse transitionsResponse = await GetOrThrow(jira, jira.Api($"issue/{Uri.EscapeDataString(key)}/transitions"), $"GET JIRA transitions of {key}", key, log, cancellationToken).ConfigureAwait(false);
            JObject transitions = ParseOrThrow(transitionsResponse, key);
            var available = (transitions["transitions"] as JArray ?? new JArray()).OfType<JObject>().ToList();
            JObject? chosen = available.FirstOrDefault(t => string.Equals((string?)t["name"], transition, StringComparison.OrdinalIgnoreCase))
                              ?? available.FirstOrDefault(t => string.Equals((string?)t.SelectToken("to.name"), transition, StringComparison.OrdinalIgnoreCase));
            bool alreadyThere = chosen == null && string.Equals(fromStatus, transition, StringComparison.OrdinalIgnoreCase);
            if (chosen == null && !alreadyThere)
            {
                string names = available.Count == 0 ? "none" : string.Join(", ", available.Select(t => $"'{(string?)t["name"]}' (to {(string?)t.SelectToken("to.name")})"));
                throw new DeployException(ErrorIds.TransitionNotAvailable, ErrorKind.InvalidOperation,
                    $"{key} (status '{fromStatus}') has no transition '{transition}'; available: {names}", key)
                { RecommendedAction = "Pass -Transition with one of the available names, or set CHANGE_COMPLETE_TRANSITION." };
            }

            // 3. The comment (not repeated: a POST may have been carried out even when its answer was lost).
            var comment = new RestRequest(HttpMethod.Post, jira.Api($"issue/{Uri.EscapeDataString(key)}/comment"))
            {
                JsonBody = CommentBody(jira.ApiVersion, deployment).ToString(Formatting.None),
                Timeout = _options.RequestTimeout,
                What = $"POST JIRA comment on {key}",
            };
            RestResponse commentResponse = await PostOrThrow(jira, comment, key, ErrorIds.JiraCommentFailed, cancellationToken).ConfigureAwait(false);
            string? commentId = null;
            try { commentId = (string?)JObject.Parse(commentResponse.Body)["id"]; } catch (JsonException) { }
            log.Verbose($"Commented on {key} (comment {commentId ?? "?"})");

            // 4. The transition.
            string toStatus = fromStatus;
            string? transitionId = null;
            if (chosen != null)
            {
                transitionId = (string?)chosen["id"];
                var post = new RestRequest(HttpMethod.Post, jira.Api($"issue/{Uri.EscapeDataString(key)}/transitions"))
                {
                    JsonBody = new JObject { ["transition"] = new JObject { ["id"] = transitionId } }.ToString(Formatting.None),
                    Timeout = _options.RequestTimeout,
                    What = $"POST JIRA transition of {key}",
                };
                await PostOrThrow(jira, post, key, ErrorIds.JiraTransitionFailed, cancellationToken).ConfigureAwait(false);
                toStatus = (string?)chosen.SelectToken("to.name") ?? (string?)chosen["name"] ?? transition;
                log.Verbose($"{key}: '{fromStatus}' -> '{toStatus}' through transition '{(string?)chosen["name"]}'");
            }
            else
            {
                log.Warning($"{key} is already '{fromStatus}': no transition taken");
            }

            return new ChangeRequestCompletion
            {
                ChangeRequestId = key,
                Transition = (string?)chosen?["name"] ?? transition,
                TransitionId = transitionId,
                FromStatus = fromStatus,
                ToStatus = toStatus,
                Transitioned = chosen != null,
                CommentId = commentId,
                Environment = deployment.Environment,
                ReleaseId = deployment.ReleaseId,
                CompletedAt = _options.Clock(),
                Url = jira.Browse(key),
            };
        }

        /// <summary>The comment: Atlassian Document Format for v3, plain text for v2.</summary>
        public static JObject CommentBody(int apiVersion, DeploymentSummary d)
        {
            string headline = $"Deployed to {(string.IsNullOrEmpty(d.Environment) ? "(environment not given)" : d.Environment)} by the InfluenceGen pipeline.";
            var items = new List<(string Label, string Value, bool Link)>
            {
                ("Environment", Or(d.Environment), false),
                ("Release", Or(d.ReleaseId), false),
                ("Addons installed", List(d.AddonsInstalled), false),
                ("Addons upgraded", List(d.AddonsUpgraded), false),
                ("n8n workflows changed", List(d.WorkflowsChanged), false),
            };
            if (!string.IsNullOrEmpty(d.CommitSha)) items.Add(("Commit", d.CommitSha!, false));
            items.Add(("Pipeline", Or(d.PipelineUrl), !string.IsNullOrEmpty(d.PipelineUrl)));

            if (apiVersion == 2)
            {
                var text = new System.Text.StringBuilder(headline).Append('\n');
                foreach (var item in items) text.Append("* ").Append(item.Label).Append(": ").Append(item.Value).Append('\n');
                if (!string.IsNullOrEmpty(d.Note)) text.Append('\n').Append(d.Note);
                return new JObject { ["body"] = SecretMasker.Default.Apply(text.ToString().TrimEnd('\n')) };
            }

            JObject Text(string t, params JObject[] marks)
            {
                var node = new JObject { ["type"] = "text", ["text"] = SecretMasker.Default.Apply(t) };
                if (marks.Length > 0) node["marks"] = new JArray(marks);
                return node;
            }
            JObject Paragraph(params JObject[] content) => new JObject { ["type"] = "paragraph", ["content"] = new JArray(content) };

            var list = new JArray();
            foreach (var item in items)
            {
                JObject value = item.Link
                    ? Text(item.Value, new JObject { ["type"] = "link", ["attrs"] = new JObject { ["href"] = item.Value } })
                    : Text(item.Value);
                list.Add(new JObject
                {
                    ["type"] = "listItem",
                    ["content"] = new JArray(Paragraph(Text(item.Label + ": ", new JObject { ["type"] = "strong" }), value)),
                });
            }
            var content = new JArray(Paragraph(Text(headline)), new JObject { ["type"] = "bulletList", ["content"] = list });
            if (!string.IsNullOrEmpty(d.Note)) content.Add(Paragraph(Text(d.Note!)));
            return new JObject { ["body"] = new JObject { ["type"] = "doc", ["version"] = 1, ["content"] = content } };
        }

        private static string Or(string? s) => string.IsNullOrEmpty(s) ? "(not given)" : s!;
        private static string List(IReadOnlyList<string>? items) => items == null || items.Count == 0 ? "none" : string.Join(", ", items);

        // ---- HTTP -----------------------------------------------------------------------------

        private JiraConnection Connect()
        {
            if (_settings.JiraBaseUrl == null)
                throw new DeployException(ErrorIds.ConfigurationMissing, ErrorKind.InvalidArgument, "JIRA_BASE_URL (JiraBaseUrl) is not set", "JiraBaseUrl");
            JiraFlavor flavor = JiraConnection.ParseFlavor(_settings.JiraFlavor, _settings.JiraBaseUrl);
            if (string.IsNullOrEmpty(_settings.Token))
                throw new DeployException(ErrorIds.ConfigurationMissing, ErrorKind.InvalidArgument,
                    "no JIRA token: set JIRA_API_TOKEN_SECRET or pass -Credential", "JiraApiToken");
            if (flavor == JiraFlavor.Cloud && string.IsNullOrEmpty(_settings.Username))
                throw new DeployException(ErrorIds.ConfigurationMissing, ErrorKind.InvalidArgument,
                    "JIRA Cloud needs the account e-mail: set JIRA_USERNAME or pass -Credential", "JiraUsername");
            return new JiraConnection(_settings.JiraBaseUrl, flavor, _settings.Username, _settings.Token!);
        }

        private RestRequest Request(JiraConnection jira, HttpMethod method, Uri uri, string what)
        {
            var request = new RestRequest(method, uri) { Timeout = _options.RequestTimeout, What = what, RetryOnTimeout = method == HttpMethod.Get };
            request.Headers["Authorization"] = jira.AuthorizationHeader;
            request.Headers["Accept"] = "application/json";
            return request;
        }

        private Task<RestResponse> Get(JiraConnection jira, Uri uri, string what, IDeployLog log, CancellationToken ct) =>
            _options.Http.SendAsync(Request(jira, HttpMethod.Get, uri, what), _options.Retry, log, ct);

        private async Task<RestResponse> GetOrThrow(JiraConnection jira, Uri uri, string what, string key, IDeployLog log, CancellationToken ct)
        {
            RestResponse response;
            try
            {
                response = await Get(jira, uri, what, log, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RestTimeoutException || ex is HttpRequestException || ex is System.IO.IOException)
            {
                throw new DeployException(ErrorIds.JiraUnavailable, ErrorKind.ConnectionError, $"{what}: {RestClient.Describe(ex)}", key);
            }
            if (!response.IsSuccess) throw StatusError(ErrorIds.JiraRequestFailed, what, response, key);
            return response;
        }

        private async Task<RestResponse> PostOrThrow(JiraConnection jira, RestRequest request, string key, string errorId, CancellationToken ct)
        {
            request.Headers["Authorization"] = jira.AuthorizationHeader;
            request.Headers["Accept"] = "application/json";
            RestResponse response;
            try
            {
                response = await _options.Http.SendOnceAsync(request, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RestTimeoutException || ex is HttpRequestException || ex is System.IO.IOException)
            {
                throw new DeployException(errorId, ErrorKind.ConnectionError, $"{request.What}: {RestClient.Describe(ex)}", key);
            }
            if (!response.IsSuccess) throw StatusError(errorId, request.What, response, key);
            return response;
        }

        private static DeployException StatusError(string errorId, string what, RestResponse response, string key)
        {
            string detail = JiraErrorText(response.Body);
            ErrorKind category = response.StatusCode == 401 ? ErrorKind.AuthenticationError
                : response.StatusCode == 403 ? ErrorKind.PermissionDenied
                : response.StatusCode == 404 ? ErrorKind.ObjectNotFound
                : response.StatusCode >= 500 ? ErrorKind.ConnectionError : ErrorKind.InvalidOperation;
            return new DeployException(errorId, category, $"{what}: JIRA answered {response.StatusCode}" + (detail.Length > 0 ? $": {detail}" : string.Empty), key);
        }

        private static JObject ParseOrThrow(RestResponse response, string key)
        {
            try { return ParseJson(response.Body); }
            catch (JsonException ex)
            {
                throw new DeployException(ErrorIds.JiraMalformedAnswer, ErrorKind.InvalidResult, $"JIRA answered with a body that is not valid JSON ({Truncate(ex.Message, 120)})", key);
            }
        }

        /// <summary>Parses an object, keeping dates as text (JIRA's "created" is compared as written).</summary>
        internal static JObject ParseJson(string body)
        {
            using var reader = new JsonTextReader(new System.IO.StringReader(body)) { DateParseHandling = DateParseHandling.None };
            JObject result = JObject.Load(reader);
            if (reader.Read() && reader.TokenType != JsonToken.Comment)
                throw new JsonReaderException("additional text after the JSON object");
            return result;
        }

        /// <summary>JIRA's error shape: {"errorMessages": [...], "errors": {"field": "message"}}.</summary>
        internal static string JiraErrorText(string body)
        {
            if (string.IsNullOrWhiteSpace(body)) return string.Empty;
            try
            {
                JToken token = JToken.Parse(body);
                if (token is JObject o)
                {
                    var parts = new List<string>();
                    if (o["errorMessages"] is JArray messages) parts.AddRange(messages.Select(m => m.ToString()));
                    if (o["errors"] is JObject errors) parts.AddRange(errors.Properties().Select(p => $"{p.Name}: {p.Value}"));
                    if (o["message"] is JValue message) parts.Add(message.ToString());
                    return Truncate(SecretMasker.Default.Apply(string.Join("; ", parts.Where(p => p.Length > 0))) ?? string.Empty, 300);
                }
            }
            catch (JsonException) { }
            // Not JSON (a proxy's HTML page): no body text in the reason, just that.
            return body.TrimStart().StartsWith("<", StringComparison.Ordinal) ? "(an HTML page, not JIRA's JSON)" : Truncate(SecretMasker.Default.Apply(body.Trim()) ?? string.Empty, 200);
        }

        private static string Truncate(string s, int max) => s.Length <= max ? s : s.Substring(0, max) + "…";

        // ---- reading people -------------------------------------------------------------------

        private sealed class Person
        {
            public string Display = string.Empty;
            public List<string> Ids = new List<string>();
            public bool SameAs(Person other) => Ids.Any(i => other.Ids.Contains(i, StringComparer.OrdinalIgnoreCase));
        }

        /// <summary>A user picker (Cloud: accountId/displayName/emailAddress; Server: name/key/displayName),
        /// a multi-user picker (the first user), a select option ({"value"}), or text.</summary>
        private static Person? ReadPerson(JToken? token)
        {
            switch (token)
            {
                case null:
                    return null;
                case JArray array:
                    return array.Select(ReadPerson).FirstOrDefault(p => p != null);
                case JObject user:
                    var person = new Person();
                    foreach (string idField in new[] { "accountId", "key", "name", "emailAddress" })
                        if (user[idField] is JValue v && v.Type == JTokenType.String && ((string)v!).Length > 0) person.Ids.Add((string)v!);
                    string? display = (string?)user["displayName"] ?? (string?)user["value"] ?? (string?)user["name"] ?? person.Ids.FirstOrDefault();
                    if (string.IsNullOrWhiteSpace(display)) return null;
                    person.Display = display!;
                    if (person.Ids.Count == 0) person.Ids.Add(display!);
                    return person;
                case JValue value when value.Type == JTokenType.String:
                    string text = ((string)value!).Trim();
                    return text.Length == 0 ? null : new Person { Display = text, Ids = { text } };
                default:
                    return null;
            }
        }

        /// <summary>Who moved the issue into the approved status, from expand=changelog (latest first).</summary>
        private static string? StatusApprover(JObject issue, string approvedStatus)
        {
            if (!(issue.SelectToken("changelog.histories") is JArray histories)) return null;
            string? who = null;
            DateTimeOffset when = DateTimeOffset.MinValue;
            foreach (JObject history in histories.OfType<JObject>())
            {
                bool toApproved = (history["items"] as JArray)?.OfType<JObject>()
                    .Any(i => string.Equals((string?)i["field"], "status", StringComparison.OrdinalIgnoreCase)
                              && string.Equals((string?)i["toString"], approvedStatus, StringComparison.OrdinalIgnoreCase)) == true;
                if (!toApproved) continue;
                DateTimeOffset at = DateTimeOffset.TryParse((string?)history["created"], System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.None, out DateTimeOffset parsed) ? parsed : DateTimeOffset.MinValue;
                if (who == null || at >= when)
                {
                    who = (string?)history.SelectToken("author.displayName") ?? (string?)history.SelectToken("author.name");
                    when = at;
                }
            }
            return who;
        }
    }
}
