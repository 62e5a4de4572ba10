using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Deploy
{
    // The deploy's three seams, declared here where they are consumed, in the deploy's own words. They are
    // implemented directly by the domain folders (Approval/ChangeApprovalService, Notify/WebhookNotifier,
    // N8n/N8nDeployPublisher), which therefore depend on Deploy and never the other way round; the cmdlets
    // wire them in one place (Cmdlets/DeployServices.cs).

    /// <summary>The change gate's answer. Errors reaching the gate are "not approved".</summary>
    public sealed class ChangeGateDecision
    {
        public ChangeGateDecision(bool approved, string reason) { Approved = approved; Reason = reason; }
        public bool Approved { get; }
        public string Reason { get; }
    }

    /// <summary>The change gate the deploy asks before it changes a gated environment (JIRA).</summary>
    public interface IChangeGate
    {
        /// <summary>Never throws for trouble reaching the gate: that is a "not approved" with the reason (fail closed).</summary>
        Task<ChangeGateDecision> CheckAsync(string? changeRequestId, string environment, IDeployLog log, CancellationToken cancellationToken);
        /// <summary>Marks the change request done after a successful production deploy (comment with what
        /// was deployed, then the transition). Throws when that fails; the deploy only warns.</summary>
        Task CompleteAsync(string changeRequestId, string environment, DeploymentRecord record, IDeployLog log, CancellationToken cancellationToken);
    }

    public enum NoticeLevel { Info, Critical }

    /// <summary>What the deploy tells people.</summary>
    public sealed class DeployNotice
    {
        public NoticeLevel Level { get; set; }
        public string Environment { get; set; } = string.Empty;
        public string Title { get; set; } = string.Empty;
        public string Text { get; set; } = string.Empty;
        public string? Release { get; set; }
    }

    /// <summary>Where the deploy tells people what happened (Slack/Mattermost). Delivery trouble is the
    /// notifier's to report (a warning); the deploy's outcome never depends on it.</summary>
    public interface INotifier
    {
        Task SendAsync(DeployNotice notice, IDeployLog log, CancellationToken cancellationToken);
    }

    /// <summary>Publishes an n8n workflow bundle to the environment.</summary>
    public interface IWorkflowPublisher
    {
        /// <summary>Names of the workflows that would change (for -WhatIf).</summary>
        Task<IReadOnlyList<string>> PlanAsync(string bundlePath, IDeployLog log, CancellationToken cancellationToken);
        Task<IReadOnlyList<string>> PublishAsync(string bundlePath, IDeployLog log, CancellationToken cancellationToken);
    }

    /// <summary>No change gate given: never approved (fail closed).</summary>
    public sealed class ClosedChangeGate : IChangeGate
    {
        public Task<ChangeGateDecision> CheckAsync(string? changeRequestId, string environment, IDeployLog log, CancellationToken cancellationToken)
            => Task.FromResult(new ChangeGateDecision(false, "no change gate is configured for this session (JIRA): not approved"));
        public Task CompleteAsync(string changeRequestId, string environment, DeploymentRecord record, IDeployLog log, CancellationToken cancellationToken)
            => Task.CompletedTask;
    }

    /// <summary>No notifier given: notices are only logged.</summary>
    public sealed class NullNotifier : INotifier
    {
        public Task SendAsync(DeployNotice notice, IDeployLog log, CancellationToken cancellationToken)
        {
            log.Verbose($"notice ({notice.Level}) not sent, no notifier configured: {notice.Title}");
            return Task.CompletedTask;
        }
    }

    /// <summary>No n8n publisher given: a bundle cannot be published.</summary>
    public sealed class MissingWorkflowPublisher : IWorkflowPublisher
    {
        private static DeployException Missing() => new DeployException(ErrorIds.N8nPublisherMissing, ErrorKind.NotInstalled,
            "an n8n bundle was given but no n8n publisher is configured in this session");
        public Task<IReadOnlyList<string>> PlanAsync(string bundlePath, IDeployLog log, CancellationToken cancellationToken) => throw Missing();
        public Task<IReadOnlyList<string>> PublishAsync(string bundlePath, IDeployLog log, CancellationToken cancellationToken) => throw Missing();
    }
}
