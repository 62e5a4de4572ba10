using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace InfluenceGen.Deploy.Approval
{
    /// <summary>Completing a change request after a deploy (Complete-ChangeRequest): the closing comment, then
    /// the configured transition, looked up by name among the issue's available transitions, or by the name
    /// of its target status.</summary>
    internal sealed class ChangeRequestCloser
    {
        private readonly ChangeGateSettings _settings;
        private readonly ChangeGateOptions _options;
        private readonly JiraClient _jira;

        public ChangeRequestCloser(ChangeGateSettings settings, ChangeGateOptions options, JiraClient jira)
        {
            _settings = settings; _options = options; _jira = jira;
        }

        public async Task<ChangeRequestCompletion> CompleteAsync(string changeRequestId, DeploymentSummary deployment, string transition,
            IDeployLog log, CancellationToken cancellationToken)
        {
            log ??= NullDeployLog.Instance;
            string key = (changeRequestId ?? string.Empty).Trim();
            if (key.Length == 0)
                throw new DeployException(ErrorIds.ChangeRequestIdMissing, ErrorKind.InvalidArgument, "no change request id: pass -ChangeRequestId or set CHANGE_REQUEST_ID", "ChangeRequestId");
            if (!ApprovalCheck.IssueKey.IsMatch(key))
                throw new DeployException(ErrorIds.InvalidChangeRequestId, ErrorKind.InvalidArgument, $"'{JiraClient.Truncate(key, 60)}' is not a JIRA issue key (PROJECT-123)", key);
            key = key.ToUpperInvariant();
            if (string.IsNullOrWhiteSpace(transition))
                throw new DeployException(ErrorIds.TransitionMissing, ErrorKind.InvalidArgument, "no transition named: pass -Transition or set CHANGE_COMPLETE_TRANSITION", "Transition");
            JiraConnection jira = _jira.Connect();

            // 1. Where the issue is, and that it is a change request.
            JObject issue = await _jira.GetOrThrowAsync(jira, jira.Api($"issue/{Uri.EscapeDataString(key)}?fields=status,project"), $"GET JIRA issue {key}", key, log, cancellationToken).ConfigureAwait(false);
            string fromStatus = (string?)issue.SelectToken("fields.status.name") ?? string.Empty;
            string? project = (string?)issue.SelectToken("fields.project.key");
            if (!string.IsNullOrEmpty(_settings.ProjectKey) && !string.Equals(project, _settings.ProjectKey, StringComparison.OrdinalIgnoreCase))
                throw new DeployException(ErrorIds.NotAChangeRequest, ErrorKind.InvalidArgument,
                    $"{key} belongs to project {project}, not to the change management project {_settings.ProjectKey}", key);

            // 2. The transition, by name.
            JObject transitions = await _jira.GetOrThrowAsync(jira, jira.Api($"issue/{Uri.EscapeDataString(key)}/transitions"), $"GET JIRA transitions of {key}", key, log, cancellationToken).ConfigureAwait(false);
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
            HttpAnswer commentResponse = await _jira.PostOrThrowAsync(jira, jira.Api($"issue/{Uri.EscapeDataString(key)}/comment"),
                CompletionComment.Body(jira.ApiVersion, deployment), $"POST JIRA comment on {key}", key, ErrorIds.JiraCommentFailed, cancellationToken).ConfigureAwait(false);
            string? commentId = null;
            try { commentId = (string?)JObject.Parse(commentResponse.Body)["id"]; } catch (JsonException) { }
            log.Verbose($"Commented on {key} (comment {commentId ?? "?"})");

            // 4. The transition.
            string toStatus = fromStatus;
            string? transitionId = null;
            if (chosen != null)
            {
                transitionId = (string?)chosen["id"];
                await _jira.PostOrThrowAsync(jira, jira.Api($"issue/{Uri.EscapeDataString(key)}/transitions"),
                    new JObject { ["transition"] = new JObject { ["id"] = transitionId } }, $"POST JIRA transition of {key}", key, ErrorIds.JiraTransitionFailed, cancellationToken).ConfigureAwait(false);
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
    }
}
