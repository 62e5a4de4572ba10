using System;
using System.Linq;
using System.Management.Automation;
using InfluenceGen.Deploy.Approval;
using InfluenceGen.Deploy.Configuration;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>
    /// After a deployment: comments on the change request with what was deployed (ADF on REST v3,
    /// plain text on v2) and moves it through a named transition, looked up among the issue's
    /// available transitions. A deployment record piped in binds by property name.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Complete, "ChangeRequest", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.Readme + "#get-help-complete-changerequest")]
    [OutputType(typeof(ChangeRequestCompletion))]
    public sealed class CompleteChangeRequestCommand : ChangeGateCmdlet
    {
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("Key", "IssueKey")]
        public string? ChangeRequestId { get; set; }

        /// <summary>The transition's name, or the name of the status it leads to (default
        /// CHANGE_COMPLETE_TRANSITION, "Deployed").</summary>
        [Parameter]
        public string? Transition { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(EnvironmentCompleter))]
        public string Environment { get; set; } = Configuration.DeployEnvironment.Production;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Release")]
        public string? ReleaseId { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Installed")]
        public string[]? AddonsInstalled { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Upgraded")]
        public string[]? AddonsUpgraded { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Workflows")]
        public string[]? WorkflowsChanged { get; set; }

        /// <summary>Default CI_PIPELINE_URL.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? PipelineUrl { get; set; }

        /// <summary>Default CI_COMMIT_SHA.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Commit")]
        public string? CommitSha { get; set; }

        /// <summary>Free text added to the comment.</summary>
        [Parameter]
        public string? Comment { get; set; }

        /// <summary>Time limit of one request to JIRA, in seconds (default 30).</summary>
        [Parameter]
        [ValidateRange(0.1, 600)]
        public double TimeoutSec { get => RequestTimeoutSeconds; set => RequestTimeoutSeconds = value; }

        protected override void Process()
        {
            DeployConfiguration config = ResolveGateConfiguration(Environment);
            string id = ChangeRequestId ?? config.ChangeRequest.Id ?? string.Empty;
            string transition = Transition ?? config.ChangeRequest.CompleteTransition ?? "Deployed";
            var summary = new DeploymentSummary
            {
                Environment = config.Environment,
                ReleaseId = ReleaseId,
                AddonsInstalled = AddonsInstalled ?? Array.Empty<string>(),
                AddonsUpgraded = AddonsUpgraded ?? Array.Empty<string>(),
                WorkflowsChanged = WorkflowsChanged ?? Array.Empty<string>(),
                PipelineUrl = PipelineUrl ?? config.Job.PipelineUrl,
                CommitSha = CommitSha ?? config.Job.CommitSha,
                Note = Comment,
            };
            string what = $"comment with the deployment to {summary.Environment}" + (summary.ReleaseId != null ? $" (release {summary.ReleaseId})" : string.Empty)
                          + $" and take transition '{transition}'";
            if (!ShouldProcess($"JIRA change request {id}", what)) return;
            var service = new ChangeApprovalService(config, GateOptions());
            ChangeRequestCompletion result = Run($"Completing change request {id}", (log, ct) => service.CompleteAsync(id, summary, transition, log, ct));
            WriteObject(result);
        }
    }
}
