using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.Deploy
{
    /// <summary>The answer of a change gate. Errors reaching the gate are "not approved".</summary>
    public sealed class GateDecision
    {
        public GateDecision(bool approved, string reason) { Approved = approved; Reason = reason; }
        public bool Approved { get; }
        public string Reason { get; }
    }

    /// <summary>The change-approval gate the deploy asks (JIRA in production, wired by the module).</summary>
    public interface IDeployGate
    {
        Task<GateDecision> CheckAsync(string? changeRequestId, string environment, IDeployLog log, CancellationToken cancellationToken);
        /// <summary>Marks the change request done after a successful production deploy (comment with what
        /// was deployed, then the transition).</summary>
        Task CompleteAsync(string changeRequestId, string environment, DeploymentRecord record, IDeployLog log, CancellationToken cancellationToken);
    }

    public enum NoticeLevel { Info, Critical }

    public sealed class DeployNotice
    {
        public NoticeLevel Level { get; set; }
        public string Environment { get; set; } = string.Empty;
        public string Title { get; set; } = string.Empty;
        public string Text { get; set; } = string.Empty;
        public string? Release { get; set; }
    }

    /// <summary>Where the deploy tells people what happened (Slack, wired by the module).</summary>
    public interface IDeployNotifier
    {
        Task SendAsync(DeployNotice notice, IDeployLog log, CancellationToken cancellationToken);
    }

    /// <summary>Publishes an n8n workflow bundle to an environment (wired by the module).</summary>
    public interface IWorkflowPublisher
    {
        /// <summary>Names of the workflows that would change (for -WhatIf).</summary>
        Task<IReadOnlyList<string>> PlanAsync(string bundlePath, IDeployLog log, CancellationToken cancellationToken);
        Task<IReadOnlyList<string>> PublishAsync(string bundlePath, IDeployLog log, CancellationToken cancellationToken);
    }

    /// <summary>No gate configured: never approved (fail closed).</summary>
    public sealed class DenyingGate : IDeployGate
    {
        public Task<GateDecision> CheckAsync(string? changeRequestId, string environment, IDeployLog log, CancellationToken cancellationToken)
            => Task.FromResult(new GateDecision(false, "no change gate is configured for this session (JIRA): not approved"));
        public Task CompleteAsync(string changeRequestId, string environment, DeploymentRecord record, IDeployLog log, CancellationToken cancellationToken)
            => Task.CompletedTask;
    }

    public sealed class NullNotifier : IDeployNotifier
    {
        public Task SendAsync(DeployNotice notice, IDeployLog log, CancellationToken cancellationToken)
        {
            log.Verbose($"notice ({notice.Level}) not sent, no notifier configured: {notice.Title}");
            return Task.CompletedTask;
        }
    }

    /// <summary>No n8n publisher configured: a bundle cannot be published.</summary>
    public sealed class MissingWorkflowPublisher : IWorkflowPublisher
    {
        private static DeployException Missing() => new DeployException(ErrorIds.N8nPublisherMissing, ErrorKind.NotInstalled,
            "an n8n bundle was given but no n8n publisher is configured in this session");
        public Task<IReadOnlyList<string>> PlanAsync(string bundlePath, IDeployLog log, CancellationToken cancellationToken) => throw Missing();
        public Task<IReadOnlyList<string>> PublishAsync(string bundlePath, IDeployLog log, CancellationToken cancellationToken) => throw Missing();
    }

    /// <summary>
    /// Where the module's cmdlets get the gate, notifier and publisher for an environment: the JIRA
    /// change gate (fails closed: no JIRA configured = not approved), Slack/Mattermost notices.
    /// </summary>
    public static class DeploySeams
    {
        public static Func<DeployConfiguration, IDeployGate> Gate { get; set; } = c => new JiraDeployGate(new Approval.ChangeApprovalService(c));
        public static Func<DeployConfiguration, IDeployNotifier> Notifier { get; set; } = c => new WebhookDeployNotifier(Notify.WebhookNotifier.FromConfiguration(c));
        public static Func<DeployConfiguration, IWorkflowPublisher> Publisher { get; set; } = c => new N8n.N8nDeployPublisher(c);
    }
}
