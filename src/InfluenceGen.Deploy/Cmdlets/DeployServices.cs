using InfluenceGen.Deploy.Approval;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Infrastructure.Ssh;
using InfluenceGen.Deploy.N8n;
using InfluenceGen.Deploy.Notify;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>
    /// The one place the deploy's seams are wired: the JIRA change gate (fails closed: no JIRA configured is
    /// "not approved"), the Slack/Mattermost notifier and the n8n publisher of the environment's configuration.
    /// </summary>
    internal static class DeployServices
    {
        public static DeployService For(DeployConfiguration config, DeploySettings settings, ITargetTransport transport) =>
            new DeployService(transport, settings,
                gate: new ChangeApprovalService(config),
                notifier: WebhookNotifier.FromConfiguration(config),
                publisher: new N8nDeployPublisher(config));
    }
}
