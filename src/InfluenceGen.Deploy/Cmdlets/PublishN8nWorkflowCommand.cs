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
    [Cmdlet(VerbsData.Publish, "N8nWorkflow", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
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

        protected override void Process()
        {
            foreach (string path in Path)
                _paths.AddRange(ResolvePaths(path, literal: false));
        }

        protected override void End()
        {
            var (baseUri, apiKey) = ResolveServer();
            var options = new N8nPublishOptions { Prune = Prune, PruneAction = PruneAction, ManagedTag = ManagedTag };

            WorkflowSource source = Run("Reading n8n workflows", (log, _) => System.Threading.Tasks.Task.FromResult(LoadSources(log)));
            using var api = new N8nApiClient(baseUri, apiKey, NullDeployLog.Instance);
            var publisher = new N8nPublisher(api);
            N8nPublishPlan plan = Run("Planning n8n publish", (log, ct) => publisher.PlanAsync(source, options, log, ct));

            bool whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? w) && w is SwitchParameter s && s.IsPresent;
            var approved = new HashSet<N8nWorkflowPublishResult>();
            foreach (N8nWorkflowPublishResult item in plan.Items)
            {
                if (item.Action == N8nWorkflowAction.Conflict) continue;
                if (!item.WritesSomething)
                {
                    Verbose(item.Describe());
                    if (whatIf) ShouldProcess(item.Describe(), item.Describe(), "Publish-N8nWorkflow");
                    continue;
                }
                if (ShouldProcess($"{item.Describe()} on {plan.ApiRoot}", $"{item.Describe()} on {plan.ApiRoot}?", "Publish-N8nWorkflow"))
                    approved.Add(item);
            }
            if (whatIf) return;

            IReadOnlyList<N8nWorkflowPublishResult> results = Run("Publishing n8n workflows",
                (log, ct) => publisher.ApplyAsync(plan, options, log, ct, r => approved.Contains(r)));
            Verbose($"{api.Writes} write request(s) to {plan.ApiRoot}");

            var failed = new List<N8nWorkflowPublishResult>();
            foreach (N8nWorkflowPublishResult r in results)
            {
                WriteObject(r);
                if (r.Error.Length == 0) continue;
                failed.Add(r);
                ReportError(new DeployException(r.ErrorId.Length > 0 ? r.ErrorId : "N8nPublishFailed",
                    r.Action == N8nWorkflowAction.Conflict ? ErrorCategory.ResourceExists : ErrorCategory.InvalidData,
                    $"workflow '{r.Name}'{(r.File.Length > 0 ? " (" + r.File + ")" : "")}: {r.Error}", r.Name));
            }
            if (failed.Count > 0)
                Fail(new DeployException("N8nPublishFailed", ErrorCategory.InvalidResult,
                    $"{failed.Count} of {results.Count} workflow(s) failed to publish: " + string.Join("; ", failed.Select(f => $"'{f.Name}' ({f.ErrorId}: {f.Error})")),
                    string.Join(", ", failed.Select(f => f.Name))));
        }

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
            Masker.Add(key);
            if (uri == null || string.IsNullOrEmpty(key))
            {
                if (Environment == null)
                    throw new DeployException("N8nServerNotGiven", ErrorCategory.InvalidArgument,
                        "give -BaseUri and -ApiKey, or -Environment to take them from the environment's *_N8N_API_URL / *_N8N_API_KEY")
                    { RecommendedAction = "e.g. Publish-N8nWorkflow ./workflows -Environment staging (with STAGING_N8N_API_URL and STAGING_N8N_API_KEY set)" };
                DeployConfiguration config = ResolveConfiguration(Environment, ConfigurationPath);
                if (uri == null)
                {
                    string? url = config.Get("N8nApiUrl");
                    if (string.IsNullOrEmpty(url))
                        throw new DeployException("N8nApiUrlMissing", ErrorCategory.InvalidArgument,
                            $"no n8n URL for '{config.Environment}': give -BaseUri or set {SettingCatalog.PrefixOf(config.Environment)}_N8N_API_URL");
                    uri = new Uri(url);
                }
                if (string.IsNullOrEmpty(key))
                {
                    key = config.Get("N8nApiKey");
                    if (string.IsNullOrEmpty(key))
                        throw new DeployException("N8nApiKeyMissing", ErrorCategory.InvalidArgument,
                            $"no n8n API key for '{config.Environment}': give -ApiKey or set {SettingCatalog.PrefixOf(config.Environment)}_N8N_API_KEY");
                }
            }
            return (uri, key!);
        }
    }
}
