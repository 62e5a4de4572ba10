using System;
using System.Management.Automation;
using InfluenceGen.Deploy.Approval;
using InfluenceGen.Deploy.Configuration;

namespace InfluenceGen.Deploy.Cmdlets
{
    /// <summary>
    /// Polls JIRA until the change request is approved (writes the approval), or ends with a
    /// terminating error when it is rejected or cancelled (ChangeRequestRejected), can never be
    /// approved as asked (ChangeApprovalNotPossible: missing id, 401/403/404, wrong project), or the
    /// time runs out (ChangeApprovalTimeout). JIRA being down keeps it waiting.
    /// </summary>
    [Cmdlet(VerbsLifecycle.Wait, "ChangeApproval", DefaultParameterSetName = "Check", HelpUri = HelpLinks.Readme + "#get-help-wait-changeapproval")]
    [OutputType(typeof(ChangeApproval))]
    public sealed class WaitChangeApprovalCommand : ChangeGateCmdlet
    {
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Key", "IssueKey")]
        [AllowEmptyString]
        public string? ChangeRequestId { get; set; }

        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(EnvironmentCompleter))]
        public string Environment { get; set; } = Configuration.DeployEnvironment.Production;

        /// <summary>Seconds between checks (default 30).</summary>
        [Parameter]
        [Alias("PollIntervalSeconds")]
        [ValidateRange(0.05, 3600)]
        public double PollIntervalSec { get; set; } = 30;

        /// <summary>Seconds to wait in all (default 14400 = 4 h; 0: check once).</summary>
        [Parameter]
        [Alias("TimeoutSeconds")]
        [ValidateRange(0, 7 * 24 * 3600)]
        public double TimeoutSec { get; set; } = 4 * 3600;

        /// <summary>Time limit of one request to JIRA, in seconds (default 30).</summary>
        [Parameter]
        [ValidateRange(0.1, 600)]
        public double RequestTimeoutSec { get => RequestTimeoutSeconds; set => RequestTimeoutSeconds = value; }

        /// <summary>Skip the gate. Only honoured for production while ENABLE_JIRA_INTEGRATION_FOR_PROD_DEPLOY is false; needs -SkipReason.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Skip")]
        public SwitchParameter SkipApproval { get; set; }

        /// <summary>Why the gate is skipped; recorded in the output.</summary>
        [Parameter(Mandatory = true, ParameterSetName = "Skip")]
        [ValidateNotNullOrEmpty]
        public string SkipReason { get; set; } = null!;

        protected override void Process()
        {
            DeployConfiguration config = ResolveGateConfiguration(Environment);
            string id = ChangeRequestId ?? config.ChangeRequest.Id ?? string.Empty;
            var service = new ChangeApprovalService(config, GateOptions(SkipApproval ? SkipReason : null));
            ChangeApproval result = Run($"Waiting for approval of {id}", (log, ct) =>
                service.WaitAsync(id, Environment, TimeSpan.FromSeconds(PollIntervalSec), TimeSpan.FromSeconds(TimeoutSec), log, ct));
            Verbose($"{result.ChangeRequestId} approved: {result.Reason}");
            WriteObject(result);
        }
    }
}
