using System;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.Notify;

namespace InfluenceGen.Deploy.Approval
{
    /// <summary>
    /// The change gate against JIRA Cloud (REST v3) or Server/Data Center (REST v2): what the three approval
    /// cmdlets call, and the deploy's <see cref="IChangeGate"/>. The work is split by duty:
    /// <see cref="ChangeGateSettings"/> (what it reads), <see cref="ApprovalCheck"/> (check, fail closed),
    /// <see cref="ApprovalWait"/> (wait), <see cref="ChangeRequestCloser"/> (complete),
    /// <see cref="CompletionComment"/> (the comment) and <see cref="JiraClient"/> (JIRA's HTTP and errors).
    /// </summary>
    public sealed class ChangeApprovalService : IChangeGate
    {
        private readonly ChangeGateSettings _settings;
        private readonly ApprovalCheck _check;
        private readonly ApprovalWait _wait;
        private readonly ChangeRequestCloser _closer;

        public ChangeApprovalService(DeployConfiguration configuration, ChangeGateOptions? options = null)
            : this(ChangeGateSettings.From(configuration), options) { }

        public ChangeApprovalService(ChangeGateSettings settings, ChangeGateOptions? options = null)
        {
            _settings = settings;
            options ??= new ChangeGateOptions();
            var jira = new JiraClient(settings, options);
            _check = new ApprovalCheck(settings, options, jira);
            _wait = new ApprovalWait(_check, options);
            _closer = new ChangeRequestCloser(settings, options, jira);
        }

        public ChangeGateSettings Settings => _settings;

        /// <summary>One check; never throws for JIRA trouble (a not-approved result with the reason).</summary>
        public Task<ChangeApproval> CheckAsync(string changeRequestId, string environment, IDeployLog log, CancellationToken cancellationToken)
            => _check.CheckAsync(changeRequestId, environment, log, cancellationToken);

        /// <summary>Checks until approved; DeployException ChangeRequestRejected / ChangeApprovalNotPossible /
        /// ChangeApprovalTimeout / ChangeNotApproved otherwise (see <see cref="ApprovalWait"/>).</summary>
        public Task<ChangeApproval> WaitAsync(string changeRequestId, string environment, TimeSpan interval, TimeSpan timeout,
            IDeployLog log, CancellationToken cancellationToken)
            => _wait.WaitAsync(changeRequestId, environment, interval, timeout, log, cancellationToken);

        /// <summary>Comments on the change request with what was deployed, then takes the configured transition
        /// (ChangeCompleteTransition).</summary>
        public Task<ChangeRequestCompletion> CompleteAsync(string changeRequestId, DeploymentSummary deployment, IDeployLog log, CancellationToken cancellationToken)
            => _closer.CompleteAsync(changeRequestId, deployment, _settings.CompleteTransition, log, cancellationToken);

        public Task<ChangeRequestCompletion> CompleteAsync(string changeRequestId, DeploymentSummary deployment, string transition,
            IDeployLog log, CancellationToken cancellationToken)
            => _closer.CompleteAsync(changeRequestId, deployment, transition, log, cancellationToken);

        // ---- the deploy's change gate ----------------------------------------------------------

        async Task<ChangeGateDecision> IChangeGate.CheckAsync(string? changeRequestId, string environment, IDeployLog log, CancellationToken cancellationToken)
        {
            ChangeApproval approval = await CheckAsync(changeRequestId ?? string.Empty, environment, log, cancellationToken).ConfigureAwait(false);
            string who = approval.ApprovedBy.Length == 0 ? string.Empty : $" (approved by {string.Join(", ", approval.ApprovedBy)})";
            return new ChangeGateDecision(approval.Approved, approval.Approved ? $"{approval.ChangeRequestId} is '{approval.Status}'{who}" : approval.Reason ?? "not approved");
        }

        Task IChangeGate.CompleteAsync(string changeRequestId, string environment, DeploymentRecord record, IDeployLog log, CancellationToken cancellationToken)
            => CompleteAsync(changeRequestId, new DeploymentSummary
            {
                Environment = environment,
                ReleaseId = record.Release,
                AddonsInstalled = record.Installed,
                AddonsUpgraded = record.Upgraded,
                WorkflowsChanged = record.Workflows,
                PipelineUrl = _settings.PipelineUrl,
            }, log, cancellationToken);
    }
}
