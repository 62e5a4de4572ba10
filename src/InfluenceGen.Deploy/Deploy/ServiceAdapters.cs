using System;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Approval;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Notify;

namespace InfluenceGen.Deploy.Deploy
{
    /// <summary>The deploy's change gate: the JIRA change-approval service (Approval/), failing closed.</summary>
    public sealed class JiraDeployGate : IDeployGate
    {
        private readonly IChangeGate _gate;

        public JiraDeployGate(IChangeGate gate) => _gate = gate;

        public async Task<GateDecision> CheckAsync(string? changeRequestId, string environment, IDeployLog log, CancellationToken cancellationToken)
        {
            ChangeApproval approval = await _gate.CheckAsync(changeRequestId ?? string.Empty, environment, log, cancellationToken).ConfigureAwait(false);
            string who = approval.ApprovedBy.Length == 0 ? string.Empty : $" (approved by {string.Join(", ", approval.ApprovedBy)})";
            return new GateDecision(approval.Approved, approval.Approved ? $"{approval.ChangeRequestId} is '{approval.Status}'{who}" : approval.Reason ?? "not approved");
        }

        public Task CompleteAsync(string changeRequestId, string environment, DeploymentRecord record, IDeployLog log, CancellationToken cancellationToken)
            => _gate.CompleteAsync(changeRequestId, new DeploymentSummary
            {
                Environment = environment,
                ReleaseId = record.Release,
                AddonsInstalled = record.Installed,
                AddonsUpgraded = record.Upgraded,
                WorkflowsChanged = record.Workflows,
                PipelineUrl = PipelineContext.FromVariables(ConfigurationResolver.ProcessVariables()).PipelineUrl,
            }, log, cancellationToken);
    }

    /// <summary>The deploy's notices: Slack or Mattermost incoming webhooks (Notify/). A notice that
    /// cannot be delivered is a warning; the deploy's outcome never depends on it.</summary>
    public sealed class WebhookDeployNotifier : IDeployNotifier
    {
        private readonly INotifier _notifier;

        public WebhookDeployNotifier(INotifier notifier) => _notifier = notifier;

        public async Task SendAsync(DeployNotice notice, IDeployLog log, CancellationToken cancellationToken)
        {
            bool critical = notice.Level == NoticeLevel.Critical;
            var message = new Notice
            {
                Title = notice.Title,
                Message = notice.Text,
                Status = critical ? NoticeStatus.Failure : NoticeStatus.Success,
                Channel = critical ? NoticeChannel.Critical : NoticeChannel.Info,
                Environment = notice.Environment,
                Context = PipelineContext.FromVariables(ConfigurationResolver.ProcessVariables()),
            };
            if (notice.Release != null) message.Fields.Add(new System.Collections.Generic.KeyValuePair<string, string>("Release", notice.Release));
            NoticeResult result = await _notifier.SendAsync(message, log, cancellationToken).ConfigureAwait(false);
            if (!result.Delivered && !result.Skipped)
                log.Warning($"the {(critical ? "critical" : "info")} notice was not delivered: {result.Reason}");
        }
    }
}
