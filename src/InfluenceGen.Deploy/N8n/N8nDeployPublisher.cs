using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Deploy;
using InfluenceGen.Deploy.Infrastructure;

namespace InfluenceGen.Deploy.N8n
{
    /// <summary>
    /// Deploy-InfluenceGen's n8n step (<see cref="IWorkflowPublisher"/>): publishes the bundle to the
    /// environment's n8n (settings N8nApiUrl / N8nApiKey) with <see cref="N8nPublisher"/>. The bundle
    /// is the whole set of the repository's workflows, so managed workflows it no longer has are
    /// pruned by deactivation (reversible; Publish-N8nWorkflow -PruneAction Delete deletes).
    /// Any failed workflow fails the step with one error naming each.
    /// </summary>
    public sealed class N8nDeployPublisher : IWorkflowPublisher
    {
        private readonly DeployConfiguration _configuration;
        private readonly N8nPublishOptions _options;

        public N8nDeployPublisher(DeployConfiguration configuration, N8nPublishOptions? options = null)
        {
            _configuration = configuration;
            _options = options ?? new N8nPublishOptions { Prune = true, PruneAction = N8nPruneAction.Deactivate };
        }

        public async Task<IReadOnlyList<string>> PlanAsync(string bundlePath, IDeployLog log, CancellationToken cancellationToken)
        {
            using N8nApiClient api = Client(log);
            N8nPublishPlan plan = await new N8nPublisher(api).PlanAsync(WorkflowSource.Load(bundlePath, log), _options, log, cancellationToken).ConfigureAwait(false);
            foreach (N8nWorkflowPublishResult item in plan.Items) log.Verbose("n8n: " + item.Describe());
            return plan.Items.Where(i => i.WritesSomething || i.Action == N8nWorkflowAction.Conflict).Select(i => i.Describe()).ToList();
        }

        public async Task<IReadOnlyList<string>> PublishAsync(string bundlePath, IDeployLog log, CancellationToken cancellationToken)
        {
            using N8nApiClient api = Client(log);
            IReadOnlyList<N8nWorkflowPublishResult> results = await new N8nPublisher(api)
                .PublishAsync(WorkflowSource.Load(bundlePath, log), _options, log, cancellationToken).ConfigureAwait(false);
            var failed = results.Where(r => r.Error.Length > 0).ToList();
            if (failed.Count > 0)
                throw new DeployException(ErrorIds.N8nPublishFailed, ErrorKind.InvalidResult,
                    $"{failed.Count} of {results.Count} workflow(s) failed to publish: " + string.Join("; ", failed.Select(f => $"'{f.Name}' ({f.ErrorId}: {f.Error})")),
                    bundlePath);
            return results.Where(r => r.WritesSomething).Select(r => r.Describe()).ToList();
        }

        private N8nApiClient Client(IDeployLog log)
        {
            string? url = _configuration.N8n.ApiUrl;
            if (string.IsNullOrEmpty(url))
                throw new DeployException(ErrorIds.N8nApiUrlMissing, ErrorKind.InvalidArgument,
                    $"no n8n URL for '{_configuration.Environment}': set {SettingCatalog.PrefixOf(_configuration.Environment)}_N8N_API_URL");
            string? key = _configuration.N8n.ApiKey;
            if (string.IsNullOrEmpty(key))
                throw new DeployException(ErrorIds.N8nApiKeyMissing, ErrorKind.InvalidArgument,
                    $"no n8n API key for '{_configuration.Environment}': set {SettingCatalog.PrefixOf(_configuration.Environment)}_N8N_API_KEY");
            return new N8nApiClient(new Uri(url), key!, log);
        }
    }
}
