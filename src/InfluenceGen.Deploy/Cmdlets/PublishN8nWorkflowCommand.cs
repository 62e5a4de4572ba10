using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Security;
using InfluenceGen.Deploy.Configuration;
using InfluenceGen.Deploy.Infrastructure;
using InfluenceGen.Deploy.N8n;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>
    /// Publishes n8n workflows (a folder, a package zip, or a package object on the pipeline) to an
    /// n8n server through its public API, idempotently: creates what is missing, updates what
    /// differs, leaves identical workflows untouched, sets activation and tags, and with -Prune
    /// deactivates or deletes managed workflows the source no longer has. The work is in
    /// <see cref="N8nPublisher"/>.
    /// </summary>
    [Cmdlet(VerbsData.Publish, "N8nWorkflow", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Readme + "#get-help-publish-n8nworkflow")]
    [OutputType(typeof(N8nWorkflowPublishResult))]
    public sealed class PublishN8nWorkflowCommand : InfluenceGenCmdlet
    {
        private readonly List<string> _paths = new List<string>();

        /// <summary>A folder of workflow files or a package from New-N8nWorkflowPackage (its Path binds from the pipeline).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = null!;

        /// <summary>n8n's base URL (the public API is under /api/v1). Default: the environment's *_N8N_API_URL.</summary>
        [Parameter]
        public Uri? BaseUri { get; set; }

        /// <summary>An n8n API key. Default: the environment's *_N8N_API_KEY.</summary>
        [Parameter]
        public SecureString? ApiKey { get; set; }

        /// <summary>dev, staging, production, ... : where -BaseUri and -ApiKey come from when not given.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(EnvironmentCompleter))]
        [ValidateNotNullOrEmpty]
        public string? Environment { get; set; }

        /// <summary>The environments file; default $env:INFLUENCEGEN_ENVIRONMENTS_FILE or ./environments.json.</summary>
        [Parameter]
        public string? ConfigurationPath { get; set; }

        /// <summary>Also deactivate (or delete) workflows this module manages that the source no longer has.</summary>
        [Parameter]
        public SwitchParameter Prune { get; set; }

        /// <summary>What -Prune does: Deactivate (default, reversible) or Delete.</summary>
        [Parameter]
        public N8nPruneAction PruneAction { get; set; } = N8nPruneAction.Deactivate;

        /// <summary>The tag marking the workflows this publish manages (default managed-by:influencegen).</summary>
        [Parameter]
        [ValidateLength(1, N8nPublisher.MaxTagLength)]
        [ValidatePattern("^[^,]+$")]
        public string ManagedTag { get; set; } = N8nPublisher.ManagedTag;

        /// <summary>Prune even when the source is empty or near-empty (fewer than half as many workflows as the server
        /// manages, and the prune would remove more than half of them: the max-delete guard), and delete without the extra confirmation -PruneAction Delete asks for.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void Process()
        {
            foreach (string path in Path)
                _paths.AddRange(ResolvePaths(path, literal: false));
        }

        protected override void End()
        {
            var (baseUri, apiKey) = ResolveServer();
            var options = new N8nPublishOptions { Prune = Prune, PruneAction = PruneAction, ManagedTag = ManagedTag, Force = Force };

            WorkflowSource source = Run("Reading n8n workflows", (log, _) => System.Threading.Tasks.Task.FromResult(LoadSources(log)));
            using var api = new N8nApiClient(baseUri, apiKey, NullDeployLog.Instance);
            var publisher = new N8nPublisher(api);
            // The plan fails the way the real run would (unreachable, refused key, the prune guard), -WhatIf or not.
            N8nPublishPlan plan = Run("Planning n8n publish", (log, ct) => publisher.PlanAsync(source, options, log, ct));

            bool whatIf = WhatIfRequested;
            bool yesToAll = false, noToAll = false;
            var approved = new HashSet<N8nWorkflowPublishResult>();
            foreach (N8nWorkflowPublishResult item in plan.Items)
            {
                if (item.Action == N8nWorkflowAction.Conflict) continue;
                string line = $"{item.Describe()} on {plan.ApiRoot}";
                if (!item.WritesSomething)
                {
                    Verbose(item.Describe());
                    if (whatIf) ShouldProcess(line, line, "Publish-N8nWorkflow");
                    continue;
                }
                if (!ShouldProcessOrAsk(line, line + "?", "Publish-N8nWorkflow", force: false)) continue;
                // A delete cannot be undone: it asks at ConfirmImpact High although the rest of the publish is Medium.
                if (item.Activation == "Delete" && !Force && HighImpactWouldAsk()
                    && !ShouldContinueOrFail($"Delete the workflow '{item.Name}' ({item.Id}) from {plan.ApiRoot}? This cannot be undone.",
                        "Publish-N8nWorkflow -PruneAction Delete", $"delete the workflow '{item.Name}' ({item.Id}) from {plan.ApiRoot}", ref yesToAll, ref noToAll))
                    continue;
                approved.Add(item);
            }

            IReadOnlyList<N8nWorkflowPublishResult> results;
            if (whatIf)
            {
                // Nothing is written; what the real run could not do is reported the same way.
                results = plan.Items.Where(i => i.Action == N8nWorkflowAction.Conflict).ToList();
                foreach (N8nWorkflowPublishResult r in results) ReportItem(r, r.ErrorId, r.Changes);
                return;
            }

            results = Run("Publishing n8n workflows", (log, ct) => publisher.ApplyAsync(plan, options, log, ct, r => approved.Contains(r)));
            Verbose($"{api.Writes} write request(s) to {plan.ApiRoot}");
            // Each workflow stands alone: a failed one is a non-terminating error beside its result (so -ErrorAction
            // SilentlyContinue / Ignore work and the others are still published); pwsh -c still exits 1.
            foreach (N8nWorkflowPublishResult r in results)
            {
                WriteObject(r);
                if (r.Error.Length > 0) ReportItem(r, r.ErrorId, r.Error);
            }
        }

        private void ReportItem(N8nWorkflowPublishResult r, string errorId, string error)
            => ReportError(new DeployException(errorId.Length > 0 ? errorId : ErrorIds.N8nPublishFailed,
                r.Action == N8nWorkflowAction.Conflict ? ErrorKind.ResourceExists : ErrorKind.InvalidData,
                $"Workflow '{r.Name}'{(r.File.Length > 0 ? " (" + r.File + ")" : "")}: {error}", r.Name));

        private WorkflowSource LoadSources(IDeployLog log)
        {
            if (_paths.Count == 1) return WorkflowSource.Load(_paths[0], log);
            // Several folders/packages: one source (so -Prune sees them all), each under its own prefix.
            var files = new List<SourceFile>();
            for (int i = 0; i < _paths.Count; i++)
            {
                WorkflowSource part = WorkflowSource.Load(_paths[i], log);
                files.AddRange(part.Files.Select(f => new SourceFile($"{i}/{f.RelativePath}", f.Read)));
            }
            return WorkflowSource.FromFiles(string.Join(";", _paths), files, log);
        }

        private (Uri, string) ResolveServer()
        {
            Uri? uri = BaseUri;
            string? key = ApiKey == null ? null : new System.Net.NetworkCredential(string.Empty, ApiKey).Password;
            Resolver.RegisterSecret(key);
            if (uri == null || string.IsNullOrEmpty(key))
            {
                if (Environment == null)
                    throw new DeployException(ErrorIds.N8nServerNotGiven, ErrorKind.InvalidArgument,
                        "give -BaseUri and -ApiKey, or -Environment to take them from the environment's *_N8N_API_URL / *_N8N_API_KEY")
                    { RecommendedAction = "e.g. Publish-N8nWorkflow ./workflows -Environment staging (with STAGING_N8N_API_URL and STAGING_N8N_API_KEY set)" };
                DeployConfiguration config = ResolveConfiguration(Environment, ConfigurationPath);
                if (uri == null)
                {
                    string? url = config.N8n.ApiUrl;
                    if (string.IsNullOrEmpty(url))
                        throw new DeployException(ErrorIds.N8nApiUrlMissing, ErrorKind.InvalidArgument,
                            $"no n8n URL for '{config.Environment}': give -BaseUri or set {SettingCatalog.PrefixOf(config.Environment)}_N8N_API_URL");
                    uri = new Uri(url);
                }
                if (string.IsNullOrEmpty(key))
                {
                    key = config.N8n.ApiKey;
                    if (string.IsNullOrEmpty(key))
                        throw new DeployException(ErrorIds.N8nApiKeyMissing, ErrorKind.InvalidArgument,
                            $"no n8n API key for '{config.Environment}': give -ApiKey or set {SettingCatalog.PrefixOf(config.Environment)}_N8N_API_KEY");
                }
            }
            return (uri, key!);
        }
    }
}
